import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { acquireLockFile, DataDirLockedError } from "../../src/db/lock-file.ts";

const root = mkdtempSync(join(tmpdir(), "mailbot-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (!child.pid) throw new Error("could not spawn a child process");
  return child.pid;
}

describe("PGlite data folder lock", () => {
  it("refuses a second open of the same folder until the first is closed", async () => {
    const dataDir = join(root, "data", "pglite");
    const first = await openDatabase({ dataDir });
    try {
      expect(existsSync(`${dataDir}.lock`)).toBe(true);
      const second = openDatabase({ dataDir });
      await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
      await expect(second).rejects.toThrow(/đang được .* sử dụng[\s\S]*is in use by/);
      await first.execute(`create table if not exists still_usable (x int)`);
    } finally {
      await first.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    const again = await openDatabase({ dataDir });
    expect(await again.execute(`select count(*)::int as n from still_usable`)).toEqual([{ n: 0 }]);
    await again.close();
  });

  it("takes over a stale lock left by a process that no longer runs", () => {
    const path = join(root, "stale.lock");
    writeFileSync(
      path,
      JSON.stringify({ pid: deadPid(), hostname: hostname(), startedAt: "2020-01-01T00:00:00Z" }),
    );
    const lock = acquireLockFile(path);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a lock held by a live process, another host, or with unreadable content", () => {
    const cases = [
      { pid: process.pid, hostname: hostname(), startedAt: "2020-01-01T00:00:00Z" },
      { pid: deadPid(), hostname: `${hostname()}-other`, startedAt: "2020-01-01T00:00:00Z" },
      "garbage",
    ];
    for (const [index, content] of cases.entries()) {
      const path = join(root, `held-${index}.lock`);
      writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
      expect(() => acquireLockFile(path)).toThrow(DataDirLockedError);
      // The holder's file is left alone.
      expect(readFileSync(path, "utf8")).toBe(
        typeof content === "string" ? content : JSON.stringify(content),
      );
    }
  });

  it("release() does not delete a lock that someone else now holds", () => {
    const path = join(root, "replaced.lock");
    const lock = acquireLockFile(path);
    const foreign = JSON.stringify({ pid: 1, hostname: "elsewhere", startedAt: "2020-01-01T00:00:00Z" });
    writeFileSync(path, foreign);
    lock.release();
    expect(readFileSync(path, "utf8")).toBe(foreign);
  });
});
