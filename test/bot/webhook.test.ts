import { afterAll, beforeAll, expect, it } from "vitest";
import { feature as help } from "../../commands/help.ts";
import { feature as start } from "../../commands/start.ts";
import { startWebhook, type WebhookServer } from "../../src/bot/transports/webhook.ts";
import { createServices } from "../../src/services/index.ts";
import { silentLogger } from "../../src/logger.ts";
import { BotHarness } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";

const SECRET = "webhook-secret-0123456789";

describeEachDb("webhook transport", (getDb) => {
  let h: BotHarness;
  let server: WebhookServer;
  let healthy = true;
  let updateId = 7_700_000;

  beforeAll(async () => {
    h = await BotHarness.create({ services: createServices(getDb()), features: [start, help] });
    server = await startWebhook(h.bot, {
      port: 0,
      host: "127.0.0.1",
      path: "/telegram",
      secret: SECRET,
      logger: silentLogger(),
      health: async () => {
        if (!healthy) throw new Error("db down");
        await getDb().execute("select 1");
        return true;
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (headers: Record<string, string>) => {
    const user = { id: 640_001, is_bot: false, first_name: "Web" };
    const update = {
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: 1_790_000_000,
        chat: { id: user.id, type: "private", first_name: "Web" },
        from: user,
        text: "/help",
        entities: [{ type: "bot_command", offset: 0, length: 5 }],
      },
    };
    return fetch(`http://127.0.0.1:${server.port}/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(update),
    });
  };

  it("refuses a call without the secret header, or with a wrong one (401), and handles nothing", async () => {
    h.clearCalls();
    expect((await post({})).status).toBe(401);
    expect((await post({ "X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789" })).status).toBe(401);
    expect((await post({ "X-Telegram-Bot-Api-Secret-Token": SECRET.slice(0, -1) })).status).toBe(401);
    expect(h.calls).toHaveLength(0);
  });

  it("handles an update with the right secret", async () => {
    h.clearCalls();
    const response = await post({ "X-Telegram-Bot-Api-Secret-Token": SECRET });
    expect(response.status).toBe(200);
    expect(h.lastReply(640_001)).toMatch(/Tài khoản chưa liên kết/);
  });

  it("GET /healthz reports the database", async () => {
    const ok = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, db: "ok" });
    healthy = false;
    const down = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, db: "error" });
    healthy = true;
  });

  it("extra routes can be mounted on the same server; unknown paths are 404", async () => {
    server.route("POST", "/api/activity", (_req, res) => {
      res.writeHead(202).end();
    });
    expect((await fetch(`http://127.0.0.1:${server.port}/api/activity`, { method: "POST" })).status).toBe(
      202,
    );
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });
});
