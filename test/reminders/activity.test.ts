import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { detectSource, ingestActivity, jsonLinesSource } from "../../src/services/activity.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { secretMatches } from "../../src/http/secrets.ts";
import { silentLogger } from "../../src/logger.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, seedOrg } from "./fixtures.ts";

const NOW = new Date("2026-11-23T09:00:00+07:00");
const TOKEN = "test-token-0123456789abcdef0123456789";

describeEachDb("activity ingestion", (getDb) => {
  let domain = "";
  beforeAll(async () => {
    const org = await seedOrg(getDb());
    domain = org.domain;
    await addMailbox(getDb(), org, "act1", { kind: "unit" });
    await addMailbox(getDb(), org, "act2", { kind: "unit" });
  });

  const jsonl = () =>
    [
      JSON.stringify({
        address: `ACT1@${domain}`,
        lastSend: "2026-11-20T10:00:00+07:00",
        checks: ["2026-11-23T07:45:00+07:00", "2026-11-23T08:10:00+07:00"],
        storageUsedMb: 900,
      }),
      "not json",
      JSON.stringify({ address: `act1@${domain}`, lastSend: "2026-11-19T10:00:00+07:00" }),
      JSON.stringify({
        messageId: "<m1@x>",
        address: `act2@${domain}`,
        sender: "ubnd@phuyen.gov.vn",
        subject: "V/v họp",
        receivedAt: "2026-11-20T09:00:00+07:00",
      }),
      JSON.stringify({
        messageId: "<m2@x>",
        address: `act2@${domain}`,
        sender: "a@b.vn",
        receivedAt: "yesterday",
      }),
      JSON.stringify({ address: `nobody@${domain}`, lastLogin: "2026-11-20T10:00:00+07:00" }),
      "",
      JSON.stringify({ address: `act2@${domain}`, lastReceive: "2030-01-01T00:00:00+07:00" }),
    ].join("\n");

  it("applies good records, reports bad ones with line numbers, and is idempotent", async () => {
    const first = await ingestActivity(getDb(), jsonLinesSource(jsonl(), "test"), { now: NOW });
    expect(first.errors.map((e) => e.line)).toEqual([2, 5, 6, 8]);
    expect(first.errors.find((e) => e.line === 6)?.message).toContain("không có hộp thư");
    expect(first).toMatchObject({ accepted: 3, mailboxesUpdated: 1, checksAdded: 2, messagesAdded: 1 });
    const [box] = await getDb().execute<{ send: string; checks: string; storage: number }>(
      sql`select to_char(last_send_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as send,
                 to_char(last_check_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as checks, storage_used_mb as storage
          from mailboxes where local_part = 'act1'`,
    );
    // The later of the two lastSend values wins, whatever the order in the file.
    expect(box).toEqual({ send: "2026-11-20T03:00", checks: "2026-11-23T01:10", storage: 900 });

    const audits = async () =>
      (
        await getDb().execute<{ n: number }>(
          sql`select count(*)::int as n from audit_log where action = 'activity.import'`,
        )
      )[0]?.n;
    expect(await audits()).toBe(1);
    const second = await ingestActivity(getDb(), jsonLinesSource(jsonl(), "test"), { now: NOW });
    expect(second).toMatchObject({
      mailboxesUpdated: 0,
      checksAdded: 0,
      messagesAdded: 0,
      messagesAnswered: 0,
    });
    expect(await audits()).toBe(1);
  });

  it("reads CSV and marks a message answered once", async () => {
    const csv = [
      "type,address,messageId,sender,subject,receivedAt,answeredAt,checks",
      `message,act2@${domain},<m1@x>,ubnd@phuyen.gov.vn,"V/v họp, lần 2",2026-11-20T09:00:00+07:00,2026-11-21T09:00:00+07:00,`,
      `mailbox,act2@${domain},,,,,,2026-11-23T07:40:00+07:00;2026-11-23T08:40:00+07:00`,
      `mailbox,act2@${domain},,,,,,not-a-date`,
    ].join("\n");
    const report = await ingestActivity(getDb(), detectSource(csv, "csv"), { now: NOW });
    expect(report).toMatchObject({ messagesAnswered: 1, checksAdded: 2 });
    expect(report.errors.map((e) => e.line)).toEqual([4]);
    const again = await ingestActivity(getDb(), detectSource(csv, "csv"), { now: NOW });
    expect(again).toMatchObject({ messagesAnswered: 0, checksAdded: 0 });
  });

  // JSON text as a mail server would write it: escapes for NUL and a lone surrogate.
  const poisoned = () =>
    [
      JSON.stringify({ address: `act1@${domain}`, lastLogin: "2026-11-22T11:00:00+07:00" }),
      `{"messageId":"<nul@x>","address":"act2@${domain}","sender":"a@b.vn","subject":"V/v \\u0000 họp","receivedAt":"2026-11-21T09:00:00+07:00"}`,
      `{"messageId":"<sur@x>","address":"act2@${domain}","sender":"a\\ud800@b.vn","receivedAt":"2026-11-21T09:00:00+07:00"}`,
      JSON.stringify({
        messageId: "<good@x>",
        address: `act2@${domain}`,
        sender: "c@d.vn",
        receivedAt: "2026-11-21T10:00:00+07:00",
      }),
    ].join("\n");

  it("a record with a NUL or a lone surrogate is refused on its line; the rest of the file is applied (CLI path)", async () => {
    // `mailbot activity import FILE` reads the file and runs exactly this.
    const report = await ingestActivity(getDb(), detectSource(poisoned(), "poisoned.jsonl"), { now: NOW });
    expect(report.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(report.errors[0]?.message).toMatch(/subject: chứa ký tự NUL/);
    expect(report.errors[1]?.message).toMatch(/sender: chứa ký tự Unicode hỏng/);
    expect(report.accepted).toBe(2);
    expect(report.messagesAdded).toBe(1);
    const [row] = await getDb().execute<{ n: number }>(
      sql`select count(*)::int as n from tracked_messages where message_id in ('<good@x>', '<nul@x>', '<sur@x>')`,
    );
    expect(row?.n).toBe(1);
  });

  it("HTTP: the same poisoned batch answers 200 with the bad lines listed and the good records kept", async () => {
    const server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      logger: silentLogger(),
      health: async () => true,
      activity: { database: getDb(), token: TOKEN, now: () => NOW },
    });
    try {
      const body = poisoned().replace("<good@x>", "<good2@x>");
      const response = await fetch(`${server.url}/api/activity`, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as {
        report: { accepted: number; messagesAdded: number; errors: { line: number }[] };
      };
      expect(answer.report.errors.map((e) => e.line)).toEqual([2, 3]);
      expect(answer.report.messagesAdded).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("HTTP: 401 without the token, 400 for a useless body, 200 with a report", async () => {
    const server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      logger: silentLogger(),
      health: async () => true,
      activity: { database: getDb(), token: TOKEN, now: () => NOW },
    });
    const url = `${server.url}/api/activity`;
    try {
      const post = (body: string, auth?: string, type = "application/x-ndjson") =>
        fetch(url, {
          method: "POST",
          body,
          headers: { "content-type": type, ...(auth ? { authorization: auth } : {}) },
        });
      expect((await post("{}")).status).toBe(401);
      expect((await post("{}", "Bearer wrong")).status).toBe(401);
      expect((await post("", `Bearer ${TOKEN}`)).status).toBe(400);
      expect((await post("[1,", `Bearer ${TOKEN}`, "application/json")).status).toBe(400);
      const ok = await post(
        JSON.stringify([{ address: `act1@${domain}`, lastLogin: "2026-11-22T10:00:00+07:00" }]),
        `Bearer ${TOKEN}`,
        "application/json",
      );
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { report: { accepted: number } };
      expect(body.report.accepted).toBe(1);
      const get = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(get.status).toBe(405);
    } finally {
      await server.close();
    }
  });
});

it("compares tokens in constant time and rejects a missing one", () => {
  expect(secretMatches(undefined, TOKEN)).toBe(false);
  expect(secretMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
  expect(secretMatches(TOKEN, TOKEN)).toBe(true);
});

afterAll(() => undefined);
