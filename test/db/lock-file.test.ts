import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { acquireLockFile, DataDirLockedError, LEASE_STALE_MS } from "../../src/db/lock-file.ts";
import { cleanEnv, ROOT, startNode, stopAllProcesses, type StartedProcess } from "../helpers/process.ts";

afterEach(stopAllProcesses);

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
  }, 180_000); // two PGlite boots on disk: slow on a loaded machine

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

  it("refuses a fresh lease from another host or with unreadable content", () => {
    const cases = [
      { pid: deadPid(), hostname: `${hostname()}-other`, startedAt: "2020-01-01T00:00:00Z" },
      { pid: 1, hostname: hostname(), startedAt: "2020-01-01T00:00:00Z" },
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

/** A lock file as a holder that stopped `ageMs` ago would have left it. */
function leftBehind(path: string, content: object, ageMs: number): void {
  writeFileSync(path, JSON.stringify(content));
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A live holder in another process, refreshing its lease every 100 ms; `hostname` as given. */
function liveHolder(path: string, host: string): { run: StartedProcess; held: Promise<string> } {
  const script = join(root, `holder-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    script,
    `import { acquireLockFile } from ${JSON.stringify(join(ROOT, "src/db/lock-file.ts"))};\n` +
      `acquireLockFile(${JSON.stringify(path)}, { intervalMs: 100, hostname: ${JSON.stringify(host)} });\n` +
      `process.stdout.write("held\\n");\nsetInterval(() => {}, 1000);\n`,
  );
  const run = startNode(["--import", "tsx", script]);
  return { run, held: run.waitForOutput(/held/) };
}

describe("PGlite lock lease (dies with its holder)", () => {
  it("restart as PID 1 on the same host: the old lock names pid 1, which is alive again", () => {
    const path = join(root, "pid1-same-host.lock");
    // Before leases, a live pid 1 on this host kept the lock forever.
    leftBehind(
      path,
      { pid: 1, hostname: hostname(), startedAt: "2026-12-01T00:00:00Z" },
      LEASE_STALE_MS + 5_000,
    );
    const lock = acquireLockFile(path);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: process.pid, hostname: hostname() });
    lock.release();
  });

  it("restart as PID 1: a lock naming our own pid that this process does not hold is our previous life", () => {
    const path = join(root, "pid1-self.lock");
    // Fresh lease, same host, same pid: the container restarted within the heartbeat interval.
    leftBehind(path, { pid: 1, hostname: "mailbot-0", startedAt: "2026-12-01T00:00:00Z" }, 0);
    const lock = acquireLockFile(path, { pid: 1, hostname: "mailbot-0" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ pid: 1, hostname: "mailbot-0" });
    // …while a second acquire in this same process is still refused.
    expect(() => acquireLockFile(path, { pid: 1, hostname: "mailbot-0" })).toThrow(DataDirLockedError);
    lock.release();
  });

  it("a new container with a new hostname takes over a stale lease, not a fresh one", () => {
    const path = join(root, "new-host.lock");
    const old = { pid: 1, hostname: "container-a1b2", startedAt: "2026-12-01T00:00:00Z" };
    leftBehind(path, old, 2_000);
    expect(() => acquireLockFile(path, { hostname: "container-c3d4" })).toThrow(
      /đang được tiến trình pid 1 trên máy container-a1b2[\s\S]*tiếp quản sau \d+ giây/,
    );
    leftBehind(path, old, LEASE_STALE_MS + 1_000);
    const lock = acquireLockFile(path, { hostname: "container-c3d4" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ hostname: "container-c3d4" });
    lock.release();
  });

  it("a live holder keeps its lease fresh and is refused; once it is killed its lease goes stale", async () => {
    const path = join(root, "live.lock");
    const holder = liveHolder(path, "host-a");
    try {
      await holder.held;
      // Age the lease by hand: the holder's heartbeat must bring it back.
      const past = new Date(Date.now() - 60_000);
      utimesSync(path, past, past);
      await waitFor(() => Date.now() - statSync(path).mtimeMs < 5_000, "the heartbeat");
      expect(() => acquireLockFile(path, { hostname: "host-b", staleAfterMs: 5_000 })).toThrow(
        DataDirLockedError,
      );
    } finally {
      await holder.run.kill();
    }
    const killedAt = Date.now();
    await waitFor(() => Date.now() - killedAt > 1_500, "the lease to age");
    const lock = acquireLockFile(path, { hostname: "host-b", staleAfterMs: 1_000 });
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ hostname: "host-b" });
    lock.release();
  }, 120_000);

  it("npm start refuses a data folder whose lease is live: Vietnamese message, exit 1", async () => {
    const dataDir = mkdtempSync(join(root, "start-"));
    const holder = liveHolder(join(dataDir, "pglite.lock"), "host-a");
    try {
      await holder.held;
      const run = startNode(["--import", "tsx", "src/main.ts"], {
        env: cleanEnv(/^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|MIGRATION_DATABASE_URL|PGLITE_DIR|LOG_LEVEL)/, {
          DATA_DIR: dataDir,
        }),
      });
      const { code } = await run.exited;
      const err = run.stderr();
      expect(code).toBe(1);
      expect(err).toContain("Thư mục dữ liệu PGlite đang được tiến trình pid");
      expect(err).toContain("host-a");
    } finally {
      await holder.run.kill();
    }
  }, 120_000);
});
