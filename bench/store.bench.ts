/**
 * The directory and request store:
 *   - `import staff --issue-mailboxes` of 50,000 rows on the phuyen profile, with many same-name
 *     people (8,640 full names from test/helpers/vietnamese-names.ts, so most names repeat;
 *     birth-year, month-year and sequence collision steps are all exercised). Measured end to end: decode + parse +
 *     validate + prefetch + staff inserts + address proposals + mailbox inserts + audit rows.
 *     Target < 15 s on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL; skipped without);
 *     PGlite is reported too.
 *   - request create + approve throughput, sequential, with the production argon2id cost
 *     (m=19 MiB, t=2, p=1): approve hashes a temporary password, which dominates its time —
 *     the argon2 hash alone is reported so the database share can be read off.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { importStaff, importUnits } from "../src/services/import/index.ts";
import { createServices } from "../src/services/index.ts";
import { hashPassword } from "../src/services/password-hash.ts";
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES } from "../test/helpers/vietnamese-names.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const ROWS = 50_000;
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function unitsCsv(): string {
  const lines = [
    "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
    "B-ROOT,Sở Thử Nghiệm,co_quan,sotn,,phuyen",
  ];
  for (let i = 1; i <= 40; i++) lines.push(`B-P${i},Phòng ${i},phong,p${i},B-ROOT,phuyen`);
  return lines.join("\n");
}

function staffCsv(rows: number): string {
  const r = rng(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)] as T;
  const lines = ["ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email"];
  for (let i = 1; i <= rows; i++) {
    const year = 1965 + Math.floor(r() * 35);
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    const contract = r() < 0.1;
    lines.push(
      `CB${i},${pick(FAMILY_NAMES)} ${pick(MIDDLE_NAMES)} ${pick(GIVEN_NAMES)},${date},B-P${1 + (i % 40)},,${contract ? "hop_dong,24" : "bien_che,"},`,
    );
  }
  return lines.join("\n");
}

async function withPostgres<T>(url: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const name = `mailbot_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const database = await openDatabase({ url: target.toString() });
  try {
    await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
}

async function withPglite<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ inMemory: true });
  try {
    await migrateDatabase(database);
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function importBench(database: Database, label: string): Promise<BenchResult[]> {
  await importUnits(database, unitsCsv());
  const csv = Buffer.from(staffCsv(ROWS), "utf8");
  const started = performance.now();
  const report = await importStaff(database, csv, { issueMailboxes: true });
  const seconds = (performance.now() - started) / 1000;
  if (report.errors.length > 0 || report.created !== ROWS) {
    throw new Error(`bench import: ${report.errors.length} errors, ${report.created} created`);
  }
  const collided = await database.execute<{ n: string | number }>(
    `select count(*) as n from mailboxes where local_part ~ '[0-9]'`,
  );
  // Re-import of the same file: everything compared, nothing written.
  const again = performance.now();
  const second = await importStaff(database, csv, { issueMailboxes: true });
  const reimport = (performance.now() - again) / 1000;
  if (second.unchanged !== ROWS) throw new Error("bench re-import changed rows");
  return [
    { name: `${label}: import 50,000 staff + issue addresses`, value: Number(seconds.toFixed(2)), unit: "s" },
    { name: `${label}: addresses issued`, value: report.addressesIssued, unit: "mailboxes" },
    {
      name: `${label}: of which collided (number suffix)`,
      value: Number(collided[0]?.n ?? 0),
      unit: "mailboxes",
    },
    { name: `${label}: re-import same file (no change)`, value: Number(reimport.toFixed(2)), unit: "s" },
  ];
}

async function requestBench(database: Database, label: string, count: number): Promise<BenchResult[]> {
  const services = createServices(database);
  const [unit] = await database.execute<{ id: number }>(`select id from units where external_id = 'B-P1'`);
  const [admin] = await database.execute<{ id: number }>(`select id from staff order by id limit 1`);
  await database.execute(
    `insert into role_grants (staff_id, role, unit_id) values (${Number(admin!.id)}, 'support', null) on conflict do nothing`,
  );
  const actor = { kind: "staff", staffId: Number(admin!.id) } as const;
  const ids: number[] = [];
  let t = performance.now();
  for (let i = 0; i < count; i++) {
    const req = await services.requests.createCapmoi(
      {
        fullName: `Nguyễn Văn Bench`,
        birthDate: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
        unitId: Number(unit!.id),
        employmentType: "civil_servant",
      },
      actor,
    );
    ids.push(req.id);
  }
  const createMs = (performance.now() - t) / count;
  t = performance.now();
  for (const id of ids) await services.requests.approve(id, actor);
  const approveMs = (performance.now() - t) / count;
  t = performance.now();
  for (let i = 0; i < 10; i++) await hashPassword(`Bench#${i}abcXYZ`);
  const hashMs = (performance.now() - t) / 10;
  return [
    {
      name: `${label}: capmoi create (same name, collisions)`,
      value: Number(createMs.toFixed(1)),
      unit: "ms/request",
    },
    { name: `${label}: approve (incl. argon2id)`, value: Number(approveMs.toFixed(1)), unit: "ms/request" },
    {
      name: `${label}: create+approve throughput`,
      value: Number((1000 / (createMs + approveMs)).toFixed(1)),
      unit: "requests/s",
    },
    { name: `argon2id hash alone (m=19 MiB, t=2)`, value: Number(hashMs.toFixed(1)), unit: "ms" },
  ];
}

export async function benchStore(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const url = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (url) {
    results.push(
      ...(await withPostgres(url, async (database) => [
        ...(await importBench(database, "postgres")),
        ...(await requestBench(database, "postgres", 100)),
      ])),
    );
  }
  if (process.env.BENCH_SKIP_PGLITE !== "true") {
    results.push(
      ...(await withPglite(async (database) => [
        ...(await importBench(database, "pglite")),
        ...(await requestBench(database, "pglite", 50)),
      ])),
    );
  }
  return results;
}
