#!/usr/bin/env node
/* global process */
// The `mailbot` command (npx mailbot …): runs the CLI compiled to dist/ by `npm ci` (the
// `prepare` script), so a command pays for Node's start, not for compiling TypeScript.
try {
  await import("../dist/src/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/src/cli.js"))
    throw error;
  process.stderr.write(
    "mailbot chưa được biên dịch: chạy `npm ci` hoặc `npm run build` trong thư mục mailbot.\n" +
      "mailbot is not built yet: run `npm ci` or `npm run build` in the mailbot folder.\n",
  );
  process.exitCode = 3;
}
