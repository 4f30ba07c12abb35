/** What every service module shares: the database, the clock, the calendar, hashing settings. */
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import type { IsoDate } from "../calendar/types.ts";
import type { Database } from "../db/client.ts";
import { loadCalendar } from "./calendar-store.ts";
import type { HashOptions } from "./password-hash.ts";

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface ServicesOptions {
  /** Injected clock (tests); default `() => new Date()`. */
  clock?: () => Date;
  /** A fixed calendar (tests); default: built from holiday_overrides, cached, see calendar-store.ts. */
  calendar?: WorkingDayCalendar;
  logger?: Logger;
  /** argon2id cost; defaults to OWASP's m=19 MiB, t=2, p=1. Tests may lower it. */
  hash?: Partial<HashOptions>;
  /** Vietnamese Culture Day is a holiday from this day (config CULTURE_DAY_FROM); default never. */
  cultureDayFrom?: IsoDate | null;
  /**
   * Hot statements (the /trangthai status, the identity lookup) as named prepared statements
   * (default true); false for a pooler in transaction mode that cannot keep them: the same
   * statements sent unnamed (src/db/prepared.ts).
   */
  preparedStatements?: boolean;
  /** Link codes: wrong guesses allowed per window (default 5 per 15 minutes). */
  linkAttempts?: { max: number; windowMinutes: number };
}

export interface ServiceContext {
  database: Database;
  now(): Date;
  /** `fingerprint`: CALENDAR_FINGERPRINT as just read by the caller's own query (saves a query). */
  calendar(fingerprint?: string): Promise<WorkingDayCalendar>;
  logger: Logger | undefined;
  hash: Partial<HashOptions> | undefined;
  options: ServicesOptions;
}

export function createContext(database: Database, options: ServicesOptions = {}): ServiceContext {
  const clock = options.clock ?? (() => new Date());
  return {
    database,
    now: clock,
    calendar: options.calendar
      ? async () => options.calendar as WorkingDayCalendar
      : (fingerprint) => loadCalendar(database, fingerprint, options.cultureDayFrom ?? null),
    logger: options.logger,
    hash: options.hash,
    options,
  };
}
