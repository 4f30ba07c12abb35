/**
 * End to end: the bot as a process (`node --import tsx src/main.ts`) in long-polling mode against
 * the fake Bot API server on 127.0.0.1 and a fresh PostgreSQL database; a clerk walks a /capmoi
 * from the one-line form to the support desk's approval, and the new mailbox is in the database.
 *
 * Needs PostgreSQL (TEST_DATABASE_URL). Skipped without it, unless REQUIRE_POSTGRES=true (then
 * the missing server fails the run).
 */
import { randomBytes } from "node:crypto";
import type { Message, Update, User } from "grammy/types";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import type { RecordedCall } from "../../src/bot/transports/local-api.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { cleanEnv, startNode } from "../helpers/process.ts";
import { addStaff, addUnit, grant } from "../services/fixtures.ts";

const ADMIN_URL = process.env.TEST_DATABASE_URL?.trim();
const REQUIRED = process.env.REQUIRE_POSTGRES === "true";
const SUPPORT_CHAT = -1009876543210;

if (!ADMIN_URL && REQUIRED) {
  throw new Error(
    "REQUIRE_POSTGRES=true but TEST_DATABASE_URL is not set: the end-to-end test cannot be skipped.",
  );
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function freshDatabase(): Promise<string> {
  const name = `mailbot_e2e_${randomBytes(5).toString("hex")}`;
  const admin = postgres(ADMIN_URL as string, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const a = postgres(ADMIN_URL as string, { max: 1, onnotice: () => {} });
    await a.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await a.end();
  });
  const url = new URL(ADMIN_URL as string);
  url.pathname = `/${name}`;
  return url.toString();
}

function press(server: FakeBotApiServer, user: User, sent: RecordedCall, label: string): void {
  const markup = sent.payload.reply_markup as {
    inline_keyboard: { text: string; callback_data: string }[][];
  };
  const button = markup.inline_keyboard.flat().find((b) => b.text === label);
  if (!button) throw new Error(`No button ${label}`);
  const message = sent.result as Message;
  server.api.queueUpdate({
    update_id: server.nextUpdateId(),
    callback_query: {
      id: `cq${randomBytes(4).toString("hex")}`,
      from: user,
      chat_instance: "e2e",
      data: button.callback_data,
      message,
    },
  } as Update);
}

describe.skipIf(!ADMIN_URL)("end to end: /capmoi through the bot process, fake Bot API, PostgreSQL", () => {
  it(
    "walks a request from the clerk's form to the support desk's approval",
    // Each step waits for the bot process; with 4 CPU-heavy processes beside the suite an
    // approval (argon2id in a starved child) took over 60 s once.
    { timeout: 900_000 },
    async () => {
      const url = await freshDatabase();
      const database = await openDatabase({ url, maxConnections: 2 });
      await migrateDatabase(database);
      const so = await addUnit(database, { name: "Sở TT&TT", abbr: "stttt", localPart: "stttt" });
      await addUnit(database, {
        name: "Phòng CNTT",
        abbr: "pcntt",
        kind: "division",
        parentId: so.id,
      });
      const clerk = await addStaff(database, { unitId: so.id, fullName: "Lê Thị Mai", telegramUserId: 5001 });
      const support = await addStaff(database, {
        unitId: so.id,
        fullName: "Phạm Văn Hùng",
        telegramUserId: 5002,
      });
      await grant(database, clerk.id, "clerk", so.id);
      await grant(database, support.id, "support", null);

      const server = await new FakeBotApiServer().start();
      server.waitTimeoutMs = 180_000;
      cleanups.push(() => server.stop());
      const run = startNode(["--import", "tsx", "src/main.ts"], {
        timeoutMs: 900_000,
        env: cleanEnv(
          /^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|DATA_DIR|SUPPORT_CHAT_ID|TEST_DATABASE_URL|REQUIRE_POSTGRES)/,
          {
            TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
            TELEGRAM_API_ROOT: server.apiRoot,
            BOT_MODE: "polling",
            DATABASE_URL: url,
            SUPPORT_CHAT_ID: String(SUPPORT_CHAT),
            LOG_LEVEL: "warn",
          },
        ),
      });
      cleanups.push(async () => void (await run.stop()));

      try {
        const clerkUser: User = { id: 5001, is_bot: false, first_name: "Mai" };
        const supportUser: User = { id: 5002, is_bot: false, first_name: "Hùng" };
        // Polling has begun (the first getUpdates leaves while the bot starts; what it fetches is
        // handled once the bot is set up).
        await server.nextRequest("getUpdates");

        server.userSays(clerkUser, "/capmoi Huỳnh Ngọc Đức; 03/12/1985; Phòng CNTT; chuyên viên; biên chế");
        const proposal = await server.waitFor(
          (c) => c.method === "sendMessage" && String(c.payload.text).includes("Địa chỉ đề xuất"),
        );
        expect(String(proposal.payload.text)).toContain("huynhngocduc@phuyen.gov.vn");
        press(server, clerkUser, proposal, "Gửi yêu cầu");
        const card = await server.waitFor(
          (c) =>
            c.method === "sendMessage" &&
            Number(c.payload.chat_id) === SUPPORT_CHAT &&
            String(c.payload.text).startsWith("🆕"),
        );
        expect(String(card.payload.text)).toContain("#1 Cấp mới — huynhngocduc@phuyen.gov.vn (Phòng CNTT)");
        await server.waitFor(
          (c) => c.method === "sendMessage" && String(c.payload.text).includes("Đã gửi yêu cầu #1"),
        );

        press(server, supportUser, card, "Duyệt");
        await server.waitFor(
          (c) =>
            c.method === "editMessageText" &&
            String(c.payload.text).includes("#1 đã duyệt bởi Phạm Văn Hùng"),
        );
        const password = await server.waitFor(
          (c) => c.method === "sendMessage" && String(c.payload.text).includes("Mật khẩu tạm:"),
        );
        expect(Number(password.payload.chat_id)).toBe(5001);

        const rows = await database.execute<{
          address: string;
          status: string;
          must_change_password: boolean;
          password_hash: string;
        }>("select address, status, must_change_password, password_hash from mailboxes");
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          address: "huynhngocduc@phuyen.gov.vn",
          status: "active",
          must_change_password: true,
        });
        expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
        const [request] = await database.execute<{ state: string }>(
          "select state from requests where id = 1",
        );
        expect(request?.state).toBe("approved");
        // The deletion of the password message is queued in the database, not in memory.
        const [queued] = await database.execute<{ n: number }>(
          "select count(*)::int as n from chat_sessions where key like 'msgdel:%'",
        );
        expect(queued?.n).toBe(1);
      } finally {
        const { code } = await run.stop();
        await database.close();
        expect(code, run.stderr()).toBe(0);
      }
    },
  );
});
