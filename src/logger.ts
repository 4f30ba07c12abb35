/**
 * The process logger (pino). Passwords must never reach a log line, so there are two layers:
 * 1. pino `redact` on the known paths (fast, covers the usual shapes);
 * 2. a deep scrub in `formatters.log` that replaces any value under a key that looks secret
 *    (password, token, secret, hash, link code) and any message text (`text`, `caption`): grammY
 *    errors carry the request `payload`, which for a sendMessage may hold a temporary password,
 *    and an update's text may be a password typed in a /doimk flow. Logs identify messages by
 *    chat, user and update id, never by content.
 */
import pino, { type Logger, type LoggerOptions } from "pino";

export type { Logger };

export const REDACTED = "[redacted]";

/** Keys whose values are never logged, at any depth. */
const SECRET_KEY = /pass(word)?|secret|token|hash|^code$|^link_?code$|^text$|^caption$|authorization|cookie/i;

const MAX_DEPTH = 8;

function scrubError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : scrub(value, depth + 1);
  }
  if (error.cause !== undefined) out.cause = scrub(error.cause, depth + 1);
  return out;
}

/** A copy of `value` with every secret-looking field replaced; pure, never throws on cycles. */
export function scrub(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth > MAX_DEPTH) return "[depth]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (value instanceof Date) return value;
  if (value instanceof Error) return scrubError(value, depth);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : scrub(inner, depth + 1, seen);
  }
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

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? "info",
    name: options.name ?? "mailbot",
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      // Runs before serializers, on the raw object: scrub everything, errors included.
      log: (object) => scrub(object) as Record<string, unknown>,
    },
    serializers: { err: (error: unknown) => scrub(error) },
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
