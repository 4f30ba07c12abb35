/**
 * A hot statement written once and run many times with different values (`sql.placeholder`).
 *
 * Why not `db.execute`: Drizzle sends every statement to postgres.js unprepared, and postgres.js
 * sends an unprepared statement that has parameters in two round trips (Parse + Describe, wait
 * for the parameter types, then Bind + Execute), the server parsing and planning it each time.
 * Here the text is built once and run as a named prepared statement: one round trip after its
 * first use on each pooled connection, planned by the server once. PGlite (in-process, no round
 * trips) gets the same text with the values as parameters, which saves Drizzle's per-call build.
 * `prepare: false` (DATABASE_PREPARED_STATEMENTS=off, a pooler in transaction mode that cannot
 * keep named statements) sends the same text unnamed: the same answer, one more round trip.
 */
import { fillPlaceholders, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Database, Row } from "./client.ts";

export type PreparedStatement<T extends Row> = (values: Record<string, unknown>) => Promise<T[]>;

const dialect = new PgDialect();

export function prepareStatement<T extends Row = Row>(
  database: Database,
  query: SQL,
  { prepare = true }: { prepare?: boolean } = {},
): PreparedStatement<T> {
  const built = dialect.sqlToQuery(query);
  if (database.driver === "postgres") {
    const client = database.client;
    return async (values) =>
      (await client.unsafe(built.sql, fillPlaceholders(built.params, values) as never[], {
        prepare,
      })) as unknown as T[];
  }
  const client = database.client;
  return async (values) => (await client.query<T>(built.sql, fillPlaceholders(built.params, values))).rows;
}
