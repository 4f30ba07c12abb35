/**
 * Webhook mode: a node:http server on PORT.
 * - POST <path of WEBHOOK_URL> (default /telegram): the `X-Telegram-Bot-Api-Secret-Token` header
 *   must equal WEBHOOK_SECRET on every call (constant-time comparison), else 401 and the body is
 *   not even read. Then grammY's webhookCallback. A slow update is answered 200 after 9 s and
 *   keeps running (onTimeout "return"), so Telegram does not re-send it; re-sent updates are
 *   dropped by the de-duplication anyway.
 * - GET /healthz: 200 {"ok":true,"db":"ok"} or 503 when the database does not answer.
 * - `route(method, path, handler)`: more endpoints on the same server (POST /api/activity later).
 * `stop()` stops accepting connections, then waits for in-flight updates.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { webhookCallback, type Bot } from "grammy";
import type { Logger } from "../../logger.ts";
import type { BotContext } from "../context.ts";
import { drain } from "../create-bot.ts";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram's updates are small; anything bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface WebhookOptions {
  port: number;
  host?: string;
  /** Path Telegram posts to (the path of WEBHOOK_URL). */
  path: string;
  secret: string;
  logger: Logger;
  /** Database liveness for /healthz. */
  health: () => Promise<boolean>;
}

export interface WebhookServer {
  server: Server;
  /** The bound port (useful with port 0 in tests). */
  port: number;
  route(method: string, path: string, handler: RouteHandler): void;
  stop(): Promise<void>;
}

export function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  const given = Buffer.from(Array.isArray(header) ? (header[0] ?? "") : (header ?? ""));
  const expected = Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function webhookPathOf(url: string | undefined): string {
  if (!url) return "/telegram";
  const path = new URL(url).pathname;
  return path === "" || path === "/" ? "/telegram" : path;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

export async function startWebhook(bot: Bot<BotContext>, options: WebhookOptions): Promise<WebhookServer> {
  await bot.init();
  const handleUpdate = webhookCallback(bot, "http", {
    secretToken: options.secret,
    onTimeout: "return",
    timeoutMilliseconds: 9_000,
  });
  const routes = new Map<string, RouteHandler>();
  routes.set(`GET /healthz`, async (_req, res) => {
    const db = await options.health().catch(() => false);
    json(res, db ? 200 : 503, { ok: db, db: db ? "ok" : "error" });
  });
  routes.set(`POST ${options.path}`, async (req, res) => {
    if (!secretMatches(req.headers[SECRET_HEADER], options.secret)) {
      options.logger.warn({ ip: req.socket.remoteAddress }, "webhook call with a wrong secret token");
      json(res, 401, { ok: false, error: "unauthorized" });
      req.resume();
      return;
    }
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
      json(res, 413, { ok: false, error: "payload too large" });
      req.resume();
      return;
    }
    await handleUpdate(req, res);
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const handler = routes.get(`${req.method} ${path}`);
    if (!handler) {
      json(res, 404, { ok: false, error: "not found" });
      req.resume();
      return;
    }
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      options.logger.error({ err: error, path }, "webhook server handler failed");
      if (!res.headersSent) json(res, 500, { ok: false });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port, path: options.path }, "webhook server listening");

  return {
    server,
    port,
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await drain(bot);
      await closed;
      options.logger.info("webhook server stopped");
    },
  };
}
