/**
 * Opening the database: PGlite (embedded, a folder on disk) by default, postgres.js when a URL is
 * given. Both give the same Drizzle type (`Db`), so services never know which one they run on.
 */
import type { PGlite } from "@electric-sql/pglite";
import { sql, type SQLWrapper } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import { drizzle as drizzlePglite, type PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type postgres from "postgres";
import { bootPglite, DEFAULT_PGLITE_DIR, type BootedPglite } from "./pglite-boot.ts";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
/** The Drizzle database both drivers share; services take this. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** What `db.transaction(async (tx) => …)` hands to its callback. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Either a database or a transaction: helpers that must work inside and outside one take this. */
export type DbOrTx = Db | Tx;
export type Row = Record<string, unknown>;

export { DEFAULT_PGLITE_DIR };

export interface OpenDatabaseOptions {
  /** postgres:// URL of a server. Without it, PGlite is used. */
  url?: string;
  /** PGlite data folder (default `./data/pglite`), locked against a second process. */
  dataDir?: string;
  /** PGlite only: keep everything in memory (tests, `--dry-run`); no folder, no lock. */
  inMemory?: boolean;
  /** PGlite only: start from a `dumpDataDir()` tarball (the test snapshot). Implies in-memory. */
  loadDataDir?: Blob | File;
  /** postgres.js only: pool size (default 10). Keep ≥ 2 if you hold a connection yourself. */
  maxConnections?: number;
  /** PGlite only: a boot already under way (`bootPglite`, begun early by `npm start`). */
  booting?: Promise<BootedPglite>;
}

interface DatabaseBase {
  readonly db: Db;
  /** Runs one statement and returns its rows, whatever the driver. */
  execute<T extends Row = Row>(query: SQLWrapper | string): Promise<T[]>;
  close(): Promise<void>;
}
export interface PgliteHandle extends DatabaseBase {
  readonly driver: "pglite";
  readonly client: PGlite;
  /** Absolute data folder, or undefined in memory. */
  readonly dataDir: string | undefined;
  /** The driver-specific Drizzle instance, for the migrator. */
  readonly driverDb: PgliteDatabase<Schema>;
}
export interface PostgresHandle extends DatabaseBase {
  readonly driver: "postgres";
  readonly client: postgres.Sql;
  readonly url: string;
  readonly driverDb: PostgresJsDatabase<Schema>;
}
export type Database = PgliteHandle | PostgresHandle;
export type Driver = Database["driver"];

/**
 * `db.execute()` resolves to `{ rows }` on PGlite and to an array on postgres.js: this is the
 * one place that knows. Works on a transaction too.
 */
export async function executeRows<T extends Row = Row>(db: DbOrTx, query: SQLWrapper | string): Promise<T[]> {
  const result: unknown = await db.execute(typeof query === "string" ? sql.raw(query) : query);
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === "object" && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as T[];
  }
  throw new Error("Unexpected result shape from db.execute()");
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPglite(options: OpenDatabaseOptions): Promise<PgliteHandle> {
  const { client, dataDir, lock } = await (options.booting ?? bootPglite(options));
  const driverDb = drizzlePglite({ client, schema });
  const db: Db = driverDb;
  let closed = false;
  return {
    driver: "pglite",
    db,
    driverDb,
    client,
    dataDir,
    execute: (query) => executeRows(db, query),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<PostgresHandle> {
  // Loaded only here: the embedded database (the default) starts without postgres.js.
  const [{ default: postgres }, { drizzle: drizzlePostgres }] = await Promise.all([
    import("postgres"),
    import("drizzle-orm/postgres-js"),
  ]);
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    // Server NOTICEs ("schema already exists, skipping"…) are not errors; keep logs quiet.
    onnotice: () => {},
    // postgres.js 3.4.9 runs its array-type catalog query as the first statement of every new
    // connection and drops that promise: a connection cut at that moment (a database outage, a
    // failover) rejects it unhandled and Node ends the process (porsager/postgres#1192, #1223).
    // Our statements pass arrays as one text parameter (`'{…}'::text[]`) and read none back.
    fetch_types: false,
  });
  // Fail at start-up, not at the first chat message, when the server is unreachable.
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 });
    throw new Error(
      `Không kết nối được PostgreSQL (${redactUrl(url)}): ${(error as Error).message}. Kiểm tra DATABASE_URL và máy chủ.\n` +
        `Cannot connect to PostgreSQL (${redactUrl(url)}). Check DATABASE_URL and the server.`,
      { cause: error },
    );
  }
  const driverDb = drizzlePostgres({ client, schema });
  const db: Db = driverDb;
  let closed = false;
  return {
    driver: "postgres",
    db,
    driverDb,
    client,
    url,
    execute: (query) => executeRows(db, query),
    async close() {
      if (closed) return;
      closed = true;
      await client.end({ timeout: 5 });
    },
  };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid url>";
  }
}
