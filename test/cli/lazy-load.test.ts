// Start fast: `--help` and the pure commands must not load the database, the services, the
// reminders or the bot (nor drizzle, PGlite, postgres.js, grammY): operators run them dozens of
// times a day. Each runs as a real process with a hook recording every module it resolves.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnNode } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "mailbot-lazy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEAVY =
  /\/src\/(db|bot|reminders(?!\/types\.ts)|services(?!\/(errors|types|import-columns)\.ts))\/|\/node_modules\/(drizzle-orm|@electric-sql|postgres|grammy|@grammyjs|node-schedule|csv-parse)\//;

async function importsOf(name: string, args: string[], stdin = ""): Promise<string[]> {
  const log = join(dir, `${name}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, RECORD_IMPORTS: log, LOG_LEVEL: "warn" };
  const r = await spawnNode(
    ["--import", "tsx", "--import", "./test/helpers/record-imports.mjs", "src/cli.ts", ...args],
    { env, stdin, timeoutMs: 100_000 },
  );
  expect(r.code, r.stderr).toBe(name.startsWith("reject") ? 1 : 0);
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

describe.concurrent("the CLI loads only what a command needs", { timeout: 120_000 }, () => {
  const cases: [string, string[], string?][] = [
    ["help", ["--help"]],
    ["workdays", ["workdays", "is", "2026-09-01"]],
    ["address", ["address", "personal", "--profile", "mic", "--name", "Đỗ Văn Bê"]],
    ["reject-password", ["password", "check", "--profile", "phuyen"], "Matkhou@123\n"],
  ];
  for (const [name, args, stdin] of cases) {
    it(`${args.join(" ")}: no database, services, reminders or bot`, async () => {
      const urls = await importsOf(name, args, stdin);
      // The hook saw the command's own modules (so it works), and nothing heavy.
      expect(urls.some((u) => u.includes("/src/cli/router.ts"))).toBe(true);
      expect(urls.filter((u) => HEAVY.test(u))).toEqual([]);
    });
  }
});
