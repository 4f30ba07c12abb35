/**
 * Start-up times of the shipped build (dist/, what `npm ci` compiles), as ratios to a bare
 * `node -e ''` measured in the same run, so the figures mean the same on a busy or a quiet machine.
 *
 *   pure CLI commands (`--help`, `workdays is`, `address personal`, `password check`) through the
 *   `mailbot` bin: target ≤ 4× a bare Node start;
 *   `npm start` (and `node dist/src/main.js`) to the first getUpdates on an existing embedded
 *   database, against a fake Bot API on 127.0.0.1: target ≤ 2 s;
 *   and to the reply to a /start that was waiting at Telegram when the process started: the
 *   bot is back for its users (the first getUpdates leaves before the database has booted).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeBotApiServer, FAKE_TOKEN } from "../test/helpers/fake-bot-api-server.ts";

interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const ROOT = join(import.meta.dirname, "..");
const RUNS = 9;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median wall time of `node args…` over RUNS runs (after one warm-up run). */
function timeNode(args: string[], input = ""): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i += 1) {
    const started = performance.now();
    const r = spawnSync(process.execPath, args, {
      cwd: ROOT,
      input,
      env: { ...process.env, LOG_LEVEL: "warn" },
    });
    const ms = performance.now() - started;
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`node ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
    if (i > 0) times.push(ms);
  }
  return median(times);
}

function ensureBuilt(): void {
  if (existsSync(join(ROOT, "dist/src/cli.js"))) return;
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed");
}

export async function benchCliStart(): Promise<BenchResult[]> {
  ensureBuilt();
  const bare = timeNode(["-e", ""]);
  const commands: [string, string[], string?][] = [
    ["--help", ["--help"]],
    ["workdays is", ["workdays", "is", "2026-09-01"]],
    ["address personal", ["address", "personal", "--profile", "mic", "--name", "Đỗ Văn Bê"]],
    ["password check", ["password", "check", "--profile", "phuyen"], "Zq7#Kp2mWx!v\n"],
  ];
  const rows: BenchResult[] = [{ name: "node -e '' (baseline)", value: Math.round(bare), unit: "ms" }];
  for (const [name, args, input] of commands) {
    const ms = timeNode(["bin/mailbot.js", ...args], input);
    rows.push({ name: `mailbot ${name}`, value: Math.round(ms), unit: "ms" });
    rows.push({ name: `mailbot ${name} / node -e '' (target ≤ 4)`, value: ms / bare, unit: "×" });
  }
  return rows;
}

/** CPU time (user + system, ms) a process has used so far, from /proc; null where there is none. */
function cpuMsOf(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (clock ticks of 10 ms)
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** True while any process of the group `pgid` runs (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

interface StartTimes {
  /** ms to the first getUpdates, and the CPU used by then. */
  ms: number;
  cpuMs: number | null;
  /** ms to the reply to the /start waiting at start, and the CPU used by then. */
  replyMs: number;
  replyCpuMs: number | null;
}

let nextUpdateId = 1000;

/**
 * Spawns the bot with a /start waiting at the fake Bot API server and resolves with the ms until
 * its first getUpdates and until its reply (both seen by the server as HTTP requests: its
 * recorded calls leave getUpdates out); kills it afterwards.
 */
async function timeToFirstPoll(
  command: string,
  args: string[],
  dataDir: string,
  timeoutMs = 120_000,
): Promise<StartTimes> {
  // New update ids on every run: the bot ignores an update id its database has seen.
  const fake = await new FakeBotApiServer(undefined, nextUpdateId).start();
  nextUpdateId += 1000;
  fake.userSays({ id: 650_100, is_bot: false, first_name: "Thảo" }, "/start");
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      BOT_MODE: "polling",
      DATA_DIR: dataDir,
      DATABASE_URL: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group: `npm start` runs the bot as a grandchild, and both must stop.
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  try {
    const outcome = await Promise.race([
      fake.nextRequest("getUpdates").then(() => "polled" as const),
      exited.then((code) => `exited with ${code}` as const),
      new Promise<"timed out">((resolve) => (timer = setTimeout(() => resolve("timed out"), timeoutMs))),
    ]);
    if (outcome !== "polled") throw new Error(`${command} ${args.join(" ")} never polled: ${outcome}`);
    // The CPU the process used to get there: unlike the wall time, it hardly depends on what else
    // the machine is doing (for `npm start` it is npm's own process, not the bot's).
    const ms = performance.now() - started;
    const cpuMs = cpuMsOf(child.pid);
    clearTimeout(timer);
    const replied = await Promise.race([
      fake.nextRequest("sendMessage").then(() => "replied" as const),
      exited.then((code) => `exited with ${code}` as const),
      new Promise<"timed out">((resolve) => (timer = setTimeout(() => resolve("timed out"), timeoutMs))),
    ]);
    if (replied !== "replied") throw new Error(`${command} ${args.join(" ")} never replied: ${replied}`);
    return { ms, cpuMs, replyMs: performance.now() - started, replyCpuMs: cpuMsOf(child.pid) };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup("SIGTERM");
      const kill = setTimeout(() => signalGroup("SIGKILL"), 15_000);
      await exited;
      // `npm start` exits before the bot under it has closed the database and released the
      // folder's lock (taken at once by the next start): wait for the whole group to be gone.
      while (groupAlive(child.pid as number)) await new Promise((resolve) => setTimeout(resolve, 20));
      clearTimeout(kill);
    }
    await fake.stop();
  }
}

export async function benchBotStart(): Promise<BenchResult[]> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "mailbot-start-bench-"));
  try {
    // First start: creates, migrates and seeds the embedded database (not measured; minutes on a
    // loaded machine).
    await timeToFirstPoll(process.execPath, ["dist/src/main.js"], dataDir, 900_000);
    const npm: number[] = [];
    const npmReply: number[] = [];
    const node: number[] = [];
    const nodeCpu: number[] = [];
    const nodeReply: number[] = [];
    const nodeReplyCpu: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const viaNpm = await timeToFirstPoll("npm", ["start", "--silent"], dataDir);
      npm.push(viaNpm.ms);
      npmReply.push(viaNpm.replyMs);
      const run = await timeToFirstPoll(process.execPath, ["dist/src/main.js"], dataDir);
      node.push(run.ms);
      nodeReply.push(run.replyMs);
      if (run.cpuMs !== null) nodeCpu.push(run.cpuMs);
      if (run.replyCpuMs !== null) nodeReplyCpu.push(run.replyCpuMs);
    }
    const bare = timeNode(["-e", ""]);
    return [
      {
        name: "npm start → first poll, existing embedded db (target ≤ 2000)",
        value: Math.round(median(npm)),
        unit: "ms",
      },
      { name: "node dist/src/main.js → first poll", value: Math.round(median(node)), unit: "ms" },
      ...(nodeCpu.length
        ? [
            {
              name: "node dist/src/main.js → first poll, CPU used",
              value: Math.round(median(nodeCpu)),
              unit: "ms",
            },
          ]
        : []),
      {
        name: "npm start → reply to a /start waiting at start, existing embedded db",
        value: Math.round(median(npmReply)),
        unit: "ms",
      },
      {
        name: "node dist/src/main.js → reply to the waiting /start",
        value: Math.round(median(nodeReply)),
        unit: "ms",
      },
      ...(nodeReplyCpu.length
        ? [
            {
              name: "node dist/src/main.js → reply to the waiting /start, CPU used",
              value: Math.round(median(nodeReplyCpu)),
              unit: "ms",
            },
          ]
        : []),
      { name: "node -e '' (baseline, same run)", value: Math.round(bare), unit: "ms" },
      { name: "node dist/src/main.js → first poll / node -e ''", value: median(node) / bare, unit: "×" },
      { name: "node dist/src/main.js → reply / node -e ''", value: median(nodeReply) / bare, unit: "×" },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
