/* global console, process */
/**
 * `npm run build`, second step: replaces dist/src/main.js (what `npm start` runs) with one ES
 * module bundle of the bot, built by esbuild from src/main.ts. Loading ~450 files one by one
 * (our modules, drizzle, zod, grammY…) cost the start more CPU than compiling one file.
 *
 * - Code splitting keeps every `await import()` a separate chunk (dist/src/main-chunks/), so
 *   what the start does not need (the console transport, the HTTP server without a webhook or
 *   token…) is still not loaded.
 * - Left out of the bundle: packages that find their own files next to them at run time
 *   (PGlite's WebAssembly, pino's worker transports), native addons, and big libraries only
 *   some commands load (XLSX, charts, CSV, postgres.js).
 * - Source maps are written beside the files (`node --enable-source-maps dist/src/main.js`
 *   maps a stack trace back to src/).
 * The CLI and every other module stay as tsc compiled them (dist/src/cli.js…).
 */
import { rmSync } from "node:fs";
import { build } from "esbuild";

const OUT_DIR = "dist/src";
rmSync(`${OUT_DIR}/main-chunks`, { recursive: true, force: true });

const result = await build({
  entryPoints: { main: "src/main.ts" },
  outdir: OUT_DIR,
  chunkNames: "main-chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  external: [
    "@electric-sql/pglite",
    "pino",
    "@node-rs/argon2",
    "@resvg/resvg-js",
    "postgres",
    "exceljs",
    "echarts",
    "csv-parse",
  ],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
if (result.errors.length > 0) process.exit(1);
console.log("dist/src/main.js: bundled by esbuild");
