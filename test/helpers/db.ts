/**
 * Dual-driver test databases. Every database test runs on PGlite, and also on a real PostgreSQL
 * server when TEST_DATABASE_URL is set (CI sets REQUIRE_POSTGRES=true, and then a missing or
 * unreachable server fails the run instead of skipping half of it).
 *
 * Isolation: each `openTestDatabase()` is a migrated database with no rows and fresh sequences
 * (PGlite: restored from a migrated snapshot, or one a previous test closed with its schema
 * unchanged, emptied; PostgreSQL: CREATE DATABASE mailbot_test_<run>_<random> from the run's
 * migrated template (test/global-setup.ts), dropped on close).
 * `describeEachDb` opens one per describe block (per driver). Tests inside a block share it, so
 * write them to not depend on each other (distinct addresses, ids from RETURNING), or pass
 * `{ resetEach: true }` to wipe every table before each test with `resetDatabase`.
 *
 * Why not a plain DELETE: audit_log refuses changes by design (trigger). `resetDatabase` wipes it
 * anyway with `session_replication_role = replica`, which skips ordinary triggers for the
 * transaction; it needs superuser rights, which the test server and PGlite give, and the
 * application never has. Production code never resets anything.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, inject } from "vitest";
import { openDatabase, type Database, type Driver } from "../../src/db/client.ts";
import { MIGRATIONS_FOLDER, migrateDatabase } from "../../src/db/migrate.ts";

export type { Database, Driver };

/** Drivers to run: always "pglite"; "postgres" when TEST_DATABASE_URL is set. */
export function testDatabases(env: NodeJS.ProcessEnv = process.env): Driver[] {
  const url = env.TEST_DATABASE_URL?.trim();
  if (!url && env.REQUIRE_POSTGRES === "true") {
    throw new Error(
      "REQUIRE_POSTGRES=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run here, not be skipped. " +
        "Set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres.",
    );
  }
  return url ? ["pglite", "postgres"] : ["pglite"];
}

// --- PGlite: one migrated snapshot, shared by every test file --------------------------------

let pgliteSnapshot: Promise<Blob> | undefined;

/**
 * vitest runs test files in separate processes, so an in-memory snapshot alone would still
 * migrate once per file. The tarball is also cached on disk, keyed by the migrations' content.
 */
function snapshotCachePath(): string {
  const hash = createHash("sha256");
  const pgliteVersion = JSON.parse(
    readFileSync(new URL("../../node_modules/@electric-sql/pglite/package.json", import.meta.url), "utf8"),
  ) as { version: string };
  hash.update(pgliteVersion.version);
  for (const name of readdirSync(MIGRATIONS_FOLDER).sort()) {
    if (name.endsWith(".sql")) hash.update(name).update(readFileSync(join(MIGRATIONS_FOLDER, name)));
  }
  hash.update(readFileSync(join(MIGRATIONS_FOLDER, "meta", "_journal.json")));
  return join(tmpdir(), "mailbot-test-cache", `pglite-${hash.digest("hex").slice(0, 16)}.tar`);
}

async function buildPgliteSnapshot(): Promise<Blob> {
  const cachePath = snapshotCachePath();
  if (existsSync(cachePath)) return new Blob([readFileSync(cachePath)]);
  const database = await openDatabase({ inMemory: true });
  try {
    if (database.driver !== "pglite") throw new Error("unreachable");
    await migrateDatabase(database);
    const dump = await database.client.dumpDataDir("none");
    mkdirSync(join(cachePath, ".."), { recursive: true });
    // Write then rename: a parallel worker never reads a half-written tarball.
    const partial = `${cachePath}.${process.pid}.${randomBytes(4).toString("hex")}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, cachePath);
    return dump;
  } finally {
    await database.close();
  }
}

function migratedSnapshot(): Promise<Blob> {
  pgliteSnapshot ??= buildPgliteSnapshot();
  // A failed build must not poison every later call in this process.
  pgliteSnapshot.catch(() => (pgliteSnapshot = undefined));
  return pgliteSnapshot;
}

// --- PostgreSQL: a throw-away database per call ----------------------------------------------

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL?.trim();
  if (!url) throw new Error("TEST_DATABASE_URL is not set: cannot open a PostgreSQL test database.");
  return url;
}

async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const url = adminUrl();
  const admin = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await fn(admin);
  } catch (error) {
    throw new Error(`PostgreSQL test server ${url} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    await admin.end({ timeout: 5 });
  }
}

async function openPostgresTestDatabase(migrate: boolean): Promise<Database> {
  // This run's prefix and migrated template (test/global-setup.ts), when there are some.
  const runPrefix = inject("pgRunPrefix") ?? "";
  const name = `${runPrefix || "mailbot_test_"}${randomBytes(6).toString("hex")}`;
  // A copy of the template, not a migration.
  const template = migrate ? (inject("pgTemplate") ?? "") : "";
  await withAdmin((admin) =>
    admin.unsafe(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`),
  );
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const drop = () => withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  let database: Database;
  try {
    database = await openDatabase({ url: url.toString(), maxConnections: 4 });
    if (migrate && !template) await migrateDatabase(database);
  } catch (error) {
    await drop();
    throw error;
  }
  const close = database.close.bind(database);
  return Object.assign(database, {
    async close() {
      await close();
      // DROP DATABASE waits for the server (0.1-0.5 s measured): within a run, the global
      // teardown drops by prefix whatever is still there, so the test need not wait for it.
      if (runPrefix) void drop().catch(() => undefined);
      else await drop();
    },
  });
}

export interface OpenTestDatabaseOptions {
  /** false: an empty database, for tests of migration itself (default true). */
  migrate?: boolean;
}

/** A fresh, migrated database on `driver`. Close it when done (drops it on PostgreSQL). */
export async function openTestDatabase(
  driver: Driver,
  options: OpenTestDatabaseOptions = {},
): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (driver === "postgres") return openPostgresTestDatabase(migrate);
  if (!migrate) return openDatabase({ inMemory: true });
  return openPooledPglite();
}

// --- PGlite: instances handed back by close() and reused ---------------------------------------

/**
 * What a test could change besides rows: relations, columns, constraints, triggers (and whether
 * they are enabled), functions, roles, session settings. An instance is reused only when this is
 * what it was when it came from the snapshot.
 */
const SHAPE_QUERY = `
  select md5(string_agg(x, ',' order by x)) as shape from (
    select 'c ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text as x
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
    union all
    select 'a ' || a.attrelid::regclass::text || '.' || a.attname || ' ' || a.atttypid::text || ' ' || a.attnotnull::text
      from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped
    union all select 'k ' || conname || ' ' || conrelid::text from pg_constraint
    union all select 't ' || tgname || ' ' || tgrelid::text || ' ' || tgenabled::text from pg_trigger
    union all
    select 'p ' || n.nspname || '.' || p.proname || ' ' || md5(p.prosrc)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname not in ('pg_catalog', 'information_schema')
    union all select 'r ' || rolname from pg_roles
    union all select 's ' || name || '=' || setting from pg_settings where source = 'session'
  ) shape`;

interface Pooled {
  database: Database;
  shape: string;
}
const pglitePool: Pooled[] = [];
/** Enough for the tests that open two at once; more would only hold memory. */
const POOL_MAX = 2;

async function shapeOf(database: Database): Promise<string> {
  const [row] = await database.execute<{ shape: string }>(SHAPE_QUERY);
  return row?.shape ?? "";
}

/**
 * A migrated PGlite with no rows. Booting one from the snapshot costs ~0.5-1 s of CPU; with
 * vitest's `isolate: false` the files of a worker share this module, so a database a test closed
 * is emptied (`resetDatabase`) and handed to the next `openTestDatabase` instead.
 */
async function openPooledPglite(): Promise<Database> {
  const reused = pglitePool.pop();
  const database = reused?.database ?? (await openDatabase({ loadDataDir: await migratedSnapshot() }));
  const shape = reused?.shape ?? (await shapeOf(database));
  let closed = false;
  return {
    ...database,
    async close() {
      if (closed) return;
      closed = true;
      if (pglitePool.length < POOL_MAX) {
        try {
          if ((await shapeOf(database)) === shape) {
            await resetDatabase(database);
            pglitePool.push({ database, shape });
            return;
          }
        } catch {
          // Closed underneath, or in a failed transaction: not reusable.
        }
      }
      await database.close();
    },
  } as Database;
}

/**
 * Fills an empty PGlite data folder with the migrated snapshot: the folder the program's first
 * start would build (initdb and every migration, ~3-4 s on 2 cores) in well under a second. For
 * tests of something else than that first start; the CLI's `migrate` and a first `npm start`
 * keep their own tests on an empty folder.
 */
export async function seedPgliteDir(dataDir: string): Promise<void> {
  const client = await PGlite.create({ dataDir, loadDataDir: await migratedSnapshot() });
  await client.close();
}

/**
 * Empties every table of the public schema, audit_log included, and restarts every sequence
 * (identities included) at its start value. Test-only (see the header for why it may bypass the
 * audit trigger).
 *
 * DELETE, not TRUNCATE: on a test's few rows TRUNCATE costs far more (new files for each of ~30
 * tables and their indexes: measured ~0.2 s on PGlite, ~0.8 s on the PostgreSQL server, before
 * each of ~170 tests per driver). With `replica` the foreign-key triggers are skipped too, so the
 * order does not matter. One DO block: one round trip.
 */
export async function resetDatabase(database: Database): Promise<void> {
  await database.execute(`
    do $reset$
    declare
      r record;
    begin
      set local session_replication_role = replica;
      for r in select quote_ident(tablename) as name from pg_tables where schemaname = 'public' loop
        execute 'delete from public.' || r.name;
      end loop;
      for r in select quote_ident(sequencename) as name, start_value from pg_sequences where schemaname = 'public' loop
        perform setval('public.' || r.name, r.start_value, false);
      end loop;
    end
    $reset$`);
}

export interface DescribeEachDbOptions {
  /** Wipe all tables before each test (default false: one fresh database per block). */
  resetEach?: boolean;
}

/**
 * Registers `describe("<name> [<driver>]")` per driver with its own fresh database, opened in
 * beforeAll and closed in afterAll. `getDb()` is only valid inside hooks and tests.
 */
export function describeEachDb(
  name: string,
  fn: (getDb: () => Database, driver: Driver) => void,
  options: DescribeEachDbOptions = {},
): void {
  for (const driver of testDatabases()) {
    describe(`${name} [${driver}]`, () => {
      let database: Database | undefined;
      beforeAll(async () => {
        database = await openTestDatabase(driver);
      });
      afterAll(async () => {
        await database?.close();
        database = undefined;
      });
      if (options.resetEach) {
        beforeEach(async () => {
          if (database) await resetDatabase(database);
        });
      }
      const getDb = (): Database => {
        if (!database)
          throw new Error(`The ${driver} test database is not open (use getDb() inside tests/hooks).`);
        return database;
      };
      fn(getDb, driver);
    });
  }
}
