/**
 * "The database cannot be reached right now" (as opposed to "this statement is wrong"): the
 * server is down or restarting, the connection was cut, or no connection could be opened in
 * time. Such a failure says nothing about the update or record being handled, so callers must
 * not consume it: the webhook answers non-2xx (Telegram re-sends), polling does not move its
 * offset past it, the activity endpoint answers 503 (the mail server retries).
 */

/** Node and postgres.js connection error codes. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs of an unavailable server: class 08 (connection exception), 57P01–57P03 (admin or
 * crash shutdown, cannot connect now), 53300 (too many connections).
 */
function unavailableSqlState(code: string): boolean {
  return (
    code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03" || code === "53300"
  );
}

export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  // Drizzle wraps driver errors in `cause`; grammY's BotError in `error`.
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    // A Telegram network failure (grammY's HttpError) is not the database's.
    if ((current as { name?: unknown }).name === "HttpError") return false;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || unavailableSqlState(code))) return true;
    if (current instanceof DatabaseUnavailableError) return true;
    const next = current as { cause?: unknown; error?: unknown };
    current = next.cause ?? next.error;
  }
  return false;
}

/** Thrown on purpose when work must be retried later because the database is unavailable. */
export class DatabaseUnavailableError extends Error {
  override readonly name = "DatabaseUnavailableError";
}
