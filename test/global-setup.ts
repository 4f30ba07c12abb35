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
  if (!url) return;
  const name = `mailbot_template_${randomBytes(6).toString("hex")}`;
  const drop = async (): Promise<void> => {
    await admin(url, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
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
    await drop().catch(() => undefined);
    return;
  }
  project.provide("pgTemplate", name);
  return drop;
}
