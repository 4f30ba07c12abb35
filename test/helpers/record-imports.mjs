// `node --import ./test/helpers/record-imports.mjs …`: appends every module URL the program
// resolves to the file named by RECORD_IMPORTS (test/cli/lazy-load.test.ts reads it).
import { register } from "node:module";
import process from "node:process";

register("./record-imports-hooks.mjs", import.meta.url, { data: { file: process.env.RECORD_IMPORTS } });
