/**
 * The CSV import against its floors, measured in the same run (PostgreSQL: BENCH_DATABASE_URL or
 * TEST_DATABASE_URL; skipped without one):
 *
 *   - speed (issue 13): `import staff --issue-mailboxes` of 50,000 rows (decode, parse, check,
 *     prefetch, address proposals, staff + mailbox + audit writes) against `COPY … FROM STDIN`
 *     of exactly the rows that import wrote (staff, mailboxes — whose trigger fills
 *     address_claims — and audit_log) into a fresh database with the same units. Best of ROUNDS
 *     each, alternating, so load on the machine hits both alike, and each round's own ratio
 *     (lowest, highest). Target: ratio ≤ 1.3.
 *   - memory (issue 9): the same import from a file of 500,000 rows, streamed, in a fresh
 *     process, against the same process importing 50,000 rows and importing nothing. Ceiling:
 *     MEMORY_CEILING_MB peak RSS for the whole process at 500,000 rows.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { importStaff, importUnits } from "../src/services/import/index.ts";
import { staffLines, unitsCsv } from "./import-data.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const SPEED_ROWS = 50_000;
const MEMORY_ROWS = 500_000;
const ROUNDS = 3;
/** Stated ceiling for the whole process importing 500,000 staff rows with address generation. */
export const MEMORY_CEILING_MB = 400;

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

async function withFreshDatabase<T>(url: string, fn: (dbUrl: string) => Promise<T>): Promise<T> {
  const name = `mailbot_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  try {
    const database = await openDatabase({ url: target.toString() });
    try {
      await migrateDatabase(database);
      await importUnits(database, unitsCsv());
    } finally {
      await database.close();
    }
    return await fn(target.toString());
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
}

async function withDatabase<T>(url: string, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ url });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** The rows an import wrote, as COPY text per table. */
interface Written {
  staff: Buffer;
  mailboxes: Buffer;
  audit: Buffer;
}

/** A text value escaped for COPY's text format. */
function copyField(value: Buffer | null): string {
  if (value === null) return "\\N";
  return value
    .toString("utf8")
    .replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c] as string);
}

/**
 * The rows of a query as COPY text. Read with an ordinary query in raw (text) form rather than
 * COPY TO STDOUT: a COPY whose client stalls keeps its server process from answering the
 * barrier every DROP DATABASE waits for, which would block every test database on the server.
 */
async function copyOut(sql: postgres.Sql, query: string): Promise<Buffer> {
  const rows = (await sql.unsafe(query).raw()) as unknown as (Buffer | null)[][];
  return Buffer.from(rows.map((fields) => `${fields.map(copyField).join("\t")}\n`).join(""), "utf8");
}

async function importRun(url: string, csv: Buffer): Promise<{ seconds: number; written: Written }> {
  const auditBefore = await withDatabase(url, async (database) => {
    const [row] = await database.execute<{ n: string | number | null }>(`select max(id) as n from audit_log`);
    return Number(row?.n ?? 0);
  });
  const seconds = await withDatabase(url, async (database) => {
    const started = performance.now();
    const report = await importStaff(database, csv, { issueMailboxes: true });
    const elapsed = (performance.now() - started) / 1000;
    if (report.errorCount > 0 || report.created !== SPEED_ROWS || report.addressesIssued !== SPEED_ROWS)
      throw new Error(`bench import: ${report.errorCount} errors, ${report.created} created`);
    return elapsed;
  });
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { statement_timeout: 300_000 } });
  try {
    return {
      seconds,
      written: {
        staff: await copyOut(sql, "select * from staff"),
        mailboxes: await copyOut(sql, "select * from mailboxes"),
        audit: await copyOut(sql, `select * from audit_log where id > ${auditBefore}`),
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function copyIn(tx: postgres.TransactionSql, table: string, data: Buffer): Promise<void> {
  const writable = await tx.unsafe(`copy ${table} from stdin`).writable();
  writable.end(data);
  await once(writable, "finish");
}

/** The floor: the same rows by COPY, in one transaction, as the import writes them. */
async function copyRun(url: string, written: Written): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { statement_timeout: 300_000 } });
  try {
    const started = performance.now();
    await sql.begin(async (tx) => {
      await copyIn(tx, "staff", written.staff);
      await copyIn(tx, "mailboxes", written.mailboxes);
      await copyIn(tx, "audit_log", written.audit);
    });
    const seconds = (performance.now() - started) / 1000;
    const [row] = await sql`select count(*)::int as n from mailboxes`;
    if (row?.n !== SPEED_ROWS) throw new Error(`bench COPY: ${String(row?.n)} mailboxes`);
    return seconds;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function speed(url: string): Promise<BenchResult[]> {
  const csv = Buffer.from([...staffLines(SPEED_ROWS)].join(""), "utf8");
  let importBest = Infinity;
  let copyBest = Infinity;
  // Each round's own ratio too: on a shared machine the spread says how far to trust the best.
  const paired: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const run = await withFreshDatabase(url, (dbUrl) => importRun(dbUrl, csv));
    const copy = await withFreshDatabase(url, (dbUrl) => copyRun(dbUrl, run.written));
    importBest = Math.min(importBest, run.seconds);
    copyBest = Math.min(copyBest, copy);
    paired.push(run.seconds / copy);
  }
  return [
    { name: "import 50,000 staff + issue addresses (postgres)", value: round(importBest), unit: "s" },
    { name: "baseline: COPY of the same staff, mailbox and audit rows", value: round(copyBest), unit: "s" },
    { name: "import / COPY (target ≤ 1.3)", value: round(importBest / copyBest), unit: "×" },
    {
      name: "import / COPY, lowest of the rounds (each paired)",
      value: round(paired.reduce((a, b) => Math.min(a, b))),
      unit: "×",
    },
    {
      name: "import / COPY, highest of the rounds (each paired)",
      value: round(paired.reduce((a, b) => Math.max(a, b))),
      unit: "×",
    },
  ];
}

interface ChildResult {
  rows: number;
  bytes: number;
  seconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

async function child(url: string, rows: number): Promise<ChildResult> {
  return withFreshDatabase(url, async (dbUrl) => {
    const proc = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        join(import.meta.dirname, "import-memory-child.ts"),
        dbUrl,
        String(rows),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    proc.stdout.on("data", (d) => (out += String(d)));
    const [code] = (await once(proc, "close")) as [number | null];
    if (code !== 0) throw new Error(`import memory child (${rows} rows) exited ${code}`);
    return JSON.parse(out.trim().split("\n").pop() ?? "") as ChildResult;
  });
}

async function memory(url: string): Promise<BenchResult[]> {
  const idle = await child(url, 0);
  const small = await child(url, SPEED_ROWS);
  const large = await child(url, MEMORY_ROWS);
  return [
    {
      name: "memory baseline: same process, no import (peak RSS)",
      value: round(idle.peakRssMb, 0),
      unit: "MB",
    },
    { name: "import 50,000 staff from a file (peak RSS)", value: round(small.peakRssMb, 0), unit: "MB" },
    {
      name: `import 500,000 staff from a file, ${round(large.bytes / 1048576, 1)} MB (peak RSS; ceiling ${MEMORY_CEILING_MB} MB)`,
      value: round(large.peakRssMb, 0),
      unit: "MB",
    },
    {
      name: "500,000 rows / no import (peak RSS)",
      value: round(large.peakRssMb / idle.peakRssMb),
      unit: "×",
    },
    {
      name: "500,000 rows / 50,000 rows (peak RSS)",
      value: round(large.peakRssMb / small.peakRssMb),
      unit: "×",
    },
    { name: "import 500,000 staff from a file (time)", value: round(large.seconds, 1), unit: "s" },
    {
      name: "500,000 rows within the memory ceiling",
      value: large.peakRssMb <= MEMORY_CEILING_MB ? 1 : 0,
      unit: "yes=1",
    },
  ];
}

function benchUrl(): string | null {
  const url = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (!url) console.error("  import bench: no BENCH_DATABASE_URL / TEST_DATABASE_URL, skipped.");
  return url || null;
}

export async function benchImportSpeed(): Promise<BenchResult[]> {
  const url = benchUrl();
  return url ? speed(url) : [];
}

export async function benchImportMemory(): Promise<BenchResult[]> {
  const url = benchUrl();
  return url ? memory(url) : [];
}
