/** Small builders for service tests: rows inserted directly, bypassing services on purpose. */
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import {
  mailboxes,
  roleGrants,
  staff,
  units,
  type NewMailbox,
  type NewStaff,
  type NewUnit,
} from "../../src/db/schema.ts";
import type { Role } from "../../src/policy/types.ts";

let counter = 0;
/** A suffix unique within the test process, so tests sharing one database do not collide. */
export function uniq(): string {
  counter += 1;
  return `${process.pid.toString(36)}${counter.toString(36)}`;
}

export async function addUnit(database: Database, values: Partial<NewUnit> = {}) {
  const [row] = await database.db
    .insert(units)
    .values({ profileId: "phuyen", kind: "agency", name: `Sở thử ${uniq()}`, abbr: `s${uniq()}`, ...values })
    .returning();
  return row!;
}

export async function addStaff(database: Database, values: Partial<NewStaff> & { unitId: number }) {
  const [row] = await database.db
    .insert(staff)
    .values({ fullName: "Nguyễn Văn An", employmentType: "civil_servant", ...values })
    .returning();
  return row!;
}

export async function addMailbox(
  database: Database,
  values: Partial<NewMailbox> & { unitId: number; localPart: string },
) {
  const [row] = await database.db
    .insert(mailboxes)
    .values({
      address: `${values.localPart}@phuyen.gov.vn`,
      profileId: "phuyen",
      kind: "personal",
      ...values,
    })
    .returning();
  return row!;
}

export async function grant(database: Database, staffId: number, role: Role, unitId: number | null) {
  await database.db.insert(roleGrants).values({ staffId, role, unitId });
}

export async function countRows(database: Database): Promise<Record<string, number>> {
  const tables = await database.execute<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  if (tables.length === 0) return {};
  // One statement for all tables: tests call this around every refused action.
  const rows = await database.execute<{ name: string; n: string | number }>(
    sql.raw(
      tables.map(({ name }) => `select '${name}' as name, count(*) as n from "${name}"`).join(" union all "),
    ),
  );
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = Number(rows.find((r) => r.name === name)?.n ?? 0);
  return out;
}

/** Every row of every table as text: to prove a secret appears nowhere. */
export async function dumpAllTables(database: Database): Promise<string> {
  const tables = await database.execute<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = 'public'`,
  );
  let text = "";
  for (const { name } of tables) {
    const rows = await database.execute(sql.raw(`select t::text as row from "${name}" t`));
    text += rows.map((r) => String(r.row)).join("\n");
  }
  return text;
}

export async function auditCount(database: Database): Promise<number> {
  const [row] = await database.execute<{ n: string | number }>(`select count(*) as n from audit_log`);
  return Number(row?.n ?? 0);
}
