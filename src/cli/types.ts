/**
 * The operator CLI's command registry.
 *
 * HOW TO ADD A COMMAND (migrate, import, seed, link-code, role, remind, activity, …):
 *   1. Create `src/cli/<group>.ts` exporting an array of commands built with `defineCommand`:
 *
 *        export const seedCommands = [
 *          defineCommand({
 *            path: ["seed", "demo"],                      // words typed after `mailbot`
 *            usage: "seed demo --profile P [--json]",
 *            summary: { vi: "Tạo dữ liệu mẫu", en: "Create demo data" },
 *            options: { profile: { type: "string", value: "P", vi: "Mã hồ sơ", en: "Profile id" } },
 *            schema: z.object({ profile: z.string() }),    // validates the parsed flags
 *            examples: ["seed demo --profile mic"],
 *            async run(input, ctx) {
 *              const profile = ctx.profile(input.profile);  // UsageError if unknown
 *              …
 *              return done({ created: 12 }, [`Đã tạo 12 hộp thư mẫu.`]);  // or rejected(code, message)
 *            },
 *          }),
 *        ];
 *
 *   2. Add the array to `src/cli/registry.ts`. Nothing else: the router (src/cli/router.ts)
 *      does argument parsing (node:util parseArgs, strict), `--help` in Vietnamese and English,
 *      `--json`, `--profile-file`, exit codes and error output for every command.
 *
 * The contract every command gets for free:
 *   - exit 0 = done; 1 = the rules reject the input (`rejected(…)`); 2 = bad usage (unknown
 *     command or flag, missing value, a value the schema refuses, or `throw new UsageError(…)`);
 *     3 = an unexpected internal error (a bug: logged on stderr).
 *   - with `--json`, exactly one JSON object on stdout: the command's `json` on success,
 *     `{"ok":false,"error":{"code","message"},…}` otherwise; nothing else goes to stdout.
 *   - logs (pino, level LOG_LEVEL, default "warn") go to stderr only.
 *   - `run` must not print: it returns what to print. I/O the command needs (stdin, files,
 *     database) goes through `ctx`, so a command module stays testable.
 *   - a `ServiceError` thrown by `run` (the services refusing: not found, illegal transition, …)
 *     is exit 1 with `{"ok":false,"error":{code,message},"details"?}`, like `rejected(…)`.
 *   - `ctx.withDatabase(fn)` opens the configured database (DATABASE_URL, else PGlite in
 *     DATA_DIR/pglite, or PGLITE_DIR; default ./data/pglite), applies pending migrations, runs `fn`, and closes it;
 *     `ctx.withServices(fn)` does the same and hands `fn` the services too.
 *   - START FAST: a command module must not import the database, the services, the reminders or
 *     the bot at the top (only `import type`): `--help` and the pure commands load every command
 *     module, and must not pay for drizzle, PGlite or grammY. Use `ctx.withServices`, or
 *     `await import(…)` inside `run`. test/cli/lazy-load.test.ts and .dependency-cruiser.cjs check it.
 *   - configuration comes from `ctx.config` (src/config.ts), never from process.env.
 */
import type { z } from "zod";
import type { Logger } from "pino";
import type { WorkingDayCalendar } from "../calendar/index.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Profile } from "../policy/profile.ts";
import type { Services } from "../services/index.ts";

/** A flag of a command, as node:util parseArgs takes it, plus its help text in both languages. */
export interface CliOption {
  type: "string" | "boolean";
  multiple?: boolean;
  short?: string;
  /** Placeholder in help, e.g. "YYYY-MM-DD". */
  value?: string;
  vi: string;
  en: string;
}

/** A positional argument (after the command words), e.g. `workdays is YYYY-MM-DD`. */
export interface CliPositional {
  name: string;
  vi: string;
  en: string;
}

/** What a command hands back to the router; the router prints it (text or JSON) and exits. */
export interface CommandResult {
  exitCode: 0 | 1;
  /** Printed with --json. */
  json: Record<string, unknown>;
  /** Printed otherwise: short Vietnamese lines. */
  text: string[];
  /**
   * Printed after `text` (not with --json), chunk by chunk as read: a list too long to hold in
   * memory (the 500,000 addresses of a staff import), read from where it was written.
   */
  tail?: () => AsyncIterable<string>;
}

/** Success: `json` exactly as the command's contract says. */
export function done(json: Record<string, unknown>, text: string[]): CommandResult {
  return { exitCode: 0, json, text };
}

/** The rules reject the input (exit 1): `{"ok":false,"error":{code,message}, ...extra}`. */
export function rejected(
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  text?: string[],
): CommandResult {
  return { exitCode: 1, json: { ok: false, error: { code, message }, ...extra }, text: text ?? [message] };
}

/** Bad usage (exit 2). Messages must never contain a secret the user typed. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** What a command may use besides its input. */
export interface CliContext {
  json: boolean;
  /** The validated configuration (src/config.ts): the CLI reads no environment variable itself. */
  config: Config;
  log: Logger;
  /** A profile by id (built-in, or loaded with --profile-file); throws UsageError if unknown. */
  profile(id: string | undefined): Profile;
  /** The working-day calendar, built once per process on first use. */
  calendar(): WorkingDayCalendar;
  /** The first line of standard input without its line ending; null when stdin is empty. */
  readStdinLine(): Promise<string | null>;
  /** Reads a UTF-8 text file; throws UsageError when it cannot. */
  readTextFile(path: string): Promise<string>;
  /** Writes a UTF-8 text file readable by its owner only (it may hold link codes); UsageError when it cannot. */
  writeTextFile(path: string, text: string): Promise<void>;
  /** Runs `fn` on the configured database, migrated first; closes it when `fn` settles. */
  withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T>;
  /** `withDatabase` with the services built on it (configured as the bot's: CULTURE_DAY_FROM…). */
  withServices<T>(fn: (services: Services, database: Database) => Promise<T>): Promise<T>;
}

export interface CommandSpec<T> {
  /** The words that select the command, e.g. ["address", "personal"]. */
  path: readonly string[];
  /** Synopsis after the program name, e.g. `workdays is YYYY-MM-DD [--json]`. */
  usage: string;
  summary: { vi: string; en: string };
  /** Longer explanation, optional. */
  details?: { vi: string; en: string };
  options: Readonly<Record<string, CliOption>>;
  positionals?: readonly CliPositional[];
  /** Validates `{ ...flags, positionals }`; a failure is bad usage (exit 2). */
  schema: z.ZodType<T>;
  examples?: readonly string[];
  /** Never echo argument values in error messages (password commands). */
  sensitive?: boolean;
  run(input: T, ctx: CliContext): Promise<CommandResult>;
}

/** A command with its input type erased, as the registry holds it. */
export interface CliCommand extends Omit<CommandSpec<unknown>, "schema" | "run"> {
  /** Validates raw parsed flags, then runs. */
  execute(raw: Record<string, unknown>, ctx: CliContext): Promise<CommandResult>;
}

export function defineCommand<T>(spec: CommandSpec<T>): CliCommand {
  const { schema, run, ...meta } = spec;
  return {
    ...meta,
    async execute(raw, ctx) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const lines = parsed.error.issues.map((issue) => {
          const key = issue.path[0];
          const where =
            key === "positionals"
              ? `<${spec.positionals?.[Number(issue.path[1] ?? 0)]?.name ?? "tham số"}>`
              : key !== undefined
                ? `--${String(key)}`
                : "";
          return where ? `${where}: ${issue.message}` : issue.message;
        });
        throw new UsageError(lines.join("\n"));
      }
      return run(parsed.data, ctx);
    },
  };
}
