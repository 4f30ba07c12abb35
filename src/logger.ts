/**
 * The process logger (pino). No secret may reach a log line, so three layers run on every record:
 * 1. pino `redact` on the known paths (fast, covers the usual shapes);
 * 2. a deep scrub in `formatters.log` (and the `err` serializer) that replaces the value of any
 *    key that names a secret (password, token, secret, hash, link code, message `text`/`caption`)
 *    and drops SQL parameters entirely (`params`, `parameters`: Drizzle, PGlite and postgres.js
 *    errors carry the statement's values, e.g. a new argon2 hash during /doimk);
 * 3. `scrubText` on every string that is kept, messages and stacks included: the "params: …"
 *    tail Drizzle puts in its error message is cut, and anything that looks like a PHC hash, a
 *    temporary password or a link code is replaced, wherever it sits.
 * Innocuous names are not secrets: `code` (err.code = ECONNREFUSED, an imported record's code)
 * stays visible; a link code in it is caught by its shape, not by the key.
 */
import pino, { type Logger, type LoggerOptions } from "pino";
import { isSecretKey, PARAMS_NOT_LOGGED, REDACTED, scrubText } from "./redact.ts";

export type { Logger };
export { REDACTED, isSecretKey, scrubText };

/** Keys holding a statement's values: dropped, not scrubbed. */
const PARAM_KEYS = /^(params|parameters|query_?params)$/i;

const MAX_DEPTH = 8;

function scrubEntry(key: string, value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (PARAM_KEYS.test(key)) return PARAMS_NOT_LOGGED;
  if (isSecretKey(key)) return REDACTED;
  return scrub(value, depth + 1, seen);
}

function scrubError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: scrubText(error.message),
    stack: error.stack === undefined ? undefined : scrubText(error.stack),
  };
  for (const [key, value] of Object.entries(error)) {
    if (key === "message" || key === "stack") continue;
    out[key] = scrubEntry(key, value, depth, seen);
  }
  if (error.cause !== undefined) out.cause = scrub(error.cause, depth + 1, seen);
  return out;
}

/** A copy of `value` with every secret replaced and SQL parameters dropped; pure, cycle-safe. */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return "[depth]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (value instanceof Date) return value;
  if (value instanceof Error) return scrubError(value, depth, seen);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = scrubEntry(key, inner, depth, seen);
  return out;
}

export const REDACT_PATHS = [
  "password",
  "newPassword",
  "temporaryPassword",
  "*.password",
  "*.newPassword",
  "*.temporaryPassword",
  "*.*.password",
  "update.message.text",
  "update.edited_message.text",
  "payload.text",
  "err.payload.text",
];

export interface CreateLoggerOptions {
  level?: LoggerOptions["level"];
  /** Where to write (default stdout); tests pass a stream to inspect the output. */
  destination?: pino.DestinationStream;
  name?: string;
}

/** pino options every mailbot logger uses (the bot's and the CLI's): redaction and scrubbing. */
export function scrubbingOptions(): Pick<LoggerOptions, "redact" | "formatters" | "serializers" | "hooks"> {
  return {
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      // Runs before serializers, on the raw object: scrub everything, errors included.
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    serializers: { err: (error: unknown) => scrub(error) },
    hooks: {
      // The message string and its printf arguments are scrubbed too.
      logMethod(args, method) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === "string" ? scrubText(arg) : arg)) as Parameters<typeof method>,
        );
      },
    },
  };
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? "info",
    name: options.name ?? "mailbot",
    ...scrubbingOptions(),
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
