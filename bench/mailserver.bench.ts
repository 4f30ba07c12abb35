/**
 * Mail-server activity sync (issue 8): 10,000 mailboxes' logins and 100,000 tracked messages,
 * 1% of mailboxes changed since the last run (a login, a delivery, 10 messages answered each).
 * The real sync code and the real doveadm HTTP connector run against an in-process doveadm
 * HTTP API that answers from a model of the mailboxes (no Dovecot needed: the bench measures
 * mailbot's side and counts its calls).
 *
 * Baseline, measured in the same run: the first sync (no watermark), which has to read every
 * mailbox. The incremental sync is reported as time, HTTP requests and doveadm commands, and as
 * ratios to that baseline; a 0.1% run shows that the calls grow with what changed.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { DoveadmHttpConnector } from "../src/mailserver/doveadm.ts";
import { syncMailserverActivity } from "../src/mailserver/sync.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const MAILBOXES = 10_000;
const PER_MAILBOX = 10;
const API_KEY = "bench-doveadm-api-key-0123";

interface ModelMessage {
  uid: number;
  mid: string;
  answered: boolean;
  received: number;
}

/** A doveadm HTTP API that answers fetch commands from an in-memory model. */
async function fakeDoveadm(
  model: Map<string, ModelMessage[]>,
): Promise<{ url: string; server: Server; commands: () => number }> {
  let commands = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const list = JSON.parse(body) as [string, { user: string; query: (string | number)[] }, string][];
      const out = list.map(([, params, tag]) => {
        commands++;
        const [, folder, ...rest] = params.query;
        const messages = folder === "INBOX" ? (model.get(params.user) ?? []) : [];
        let selected: ModelMessage[];
        if (rest[0] === "uid") {
          const from = Number(String(rest[1]).split(":")[0]);
          selected = messages.filter((m) => m.uid >= from);
        } else {
          selected = messages.filter((m) => m.answered);
        }
        return [
          "doveadmResponse",
          selected.map((m) => ({
            uid: String(m.uid),
            flags: m.answered ? "\\Answered \\Seen" : "\\Seen",
            "date.received.unixtime": String(m.received),
            "hdr.message-id": m.mid,
            "hdr.from": "Văn thư <vanthu@phuyen.gov.vn>",
            "hdr.subject": "Cong van",
            "hdr.in-reply-to": "",
            "hdr.auto-submitted": "",
            "hdr.precedence": "",
            "hdr.list-id": "",
          })),
          tag,
        ];
      });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/doveadm/v1`, server, commands: () => commands };
}

async function seed(database: Database, t0: number): Promise<Map<string, ModelMessage[]>> {
  const { db } = database;
  await db.execute(
    sql`insert into units (profile_id, kind, name, abbr) values ('mic', 'agency', 'Bộ', 'bo')`,
  );
  await db.execute(sql`insert into mailboxes (address, local_part, profile_id, kind, unit_id, status)
    select 'hop' || g || '@mic.gov.vn', 'hop' || g, 'mic', 'unit', (select min(id) from units), 'active'
    from generate_series(1, ${MAILBOXES}) g`);
  await db.execute(sql`insert into mailserver_logins (username, service, last_at)
    select 'hop' || g || '@mic.gov.vn', s, ${t0} from generate_series(1, ${MAILBOXES}) g, unnest(array['imap', 'lmtp']) s`);
  await db.execute(sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
    select '<m' || m.id || '.' || i || '@phuyen.gov.vn>', m.id, 'vanthu@phuyen.gov.vn', 'Cong van', to_timestamp(${t0 - 3600})
    from mailboxes m, generate_series(1, ${PER_MAILBOX}) i`);
  await db.execute(
    sql`insert into mailserver_message_sync (mailbox_id, last_uid) select id, ${PER_MAILBOX} from mailboxes`,
  );
  // As autovacuum would have done on a server that has been running.
  await db.execute(sql`analyze`);
  const model = new Map<string, ModelMessage[]>();
  const rows = await database.execute<{ id: number; address: string }>(
    sql`select id, address from mailboxes`,
  );
  for (const row of rows) {
    const list: ModelMessage[] = [];
    for (let i = 1; i <= PER_MAILBOX; i++) {
      list.push({ uid: i, mid: `<m${row.id}.${i}@phuyen.gov.vn>`, answered: false, received: t0 - 3600 });
    }
    model.set(row.address, list);
  }
  return model;
}

/** `share` of the mailboxes: a new login and delivery, one new message, every old one answered. */
async function change(
  database: Database,
  model: Map<string, ModelMessage[]>,
  share: number,
  at: number,
): Promise<void> {
  const every = Math.round(1 / share);
  const changed: string[] = [];
  let n = 0;
  for (const [address, list] of model) {
    if (n++ % every !== 0) continue;
    changed.push(address);
    for (const m of list) m.answered = true;
    const uid = list.length + 1;
    list.push({ uid, mid: `<new.${uid}.${address}>`, answered: false, received: at });
  }
  await database.db.execute(sql`update mailserver_logins set last_at = ${at}
    where username in (select jsonb_array_elements_text(${JSON.stringify(changed)}::jsonb))`);
}

async function run(database: Database, label: string): Promise<BenchResult[]> {
  const t0 = Math.floor(Date.now() / 1000) - 7200;
  const model = await seed(database, t0);
  const api = await fakeDoveadm(model);
  try {
    const measure = async (what: string) => {
      const connector = new DoveadmHttpConnector({ url: api.url, apiKey: API_KEY, batchSize: 50 });
      const before = api.commands();
      const start = performance.now();
      const report = await syncMailserverActivity(database, connector, { overlapSeconds: 0 });
      const ms = performance.now() - start;
      console.error(
        `${label} ${what}: ${ms.toFixed(0)} ms, ${report.changedMailboxes} mailboxes, ${connector.calls} requests, ` +
          `${api.commands() - before} commands, +${report.activity.messagesAdded} tracked, ${report.activity.messagesAnswered} answered`,
      );
      return { ms, calls: connector.calls, commands: api.commands() - before, report };
    };
    const full = await measure("full (baseline)");
    await change(database, model, 0.01, t0 + 600);
    const one = await measure("1% changed");
    await change(database, model, 0.001, t0 + 1200);
    const tenth = await measure("0.1% changed");
    const none = await measure("nothing changed");
    return [
      { name: `${label}: full sync, 10,000 mailboxes (baseline)`, value: Math.round(full.ms), unit: "ms" },
      { name: `${label}: full sync, HTTP requests`, value: full.calls, unit: "requests" },
      { name: `${label}: 1% changed, sync time`, value: Math.round(one.ms), unit: "ms" },
      {
        name: `${label}: 1% changed, HTTP requests (doveadm commands)`,
        value: one.calls,
        unit: `requests (${one.commands} commands)`,
      },
      {
        name: `${label}: 1% changed, tracked added / answered`,
        value: one.report.activity.messagesAdded,
        unit: `added / ${one.report.activity.messagesAnswered} answered`,
      },
      {
        name: `${label}: 1% changed, time ÷ baseline`,
        value: Number((one.ms / full.ms).toFixed(3)),
        unit: "ratio",
      },
      {
        name: `${label}: 1% changed, requests ÷ baseline`,
        value: Number((one.calls / full.calls).toFixed(3)),
        unit: "ratio",
      },
      { name: `${label}: 0.1% changed, sync time`, value: Math.round(tenth.ms), unit: "ms" },
      {
        name: `${label}: 0.1% changed, HTTP requests`,
        value: tenth.calls,
        unit: `requests (${tenth.commands} commands)`,
      },
      {
        name: `${label}: nothing changed, sync time`,
        value: Math.round(none.ms),
        unit: `ms (${none.calls} requests)`,
      },
    ];
  } finally {
    await new Promise<void>((resolve) => api.server.close(() => resolve()));
  }
}

export async function benchMailserverSync(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const url = (process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL)?.trim();
  if (url) {
    const name = `mailbot_bench_ms_${randomBytes(4).toString("hex")}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    const database = await openDatabase({ url: target.toString(), maxConnections: 4 });
    try {
      await migrateDatabase(database);
      results.push(...(await run(database, "PostgreSQL")));
    } finally {
      await database.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    }
  }
  if (process.env.BENCH_SKIP_PGLITE !== "true") {
    const database = await openDatabase({ inMemory: true });
    try {
      await migrateDatabase(database);
      results.push(...(await run(database, "PGlite")));
    } finally {
      await database.close();
    }
  }
  return results;
}
