/**
 * Running the CLI in tests. `runCliInProcess` calls the router directly (no Node start, no tsx
 * compile: what most tests need); `spawnNode` starts a real process for the few properties of
 * the process itself (exit code, stdout discipline, the entry point's config check), and kills it
 * when it outlives its time-out so a stuck child never holds a PGlite lock for the next test.
 */
import { Readable } from "node:stream";
import { COMMANDS } from "../../src/cli/registry.ts";
import { runCli } from "../../src/cli/router.ts";
import { parseConfig } from "../../src/config.ts";
import { ROOT, startNode } from "./process.ts";

export { ROOT };

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `mailbot <args>` in this process. `env` is the whole environment the configuration is
 * parsed from (nothing leaks in from the shell), `stdin` what standard input holds.
 */
export async function runCliInProcess(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const stdin = Readable.from(options.stdin === undefined ? [] : [options.stdin]);
  const code = await runCli(
    args,
    COMMANDS,
    { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), stdin },
    parseConfig({ LOG_LEVEL: "warn", ...options.env }),
  );
  return { code, stdout, stderr };
}

export interface SpawnOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this long; the promise then rejects. Default 60 s. */
  timeoutMs?: number;
}

/** Runs `node <args>` from the repository root; rejects (after killing its group) when it hangs. */
export async function spawnNode(args: readonly string[], options: SpawnOptions = {}): Promise<Run> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const run = startNode(args, {
    env: options.env ?? { ...process.env, LOG_LEVEL: "warn", NO_COLOR: "1" },
    stdin: options.stdin ?? "",
    timeoutMs,
  });
  const { code } = await run.exited;
  if (run.timedOut())
    throw new Error(`node ${args.join(" ")} did not finish within ${timeoutMs} ms; killed.\n${run.stderr()}`);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The CLI as a real process (tsx, the development entry point). */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): Promise<Run> {
  return spawnNode(["--import", "tsx", "src/cli.ts", ...args], options);
}
