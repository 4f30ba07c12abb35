// With the embedded database, a CLI command while the bot holds the data folder's lock says in
// one sentence what to do (stop the bot, or use PostgreSQL), exit 1, no stack trace.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLockFile, type LockHandle } from "../../src/db/lock-file.ts";
import { runCliInProcess, spawnCli } from "../helpers/cli.ts";

let dir = "";
let lock: LockHandle | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-in-use-"));
  // What the running bot holds (src/db/client.ts takes `<folder>.lock`).
  lock = acquireLockFile(`${join(dir, "pglite")}.lock`);
});

afterAll(() => {
  lock?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SENTENCE =
  /^Cơ sở dữ liệu nhúng \(.+pglite\) đang được bot \(pid \d+\) sử dụng nên lệnh này không mở được: hãy dừng bot rồi chạy lại lệnh, hoặc đặt DATABASE_URL trỏ tới máy chủ PostgreSQL cho cả bot và lệnh \(nên dùng PostgreSQL khi nhiều người cùng vận hành\)\.$/;

describe("a CLI command while the bot holds the embedded database", { timeout: 120_000 }, () => {
  it("in process: one Vietnamese sentence, exit 1, nothing on stderr; --json gives its code", async () => {
    const env = { PGLITE_DIR: join(dir, "pglite") };
    const r = await runCliInProcess(["staff", "find", "an"], { env });
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(r.stdout.trim()).toMatch(SENTENCE);
    expect(r.stderr).toBe("");

    const j = await runCliInProcess(["migrate", "--json"], { env });
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "database_in_use" } });
  });

  it("through the real entry point: the same sentence, exit 1, no stack trace", async () => {
    const r = await spawnCli(["staff", "list"], {
      env: { PATH: process.env.PATH, PGLITE_DIR: join(dir, "pglite"), LOG_LEVEL: "warn", NO_COLOR: "1" },
    });
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toMatch(SENTENCE);
    expect(r.stderr).not.toMatch(/\bat \S+ \(|Error:/);
  });
});
