/**
 * Set-based writes for imports: one statement per page of rows, each column passed as ONE array
 * parameter and unpacked by `unnest` (9 parameters for 5,000 staff rows instead of 45,000). The
 * arrays travel as Postgres array literals in text parameters, which both drivers send as they
 * are (postgres.js would otherwise need per-type array serialisers).
 *
 * Table, column and type names come from code, never from input; values only travel in the
 * parameters, so nothing a CSV contains is ever spliced into SQL.
 */
import { sql, type SQL } from "drizzle-orm";
import { executeRows, type DbOrTx, type Row } from "../../db/client.ts";

/** [column, Postgres element type ("text", "int", "date", an enum…)]. */
export type UnnestColumn = readonly [name: string, type: string];

const IDENT = /^[a-z_][a-z0-9_]*$/;

function checkIdents(names: readonly string[]): void {
  for (const name of names) if (!IDENT.test(name)) throw new Error(`unnest: bad identifier ${name}`);
}

const NEEDS_ESCAPE = /["\\]/;

/** The last Date formatted: a page's rows share one clock reading (created_at, updated_at). */
let lastDate: Date | null = null;
let lastTime = NaN;
let lastDateText = "";

function element(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("unnest: non-finite number");
    return String(value);
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  if (value instanceof Date) {
    // Compared by time too: a Date can be changed in place (setTime) after it was formatted.
    if (value !== lastDate || value.getTime() !== lastTime) {
      lastDate = value;
      lastTime = value.getTime();
      lastDateText = value.toISOString();
    }
    return `"${lastDateText}"`;
  }
  const s = String(value);
  // Most values need no escaping; skip the regex for them (this runs once per field).
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(/["\\]/g, "\\$&")}"` : `"${s}"`;
}

/** A Postgres array literal: ["a", null, 'b"c'] → {"a",NULL,"b\"c"}. */
export function pgArrayLiteral(values: readonly unknown[]): string {
  return `{${values.map(element).join(",")}}`;
}

/**
 * `unnest($1::t1[], $2::t2[], …) as x(c1, c2, …)` over the given rows; with `ordinality`, also
 * each row's position (1, 2, …) as the last column, `ord`.
 */
export function unnestFrom(
  columns: readonly UnnestColumn[],
  rows: readonly (readonly unknown[])[],
  { alias = "x", ordinality = false }: { alias?: string; ordinality?: boolean } = {},
): SQL {
  checkIdents([alias, ...columns.flatMap(([name, type]) => [name, type])]);
  const args = columns.map(
    ([, type], i) => sql`${pgArrayLiteral(rows.map((r) => r[i]))}::${sql.raw(type)}[]`,
  );
  const names = columns.map(([n]) => `"${n}"`);
  if (ordinality) names.push("ord");
  return sql`unnest(${sql.join(args, sql`, `)})${sql.raw(ordinality ? " with ordinality" : "")} as ${sql.raw(alias)}(${sql.raw(names.join(", "))})`;
}

/** `insert into table (…) select * from unnest(…)`: one statement, not run. */
export function unnestInsertSql(
  table: string,
  columns: readonly UnnestColumn[],
  rows: readonly (readonly unknown[])[],
  returning: readonly string[] = [],
): SQL {
  checkIdents([table, ...returning]);
  const names = sql.raw(columns.map(([n]) => `"${n}"`).join(", "));
  const ret = returning.length ? sql.raw(` returning ${returning.map((r) => `"${r}"`).join(", ")}`) : sql``;
  return sql`insert into ${sql.raw(`"${table}"`)} (${names}) select * from ${unnestFrom(columns, rows)}${ret}`;
}

/**
 * `update table set col = x.col … from unnest(…) where table.id = x.id` for rows whose first
 * column is the id: one statement, not run.
 */
export function unnestUpdateSql(
  table: string,
  columns: readonly UnnestColumn[],
  rows: readonly (readonly unknown[])[],
): SQL {
  checkIdents([table]);
  const [idCol, ...rest] = columns;
  if (!idCol || rest.length === 0) throw new Error("unnest: update needs an id and a column");
  const set = sql.raw(rest.map(([n]) => `"${n}" = x."${n}"`).join(", "));
  const id = sql.raw(`"${idCol[0]}"`);
  return sql`update ${sql.raw(`"${table}"`)} as t set ${set} from ${unnestFrom(columns, rows)} where t.${id} = x.${id}`;
}

/** INSERT of rows (arrays in column order), chunked; returns the RETURNING rows. */
export async function unnestInsert<T extends Row = Row>(
  db: DbOrTx,
  table: string,
  columns: readonly UnnestColumn[],
  rows: readonly (readonly unknown[])[],
  returning: readonly string[] = [],
  chunkSize = 10_000,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += chunkSize) {
    const chunk = rows.slice(i, i + chunkSize);
    const result = await executeRows<T>(db, unnestInsertSql(table, columns, chunk, returning));
    for (const row of result) out.push(row);
  }
  return out;
}
