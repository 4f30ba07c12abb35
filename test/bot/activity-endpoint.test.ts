/**
 * POST /api/activity as wired by src/main.ts: on the webhook server in webhook mode (in-process
 * start()), and as its own loopback server next to the console chat (a real `npm start` process).
 * The right bearer token lands rows; a wrong or missing one gets 401 and changes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { start } from "../../src/main.ts";
import { seedPgliteDir } from "../helpers/db.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { cleanEnv, startNode, stopAllProcesses } from "../helpers/process.ts";
import { addMailbox, addStaff, addUnit } from "../services/fixtures.ts";

afterEach(stopAllProcesses);
const TOKEN = "activity-token-0123456789abcdef";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailbot-activity-"));
  dirs.push(dir);
  return dir;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** A database under dataDir with one mailbox the feed can report on. */
async function seedMailbox(dataDir: string): Promise<void> {
  await seedPgliteDir(join(dataDir, "pglite"));
  const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
  try {
    const unit = await addUnit(database, { name: "Sở Thông tin và Truyền thông" });
    const owner = await addStaff(database, { unitId: unit.id, fullName: "Trần Thị Thu" });
    await addMailbox(database, { unitId: unit.id, localPart: "tranthithu", ownerStaffId: owner.id });
  } finally {
    await database.close();
  }
}

const RECORDS = [
  JSON.stringify({ address: "tranthithu@phuyen.gov.vn", lastSend: "2026-11-20T09:15:00+07:00" }),
  JSON.stringify({
    messageId: "<cv-123@ubnd.phuyen.gov.vn>",
    address: "tranthithu@phuyen.gov.vn",
    sender: "vanthu@ubnd.phuyen.gov.vn",
    subject: "V/v báo cáo quý IV",
    receivedAt: "2026-11-20T10:00:00+07:00",
  }),
].join("\n");

const post = (url: string, token: string | null) =>
  fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-ndjson",
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: RECORDS,
  });

async function landed(database: Database): Promise<{ sendAt: string | null; messages: number }> {
  const [box] = await database.execute<{ send_at: string | null }>(
    "select last_send_at::text as send_at from mailboxes where address = 'tranthithu@phuyen.gov.vn'",
  );
  const [count] = await database.execute<{ n: number }>("select count(*)::int as n from tracked_messages");
  return { sendAt: box?.send_at ?? null, messages: count?.n ?? 0 };
}

describe("POST /api/activity wired by main", () => {
  it("webhook mode: mounted on the webhook server with the bearer token", async () => {
    const fake = await new FakeBotApiServer().start();
    const dataDir = tempDir();
    await seedMailbox(dataDir);
    const config = parseConfig({
      TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
      TELEGRAM_API_ROOT: fake.apiRoot,
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://bot.example.vn/telegram",
      WEBHOOK_SECRET: "webhook-secret-0123456789",
      PORT: "0",
      DATA_DIR: dataDir,
      ACTIVITY_API_TOKEN: TOKEN,
    });
    const running = await start(config, silentLogger());
    try {
      expect(running.reminders?.jobs.length).toBeGreaterThan(0);
      const url = `http://127.0.0.1:${running.http!.port}/api/activity`;
      expect((await post(url, "wrong-token-0123456789abcdef")).status).toBe(401);
      expect((await post(url, null)).status).toBe(401);
      const ok = await post(url, TOKEN);
      expect(ok.status).toBe(200);
      const body = (await ok.json()) as { report: { mailboxesUpdated: number; messagesAdded: number } };
      expect(body.report).toMatchObject({ mailboxesUpdated: 1, messagesAdded: 1 });
    } finally {
      await running.shutdown("test");
      await fake.stop();
    }
    const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
    try {
      expect(await landed(database)).toEqual({ sendAt: expect.stringMatching(/^2026-11-20/), messages: 1 });
    } finally {
      await database.close();
    }
  }, 180_000); // boots PGlite and the bot in-process: slow on a loaded machine, not wrong

  it("console process: a loopback server on ACTIVITY_PORT; wrong token 401, right token lands rows", async () => {
    const dataDir = tempDir();
    await seedMailbox(dataDir);
    const port = await freePort();
    const run = startNode(["--import", "tsx", "src/main.ts"], {
      env: cleanEnv(
        /^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|DATA_DIR|LOG_LEVEL|SUPPORT_CHAT_ID|ACTIVITY_|REMINDERS)/,
        // info: the console logs "http server listening" (to stderr), the event this test waits for.
        { DATA_DIR: dataDir, ACTIVITY_API_TOKEN: TOKEN, ACTIVITY_PORT: String(port), LOG_LEVEL: "info" },
      ),
      keepStdinOpen: true,
    });
    try {
      await run.waitForOutput(/http server listening/);
      const url = `http://127.0.0.1:${port}/api/activity`;
      const wrong = await post(url, "wrong-token-0123456789abcdef");
      expect(wrong.status, run.stderr()).toBe(401);
      const ok = await post(url, TOKEN);
      expect(ok.status).toBe(200);
    } finally {
      run.child.stdin!.end("/thoat\n");
    }
    expect((await run.exited).code).toBe(0);
    const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
    try {
      expect(await landed(database)).toEqual({ sendAt: expect.stringMatching(/^2026-11-20/), messages: 1 });
    } finally {
      await database.close();
    }
  }, 180_000); // waits for events (the listening log, the exit), never a fixed time
});

describe("config: reminders and activity endpoint", () => {
  it("defaults: reminders on, activity on 127.0.0.1:8081; REMINDERS=off turns them off; bad values named", () => {
    expect(parseConfig({})).toMatchObject({ reminders: true, activityPort: 8081, activityHost: "127.0.0.1" });
    expect(parseConfig({ REMINDERS: "OFF", ACTIVITY_HOST: "0.0.0.0" })).toMatchObject({
      reminders: false,
      activityHost: "0.0.0.0",
    });
    expect(() => parseConfig({ REMINDERS: "maybe", ACTIVITY_PORT: "http" })).toThrow(
      /REMINDERS[\s\S]*ACTIVITY_PORT|ACTIVITY_PORT[\s\S]*REMINDERS/,
    );
  });
});
