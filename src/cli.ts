/**
 * mailbot operator CLI: `mailbot <command> …` (the bin, compiled to dist/ by `npm ci`),
 * `npm run cli -- <command> …` (tsx, for development). `--help` lists the commands. The router is
 * src/cli/router.ts, the commands src/cli/<group>.ts, the registry src/cli/registry.ts (add new
 * command groups there; see src/cli/types.ts).
 */
import { config as loadDotenv } from "dotenv";
import { loadConfigOrExit } from "./config.ts";
import { COMMANDS } from "./cli/registry.ts";
import { runCli } from "./cli/router.ts";

// Same .env as `npm start`, so the CLI and the bot talk to the same database (env wins over the file).
loadDotenv({ quiet: true });
// A bad variable stops every command (exit 2, naming it), as it stops the bot.
const config = loadConfigOrExit();
const code = await runCli(
  process.argv.slice(2),
  COMMANDS,
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdin: process.stdin,
  },
  config,
);
// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = code;
