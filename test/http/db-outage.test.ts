/**
 * Issue 9.3: an update that arrives while PostgreSQL is unreachable is not lost. A TCP proxy in
 * front of the test server is cut and restored under the bot (the machine's server keeps running).
 *   - webhook: answered 503 (Telegram re-sends), handled once when re-sent after the outage;
 *   - an outage in the middle of a handler (after the de-duplication claim): the claim is given
 *     back, so the re-sent update is handled;
 *   - long polling: the offset is not confirmed; the update is fetched again and handled once.
 */
import { Composer } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feature as help } from "../../commands/help.ts";
import type { BotContext, BotFeature } from "../../src/bot/context.ts";
import { startPolling, type PollingHandle } from "../../src/bot/transports/polling.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { silentLogger } from "../../src/logger.ts";
import { metrics } from "../../src/metrics.ts";
import { createServices } from "../../src/services/index.ts";
import { BotHarness } from "../helpers/bot.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { TcpProxy } from "../helpers/tcp-proxy.ts";

const SECRET = "webhook-secret-0123456789";
const hasPostgres = Boolean(process.env.TEST_DATABASE_URL?.trim());

/** Polls `check` until it holds (no fixed sleeps: the machine may be slow). */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!hasPostgres)("database outage under the bot [postgres]", () => {
  let owner: Database;
  let proxied: Database;
  const proxy = new TcpProxy("127.0.0.1", 5432);
  let cutMidway = true;

  // A command whose handler loses the database after its update was claimed.
  const outage = new Composer<BotContext>();
  outage.command("matdien", async (ctx) => {
    if (cutMidway) {
      cutMidway = false;
      await proxy.cut();
    }
    await ctx.services.chatState.getSession("matdien");
    await ctx.reply("đã xử lý matdien");
  });
  const outageFeature: BotFeature = {
    name: "matdien",
    composer: outage,
    commands: [{ command: "matdien", description: "thử mất kết nối", audience: "everyone", place: "any" }],
  };

  beforeAll(async () => {
    owner = await openTestDatabase("postgres");
    if (owner.driver !== "postgres") throw new Error("unreachable");
    const target = new URL(owner.url);
    await proxy.start();
    target.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({ url: target.toString(), maxConnections: 4 });
  });
  afterAll(async () => {
    await proxy.restore();
    await proxied?.close();
    await proxy.stop();
    await owner?.close();
  });

  const claimed = async (updateId: number) =>
    (
      await owner.execute<{ n: number }>(
        `select count(*)::int as n from processed_updates where update_id = ${updateId}`,
      )
    )[0]?.n === 1;

  describe("webhook", () => {
    let h: BotHarness;
    let server: HttpServer;
    beforeAll(async () => {
      h = await BotHarness.create({ services: createServices(proxied), features: [help, outageFeature] });
      server = await startHttpServer({
        port: 0,
        host: "127.0.0.1",
        logger: silentLogger(),
        health: async () => {
          await proxied.execute("select 1");
          return true;
        },
        webhook: { bot: h.bot, path: "/telegram", secret: SECRET },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    const update = (userId: number, text: string): Update => {
      const user = h.user(userId, "Mất Điện");
      return { update_id: h.nextUpdateId(), message: h.message(user, h.privateChat(user), text) } as Update;
    };
    const post = (body: Update) =>
      fetch(`${server.url}/telegram`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(body),
      });
    const repliesTo = (chatId: number) =>
      h.api.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === chatId).length;

    it("answers 503 while the database is away and handles the re-sent update once it is back", async () => {
      const before = update(650_001, "/help");
      expect((await post(before)).status).toBe(200);
      expect(repliesTo(650_001)).toBe(1);

      await proxy.cut();
      const during = update(650_002, "/help");
      const refused = await post(during);
      expect(refused.status).toBe(503);
      expect(repliesTo(650_002)).toBe(0);
      await proxy.restore();

      // Telegram re-sends the same update; a second re-send (say, after a slow answer) is dropped.
      expect((await post(during)).status).toBe(200);
      expect((await post(during)).status).toBe(200);
      expect(repliesTo(650_002)).toBe(1);
      expect(await claimed(during.update_id)).toBe(true);
    });

    it("an outage after the claim gives the claim back, so the re-sent update is handled", async () => {
      const u = update(650_003, "/matdien");
      expect((await post(u)).status).toBe(503);
      expect(repliesTo(650_003)).toBe(0);
      await proxy.restore();
      // The claim is released in the background once the database answers.
      await until(async () => !(await claimed(u.update_id)), "the claim to be given back");
      expect((await post(u)).status).toBe(200);
      expect(h.api.calls.filter((c) => c.payload.text === "đã xử lý matdien")).toHaveLength(1);
    });
  });

  describe("long polling", () => {
    let h: BotHarness;
    let polling: PollingHandle;
    beforeAll(async () => {
      h = await BotHarness.create({ services: createServices(proxied), features: [help] });
      polling = await startPolling(h.bot, silentLogger(), {
        health: async () => {
          await proxied.execute("select 1");
          return true;
        },
        timeoutSeconds: 1,
        retryMs: 50,
      });
    });
    afterAll(async () => {
      await polling?.stop();
    });

    const queue = (userId: number, text: string): Update => {
      const user = h.user(userId, "Thăm Dò");
      const u = {
        update_id: h.nextUpdateId(),
        message: h.message(user, h.privateChat(user), text),
      } as Update;
      h.api.queueUpdate(u);
      return u;
    };
    const repliesTo = (chatId: number) =>
      h.api.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) === chatId).length;
    const deferred = async () =>
      (await metrics.updatesHandled.get()).values.find((v) => v.labels.outcome === "deferred")?.value ?? 0;

    it("does not confirm the offset of an update it could not handle, and handles it once the database is back", async () => {
      queue(660_001, "/help");
      await until(() => repliesTo(660_001) === 1, "the first reply");

      const deferredBefore = await deferred();
      await proxy.cut();
      const during = queue(660_002, "/help");
      const after = queue(660_003, "/help");
      // The loop fetches them, cannot claim them, and keeps the offset (counted as deferred).
      await until(async () => (await deferred()) > deferredBefore, "the batch to be deferred");
      expect(repliesTo(660_002)).toBe(0);
      await proxy.restore();

      await until(() => repliesTo(660_002) === 1 && repliesTo(660_003) === 1, "both updates handled");
      expect(await claimed(during.update_id)).toBe(true);
      expect(await claimed(after.update_id)).toBe(true);
      // Fetched again after the outage, but never handled twice.
      expect(repliesTo(660_002)).toBe(1);
      expect(repliesTo(660_003)).toBe(1);
    });
  });
});
