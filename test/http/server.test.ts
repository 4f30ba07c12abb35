/**
 * The one HTTP server: webhook (secret, body limit), /healthz, /metrics, /api/activity (405 for
 * other methods, streamed body limit), and a 413 that closes the connection.
 */
import { request, Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { feature as help } from "../../commands/help.ts";
import { feature as start } from "../../commands/start.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { silentLogger } from "../../src/logger.ts";
import { metrics } from "../../src/metrics.ts";
import { createServices } from "../../src/services/index.ts";
import { BotHarness } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";

const SECRET = "webhook-secret-0123456789";
const TOKEN = "activity-token-0123456789abcdef";
const METRICS = "metrics-token-0123456789abcdef";
const LIMIT = 64 * 1024;

/** Sends `total` bytes as a chunked body (no Content-Length) on `agent`; resolves with the status. */
function postChunked(
  url: string,
  headers: Record<string, string>,
  total: number,
  agent: Agent,
): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    // The server may close while we are still writing: that is the point, not a failure.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    const chunk = Buffer.alloc(16 * 1024, "a");
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

function get(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error("the request hung")));
    req.end();
  });
}

describeEachDb("one HTTP server", (getDb) => {
  let h: BotHarness;
  let server: HttpServer;
  let healthy = true;
  let updateId = 7_700_000;

  beforeAll(async () => {
    h = await BotHarness.create({ services: createServices(getDb()), features: [start, help] });
    metrics.watchDatabase(getDb());
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      logger: silentLogger(),
      health: async () => {
        if (!healthy) throw new Error("db down");
        await getDb().execute("select 1");
        return true;
      },
      webhook: { bot: h.bot, path: "/telegram", secret: SECRET },
      activity: { database: getDb(), token: TOKEN },
      metricsToken: METRICS,
      limits: { webhook: LIMIT, activity: LIMIT },
    });
  });
  afterAll(async () => {
    await server?.close();
    metrics.watchDatabase(undefined);
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
    return fetch(`${server.url}/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(update),
    });
  };

  describe("webhook", () => {
    it("refuses a call without the secret header, or with a wrong one (401), and handles nothing", async () => {
      h.clearCalls();
      expect((await post({})).status).toBe(401);
      expect((await post({ "X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789" })).status).toBe(401);
      expect((await post({ "X-Telegram-Bot-Api-Secret-Token": SECRET.slice(0, -1) })).status).toBe(401);
      expect(h.calls).toHaveLength(0);
    });

    it("handles an update with the right secret, and counts it for /metrics", async () => {
      h.clearCalls();
      const before =
        (await metrics.updatesHandled.get()).values.find((v) => v.labels.outcome === "ok")?.value ?? 0;
      const response = await post({ "X-Telegram-Bot-Api-Secret-Token": SECRET });
      expect(response.status).toBe(200);
      expect(h.lastReply(640_001)).toMatch(/Tài khoản chưa liên kết/);
      const after = (await metrics.updatesHandled.get()).values.find((v) => v.labels.outcome === "ok")?.value;
      expect(after).toBe(before + 1);
    });

    it("counts a chunked body as it arrives: 413, connection closed, the next request answered", async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        h.clearCalls();
        const answer = await postChunked(
          `${server.url}/telegram`,
          { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
          3 * 1024 * 1024,
          agent,
        );
        expect(answer.status).toBe(413);
        expect(answer.connection).toBe("close");
        expect(h.calls).toHaveLength(0);
        // Same agent, one socket: it must not wait on the half-read connection.
        expect(await get(`${server.url}/healthz`, agent)).toBe(200);
      } finally {
        agent.destroy();
      }
    });

    it("refuses a declared Content-Length over the limit without reading it", async () => {
      const response = await fetch(`${server.url}/telegram`, {
        method: "POST",
        headers: { "x-telegram-bot-api-secret-token": SECRET, "content-type": "application/json" },
        body: "x".repeat(LIMIT + 1),
      });
      expect(response.status).toBe(413);
    });
  });

  describe("activity endpoint", () => {
    it("GET /api/activity answers 405 with Allow: POST", async () => {
      const response = await fetch(`${server.url}/api/activity`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect((await fetch(`${server.url}/api/activity`, { method: "PUT" })).status).toBe(405);
    });

    it("a chunked body over the limit is 413 and the keep-alive client is not left hanging", async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const answer = await postChunked(
          `${server.url}/api/activity`,
          { "content-type": "application/x-ndjson", authorization: `Bearer ${TOKEN}` },
          3 * 1024 * 1024,
          agent,
        );
        expect(answer.status).toBe(413);
        expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: { code: "too_large" } });
        expect(await get(`${server.url}/healthz`, agent)).toBe(200);
      } finally {
        agent.destroy();
      }
    });

    it("without the token: 401 before the body is read", async () => {
      const response = await fetch(`${server.url}/api/activity`, { method: "POST", body: "{}" });
      expect(response.status).toBe(401);
    });
  });

  it("GET /healthz reports the database", async () => {
    const ok = await fetch(`${server.url}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, db: "ok" });
    healthy = false;
    const down = await fetch(`${server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ ok: false, db: "error" });
    healthy = true;
  });

  it("GET /metrics needs its token and serves Prometheus text with the bot's and the sweep's metrics", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      "mailbot_updates_handled_total",
      "mailbot_update_duration_seconds_bucket",
      "mailbot_sweep_duration_seconds",
      "mailbot_reminders_sent_total",
      "mailbot_reminders_failed_total",
      "mailbot_claim_takeovers_total",
      "mailbot_sweep_items_total",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/^mailbot_db_up 1$/m);
    expect(text).toMatch(/^mailbot_db_pool_size [1-9]\d*$/m);
  });

  it("unknown paths are 404", async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});
