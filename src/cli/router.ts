/**
 * The CLI router: finds the command, parses flags (node:util parseArgs, strict), handles the
 * global flags (--json, --help, --profile-file), builds the context, prints the result and
 * returns the exit code. Commands live in src/cli/<group>.ts; see src/cli/types.ts.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { pino, type Logger } from "pino";
import { createCalendar, type WorkingDayCalendar } from "../calendar/index.ts";
import { databaseTargetOf, type Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Profile } from "../policy/profile.ts";
import { findProfile, parseProfileJson, profileIds, registerProfile } from "../policy/profiles/index.ts";
import { isServiceError } from "../services/errors.ts";
import { scrubbingOptions } from "../logger.ts";
import {
  type CliCommand,
  type CliContext,
  type CliOption,
  type CommandResult,
  rejected,
  UsageError,
} from "./types.ts";

export const PROGRAM = "mailbot";

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const GLOBAL_OPTIONS: Readonly<Record<string, CliOption>> = {
  json: {
    type: "boolean",
    vi: "In đúng một đối tượng JSON ra stdout",
    en: "Print exactly one JSON object on stdout",
  },
  help: { type: "boolean", short: "h", vi: "Hướng dẫn sử dụng", en: "Show help" },
  "profile-file": {
    type: "string",
    value: "FILE",
    vi: "Nạp hồ sơ quy chế của đơn vị từ tệp JSON (dùng mã của nó với --profile)",
    en: "Load an operator profile from a JSON file (use its id with --profile)",
  },
};

/** Exit codes of the contract. */
export const EXIT = { done: 0, rejected: 1, usage: 2, internal: 3 } as const;

function toParseArgsOptions(
  options: Readonly<Record<string, CliOption>>,
): NonNullable<ParseArgsConfig["options"]> {
  const out: NonNullable<ParseArgsConfig["options"]> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = {
      type: o.type,
      ...(o.multiple ? { multiple: true } : {}),
      ...(o.short ? { short: o.short } : {}),
    };
  }
  return out;
}

/** parseArgs errors rewritten in both languages, naming the flag but never echoing a value. */
function usageFromParseError(error: unknown, sensitive: boolean): UsageError {
  const e = error as { code?: string; message?: string };
  const flag = /'(-{1,2}[^' =]+)/.exec(e.message ?? "")?.[1];
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`Tùy chọn không có: ${flag ?? "?"} (unknown option). Xem --help.`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new UsageError(
        `Tùy chọn ${flag ?? "?"} thiếu giá trị hoặc không nhận giá trị (missing or unexpected value). Giá trị bắt đầu bằng "-" viết dạng ${flag ?? "--opt"}=-…`,
      );
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const value = /argument '([^']*)'/.exec(e.message ?? "")?.[1];
      return new UsageError(
        sensitive || value === undefined
          ? "Thừa tham số (unexpected argument). Xem --help."
          : `Thừa tham số "${value}" (unexpected argument). Xem --help.`,
      );
    }
    default:
      return new UsageError("Tham số không hợp lệ (invalid arguments). Xem --help.");
  }
}

function optionLines(options: Readonly<Record<string, CliOption>>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}${o.multiple ? " …" : ""}`;
    return [flag, o.vi, o.en] as const;
  });
  const width = rows.reduce((w, [f]) => Math.max(w, f.length), 10) + 2;
  return rows.flatMap(([flag, vi, en]) => [`  ${flag.padEnd(width)}${vi}`, `  ${" ".repeat(width)}${en}`]);
}

export function commandHelp(cmd: CliCommand): string {
  const lines = [
    `Cách dùng / Usage: ${PROGRAM} ${cmd.usage}`,
    "",
    `  ${cmd.summary.vi}`,
    `  ${cmd.summary.en}`,
  ];
  if (cmd.details) lines.push("", `  ${cmd.details.vi}`, `  ${cmd.details.en}`);
  if (cmd.positionals?.length) {
    lines.push("", "Tham số / Arguments:");
    for (const p of cmd.positionals)
      lines.push(`  ${p.name.padEnd(14)}${p.vi}`, `  ${" ".repeat(14)}${p.en}`);
  }
  lines.push("", "Tùy chọn / Options:", ...optionLines({ ...cmd.options, ...GLOBAL_OPTIONS }));
  if (cmd.examples?.length) {
    lines.push("", "Ví dụ / Examples:", ...cmd.examples.map((e) => `  npm run cli -- ${e}`));
  }
  return lines.join("\n");
}

export function listHelp(commands: readonly CliCommand[], group?: string): string {
  const shown = group ? commands.filter((c) => c.path[0] === group) : commands;
  const width = shown.reduce((w, c) => Math.max(w, c.path.join(" ").length), 0) + 2;
  const lines = [
    group
      ? `Cách dùng / Usage: ${PROGRAM} ${group} <lệnh/command> [tùy chọn/options]`
      : `Cách dùng / Usage: ${PROGRAM} <lệnh/command> [tùy chọn/options]   (npm run cli -- …)`,
    "",
    "Lệnh / Commands:",
    ...shown.flatMap((c) => [
      `  ${c.path.join(" ").padEnd(width)}${c.summary.vi}`,
      `  ${" ".repeat(width)}${c.summary.en}`,
    ]),
    "",
    "Tùy chọn chung / Global options:",
    ...optionLines(GLOBAL_OPTIONS),
    "",
    `Mã thoát / Exit codes: 0 xong/done · 1 quy định từ chối/rejected by the rules · 2 sai cách dùng/bad usage · 3 lỗi nội bộ/internal error`,
    `Xem thêm / More: ${PROGRAM} <lệnh/command> --help`,
  ];
  return lines.join("\n");
}

/** The command words at the start of argv, skipping global flags (and --profile-file's value). */
function leadingWords(argv: readonly string[]): { words: string[]; indices: number[] } {
  const words: string[] = [];
  const indices: number[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === "--json" || arg === "--help" || arg === "-h" || arg.startsWith("--profile-file=")) continue;
    if (arg === "--profile-file") {
      i += 1;
      continue;
    }
    if (arg.startsWith("-")) break;
    words.push(arg);
    indices.push(i);
  }
  return { words, indices };
}

function findCommand(commands: readonly CliCommand[], words: readonly string[]): CliCommand | undefined {
  let best: CliCommand | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((w, i) => words[i] === w)) {
      if (!best || c.path.length > best.path.length) best = c;
    }
  }
  return best;
}

async function readFirstLine(stream: CliIo["stdin"]): Promise<string | null> {
  (stream as NodeJS.ReadableStream).setEncoding?.("utf8");
  let buffer = "";
  for await (const chunk of stream) {
    buffer += String(chunk);
    const newline = buffer.indexOf("\n");
    // Stop at the first line: the rest of stdin is never read, let alone kept.
    if (newline >= 0) return buffer.slice(0, newline).replace(/\r$/, "");
  }
  return buffer.length > 0 ? buffer.replace(/\r$/, "") : null;
}

function createLogger(config: Config): Logger {
  return pino(
    { level: config.logLevelSet ?? "warn", base: undefined, ...scrubbingOptions() },
    pino.destination({ dest: 2, sync: true }),
  );
}

interface Output {
  json: boolean;
  io: CliIo;
}

function emit(out: Output, json: Record<string, unknown>, text: string | string[], toStderr = false): void {
  if (out.json) {
    out.io.stdout(`${JSON.stringify(json)}\n`);
    return;
  }
  const body = Array.isArray(text) ? text.join("\n") : text;
  if (toStderr) out.io.stderr(`${body}\n`);
  else out.io.stdout(`${body}\n`);
}

function emitUsage(out: Output, error: UsageError, hint?: string): number {
  const message = error.message;
  emit(
    out,
    { ok: false, error: { code: "usage", message }, ...error.details },
    [`Lỗi / Error: ${message}`, ...(hint ? [hint] : [])],
    true,
  );
  return EXIT.usage;
}

/**
 * Opens the configured database and applies pending migrations. Imported on demand: commands that
 * need no database (and `--help`) never load drizzle or PGlite.
 */
async function openMigrated(config: Config): Promise<Database> {
  const [{ openDatabase }, { migrateDatabase }] = await Promise.all([
    import("../db/client.ts"),
    import("../db/migrate.ts"),
  ]);
  const database = await openDatabase(databaseTargetOf(config));
  try {
    await migrateDatabase(database, { migrationUrl: config.migrationDatabaseUrl });
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * The embedded database is one process's at a time: while the bot runs, a command cannot open
 * it. One sentence saying what to do instead of a stack trace (src/db/lock-file.ts throws a
 * DataDirLockedError; matched by name so the router does not load the database layer).
 */
function dataDirInUse(error: unknown): string | null {
  if (!(error instanceof Error) || error.name !== "DataDirLockedError") return null;
  const { lockPath, holder } = error as Error & { lockPath?: string; holder?: { pid: number } };
  const folder = lockPath?.replace(/\.lock$/, "") ?? "PGlite";
  return (
    `Cơ sở dữ liệu nhúng (${folder}) đang được bot${holder ? ` (pid ${holder.pid})` : ""} sử dụng nên lệnh này không mở được: ` +
    "hãy dừng bot rồi chạy lại lệnh, hoặc đặt DATABASE_URL trỏ tới máy chủ PostgreSQL cho cả bot và lệnh " +
    "(nên dùng PostgreSQL khi nhiều người cùng vận hành)."
  );
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code. `config` is the
 * validated configuration (src/cli.ts parses the environment; tests pass their own).
 */
export async function runCli(
  argv: readonly string[],
  commands: readonly CliCommand[],
  io: CliIo,
  config: Config,
): Promise<number> {
  const out: Output = { json: argv.includes("--json"), io };
  const log = createLogger(config);
  const help = argv.includes("--help") || argv.includes("-h");
  const { words, indices } = leadingWords(argv);
  const command = findCommand(commands, words);

  if (!command) {
    const group = words[0];
    const isGroup = group !== undefined && commands.some((c) => c.path[0] === group);
    if (help && (words.length === 0 || (isGroup && words.length === 1))) {
      const text = listHelp(commands, isGroup ? group : undefined);
      emit(out, { help: text }, text);
      return EXIT.done;
    }
    const message =
      words.length === 0
        ? "Thiếu lệnh (missing command)."
        : isGroup && words.length === 1
          ? `Thiếu lệnh con của "${group}" (missing subcommand): ${commands
              .filter((c) => c.path[0] === group)
              .map((c) => c.path.slice(1).join(" "))
              .join(", ")}.`
          : isGroup
            ? `Lệnh "${words.join(" ")}" không có (unknown subcommand).`
            : `Lệnh "${group}" không có (unknown command).`;
    return emitUsage(
      out,
      new UsageError(message),
      `Xem / See: ${PROGRAM} ${isGroup ? `${group} ` : ""}--help`,
    );
  }

  if (help) {
    const text = commandHelp(command);
    emit(out, { help: text }, text);
    return EXIT.done;
  }

  const rest = argv.filter((_, i) => !indices.slice(0, command.path.length).includes(i));
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: toParseArgsOptions({ ...command.options, ...GLOBAL_OPTIONS }),
      strict: true,
      allowPositionals: true,
    });
    values = parsed.values as Record<string, unknown>;
    positionals = parsed.positionals;
  } catch (error) {
    return emitUsage(
      out,
      usageFromParseError(error, command.sensitive ?? false),
      `Xem / See: ${PROGRAM} ${command.path.join(" ")} --help`,
    );
  }

  let calendar: WorkingDayCalendar | undefined;
  let fileProfile: Profile | undefined;
  const ctx: CliContext = {
    json: out.json,
    config,
    log,
    profile(id) {
      if (id === undefined) {
        if (fileProfile) return fileProfile;
        throw new UsageError(
          "Thiếu --profile P (missing --profile). Các hồ sơ / profiles: " + profileIds().join(", ") + ".",
        );
      }
      const found = findProfile(id);
      if (!found) {
        throw new UsageError(
          `Không có hồ sơ "${id}" (unknown profile). Các hồ sơ / profiles: ${profileIds().join(", ")}.`,
        );
      }
      return found;
    },
    calendar() {
      calendar ??= createCalendar();
      return calendar;
    },
    async readStdinLine() {
      if (io.stdin.isTTY) io.stderr("Nhập mật khẩu rồi nhấn Enter / Type the password, then Enter: ");
      return readFirstLine(io.stdin);
    },
    async readTextFile(path) {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "lỗi";
        throw new UsageError(`Không đọc được tệp "${path}" (${code}) / cannot read the file.`);
      }
    },
    async writeTextFile(path, text) {
      try {
        await writeFile(path, text, { encoding: "utf8", mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "lỗi";
        throw new UsageError(`Không ghi được tệp "${path}" (${code}) / cannot write the file.`);
      }
    },
    async withDatabase(fn) {
      const database = await openMigrated(config);
      try {
        return await fn(database);
      } finally {
        await database.close();
      }
    },
    async withServices(fn) {
      const { createServices } = await import("../services/index.ts");
      return ctx.withDatabase((database) =>
        fn(
          createServices(database, {
            logger: log,
            cultureDayFrom: config.cultureDayFrom,
            preparedStatements: config.preparedStatements,
          }),
          database,
        ),
      );
    },
  };

  try {
    const profileFile = values["profile-file"];
    if (typeof profileFile === "string") {
      const parsed = parseProfileJson(await ctx.readTextFile(profileFile));
      if (!parsed.ok) {
        throw new UsageError(
          `Tệp hồ sơ "${profileFile}" không hợp lệ (invalid profile file): ${parsed.error.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          { issues: parsed.error },
        );
      }
      registerProfile(parsed.value);
      fileProfile = parsed.value;
    }
    const raw: Record<string, unknown> = { ...values, positionals };
    delete raw.json;
    delete raw.help;
    delete raw["profile-file"];
    log.debug({ command: command.path.join(" ") }, "cli command");
    const result: CommandResult = await command.execute(raw, ctx);
    emit(out, result.json, result.text);
    if (result.tail && !out.json) for await (const chunk of result.tail()) out.io.stdout(chunk);
    return result.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      return emitUsage(out, error, `Xem / See: ${PROGRAM} ${command.path.join(" ")} --help`);
    }
    if (isServiceError(error)) {
      // The services saying no (not found, illegal transition, …): the rules reject the input.
      const result = rejected(error.code, error.message, error.details ? { details: error.details } : {});
      emit(out, result.json, result.text);
      return result.exitCode;
    }
    const inUse = dataDirInUse(error);
    if (inUse) {
      const result = rejected("database_in_use", inUse);
      emit(out, result.json, result.text);
      return result.exitCode;
    }
    log.error({ err: error, command: command.path.join(" ") }, "cli internal error");
    emit(
      out,
      {
        ok: false,
        error: { code: "internal", message: "Lỗi nội bộ của mailbot (internal error); chi tiết ở stderr." },
      },
      "Lỗi nội bộ của mailbot (internal error); chi tiết ở stderr.",
      true,
    );
    return EXIT.internal;
  }
}
