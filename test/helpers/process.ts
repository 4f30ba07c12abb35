/**
 * The one way tests start a real process (the bot, the CLI, any child): in its own process
 * group, with its output collected, and never left behind.
 *
 * - `waitForOutput(pattern)` resolves when the output shows the pattern (an event on the stream,
 *   not a sleep), and rejects — naming the pattern and showing the output — when the process
 *   exits first or the time-out passes;
 * - every process gets a hard time-out: past it the whole group (a `tsx` or `npm` wrapper and the
 *   real program under it) is killed with SIGKILL, so one stuck child cannot hold the PGlite lock
 *   or a port for the tests after it;
 * - `stop()` sends SIGTERM to the group and SIGKILL if it has not exited after a grace period;
 * - `stopAllProcesses()` (call it in `afterEach`) kills whatever a failed test left running.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface ProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed; `keepStdinOpen` leaves it open for `child.stdin`. */
  stdin?: string;
  keepStdinOpen?: boolean;
  /** Hard limit for the whole life of the process; then the group is killed. Default 300 s. */
  timeoutMs?: number;
  /** Run as this user and group (a daemon that must not run as root: Dovecot in the tests). */
  uid?: number;
  gid?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartedProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once the process has exited (and its output streams have closed). */
  exited: Promise<Exit>;
  /** True when the hard time-out killed it. */
  timedOut(): boolean;
  /** Resolves with the output so far once stdout or stderr matches `pattern`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves with the exit. */
  stop(graceMs?: number): Promise<Exit>;
  /** SIGKILL to the group at once (a crash: nothing is cleaned up); resolves with the exit. */
  kill(): Promise<Exit>;
  /** Sends `signal` to the process itself (not its group), e.g. SIGUSR2 to wake the bot's sweep. */
  signal(signal: NodeJS.Signals): void;
}

const running = new Set<StartedProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions = {},
): StartedProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd ?? ROOT,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true, // its own process group, killed as a whole
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  const listeners = new Set<() => void>();
  const onOutput = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
    onOutput();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    onOutput();
  });
  let isDone = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once("error", (error) => {
      stderr += `\n${String(error)}`;
      isDone = true;
      resolve({ code: null, signal: null });
    });
    child.once("close", (code, signal) => {
      isDone = true;
      resolve({ code, signal });
    });
  });
  const hardLimit = setTimeout(() => {
    timedOut = true;
    signalGroup(child, "SIGKILL");
  }, options.timeoutMs ?? 300_000);
  hardLimit.unref();
  void exited.then(() => {
    clearTimeout(hardLimit);
    onOutput();
  });
  // A child that exits or closes its stdin before reading it (Dovecot in the foreground) makes
  // this write fail with EPIPE: its exit and output are what the tests look at, not a stray
  // stream error reported as an unhandled error of whichever test file is running.
  child.stdin!.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  if (options.stdin !== undefined || !options.keepStdinOpen) child.stdin!.end(options.stdin ?? "");

  const started: StartedProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    timedOut: () => timedOut,
    waitForOutput(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(stdout + stderr);
        };
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) finish();
          else if (isDone)
            finish(
              new Error(`the process exited before its output showed ${pattern}:\n${stdout}\n${stderr}`),
            );
        };
        const timer = setTimeout(
          () =>
            finish(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${stdout}\n${stderr}`)),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 60_000) {
      if (!isDone) {
        signalGroup(child, "SIGTERM");
        const kill = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(kill);
      }
      return exited;
    },
    kill() {
      if (!isDone) signalGroup(child, "SIGKILL");
      return exited;
    },
    signal(signal) {
      if (!isDone) child.kill(signal);
    },
  };
  running.add(started);
  void exited.then(() => running.delete(started));
  return started;
}

/** `node <args>` from the repository root. */
export function startNode(args: readonly string[], options: ProcessOptions = {}): StartedProcess {
  return startProcess(process.execPath, args, options);
}

/** Kills (SIGKILL, whole group) every process a test started and did not stop; for `afterEach`. */
export async function stopAllProcesses(): Promise<void> {
  const left = [...running];
  for (const p of left) signalGroup(p.child, "SIGKILL");
  await Promise.all(left.map((p) => p.exited));
}

/** The environment without the variables that would point a child at the developer's own bot. */
export function cleanEnv(drop: RegExp, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (drop.test(key)) delete base[key];
  return { ...base, ...extra };
}
