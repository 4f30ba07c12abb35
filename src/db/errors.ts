/**
 * PostgreSQL errors look different per driver (PGlite: `code` + `constraint`; postgres.js:
 * `code` + `constraint_name`) and Drizzle wraps them in `DrizzleQueryError` with a `cause`.
 * Services ask here instead of poking at driver objects.
 */

export const PG_UNIQUE_VIOLATION = "23505";
export const PG_FOREIGN_KEY_VIOLATION = "23503";
export const PG_CHECK_VIOLATION = "23514";
/** Raised by the audit_log append-only triggers. */
export const PG_INSUFFICIENT_PRIVILEGE = "42501";

/** Unique indexes that mean "this address is already taken" (by a mailbox or a reservation). */
export const ADDRESS_TAKEN_CONSTRAINTS: readonly string[] = [
  "address_claims_address_lower_uq",
  "mailboxes_address_lower_uq",
  "address_reservations_address_lower_uq",
];

export interface PgErrorInfo {
  code: string;
  constraint: string | undefined;
  message: string;
}

/** The PostgreSQL error inside `error` (following `cause`), or undefined if there is none. */
export function pgErrorInfo(error: unknown): PgErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const candidate = current as {
      code?: unknown;
      constraint?: unknown;
      constraint_name?: unknown;
      message?: unknown;
    };
    // SQLSTATEs are 5 characters with at least one digit; Node's "EPERM" etc. are not.
    if (
      typeof candidate.code === "string" &&
      /^[0-9A-Z]{5}$/.test(candidate.code) &&
      /\d/.test(candidate.code)
    ) {
      const constraint = candidate.constraint ?? candidate.constraint_name;
      return {
        code: candidate.code,
        constraint: typeof constraint === "string" ? constraint : undefined,
        message: typeof candidate.message === "string" ? candidate.message : "",
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const info = pgErrorInfo(error);
  return info?.code === PG_UNIQUE_VIOLATION && (constraint === undefined || info.constraint === constraint);
}

export function isAddressTaken(error: unknown): boolean {
  const info = pgErrorInfo(error);
  return (
    info?.code === PG_UNIQUE_VIOLATION &&
    info.constraint !== undefined &&
    ADDRESS_TAKEN_CONSTRAINTS.includes(info.constraint)
  );
}
