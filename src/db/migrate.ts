/**
 * Applies the committed migrations in `migrations/` (resolved from this file, not from the
 * working directory, so the CLI and tests work from anywhere).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { openDatabase, type Database } from "./client.ts";

/**
 * The repository's `migrations/`: two levels up from src/db/migrate.ts (tsx), three from
 * dist/src/db/migrate.js (the compiled build), which has no copy of its own.
 */
export const MIGRATIONS_FOLDER = ["../../migrations", "../../../migrations"]
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((folder) => existsSync(`${folder}/meta/_journal.json`)) as string;

/** Key of the session-level advisory lock that serialises migrations across instances. */
const MIGRATION_LOCK_KEY = 727_001_042;

export interface MigrateOptions {
  /**
   * MIGRATION_DATABASE_URL: the owner role (mailbot_owner) that may create and alter tables.
   * When set on PostgreSQL, migrations run through a short-lived connection as that role and
   * `database` (the runtime role, mailbot_app) is never asked to change the schema.
   */
  migrationUrl?: string | undefined;
}

/** The `when` of the newest migration in the journal (what drizzle stores as created_at). */
function newestMigrationMillis(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
    entries: { when: number }[];
  };
  return journal.entries.reduce((newest, entry) => (entry.when > newest ? entry.when : newest), 0);
}

/**
 * True when the database already has the journal's newest migration: one read, no DDL and no
 * lock, so a restart of an up-to-date database costs one query (drizzle's migrate() would create
 * its schema and table "if not exists" and open a transaction every time).
 */
async function isUpToDate(database: Database): Promise<boolean> {
  try {
    const [row] = await database.execute<{ newest: string | null }>(
      "select max(created_at)::text as newest from drizzle.__drizzle_migrations",
    );
    return row?.newest != null && Number(row.newest) >= newestMigrationMillis();
  } catch {
    return false; // no migrations table yet: a new database
  }
}

export async function migrateDatabase(database: Database, options: MigrateOptions = {}): Promise<void> {
  if (await isUpToDate(database)) return;
  if (options.migrationUrl && database.driver === "postgres") {
    const owner = await openDatabase({ url: options.migrationUrl, maxConnections: 2 });
    try {
      await migrateDatabase(owner);
    } finally {
      await owner.close();
    }
    return;
  }
  if (database.driver === "pglite") {
    // One process owns a PGlite folder (lock file), so nobody can race us here.
    await migratePglite(database.driverDb, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  // drizzle's migrate() takes no lock: two instances starting together would both apply the
  // same migration. Hold a session advisory lock on a dedicated connection (not the pool, which
  // migrate() uses) for the whole run; it is released on unlock or when the connection drops.
  const [{ default: postgres }, { migrate: migratePostgres }] = await Promise.all([
    import("postgres"),
    import("drizzle-orm/postgres-js/migrator"),
  ]);
  const lockClient = postgres(database.url, { max: 1, onnotice: () => {} });
  try {
    await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(database.driverDb, { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await lockClient.end({ timeout: 5 });
  }
}
