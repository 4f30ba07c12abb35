/**
 * Once per run, before any worker starts: when TEST_DATABASE_URL is set, one migrated PostgreSQL
 * database that every test database is copied from (`CREATE DATABASE … TEMPLATE`, a file copy)
 * instead of migrating each one. Its name is random, so parallel runs on one server never share
 * it; it is dropped at the end of the run.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated template database's name; "" without TEST_DATABASE_URL. */
    pgTemplate: string;
    /** This run's prefix for test database names; dropped at the end by prefix. */
    pgRunPrefix: string;
  }
}

async function admin<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const url = process.env.TEST_DATABASE_URL?.trim();
  project.provide("pgTemplate", "");
  project.provide("pgRunPrefix", "");
  if (!url) return;
  const run = randomBytes(6).toString("hex");
  const name = `mailbot_template_${run}`;
  const prefix = `mailbot_test_${run}_`;
  // The template and every test database of this run still there (tests do not wait for drops).
  const dropAll = async (): Promise<void> => {
    await admin(url, async (sql) => {
      const left = await sql<{ datname: string }[]>`
        select datname from pg_database where starts_with(datname, ${prefix}) or datname = ${name}`;
      for (const { datname } of left) await sql.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  };
  try {
    await admin(url, (sql) => sql.unsafe(`CREATE DATABASE "${name}"`));
    const target = new URL(url);
    target.pathname = `/${name}`;
    const database = await openDatabase({ url: target.toString(), maxConnections: 2 });
    try {
      await migrateDatabase(database);
    } finally {
      // A template must have no connection open while it is copied.
      await database.close();
    }
  } catch {
    // Unreachable server: the tests report it themselves (REQUIRE_POSTGRES decides skip or fail).
    await dropAll().catch(() => undefined);
    return;
  }
  project.provide("pgTemplate", name);
  project.provide("pgRunPrefix", prefix);
  return dropAll;
}
