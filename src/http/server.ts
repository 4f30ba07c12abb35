/**
 * The one HTTP server of a mailbot process (Hono on @hono/node-server):
 *   POST <webhook path>   Telegram updates (webhook mode): secret header, 1 MB limit
 *   POST /api/activity    the mail server's activity feed: bearer token, 20 MB limit;
 *                         any other method 405 (Allow: POST)
 *   GET  /healthz         200 {"ok":true,"db":"ok"} or 503 (a load balancer's health check)
 *   GET  /metrics         Prometheus text (bearer METRICS_TOKEN when set)
 * Secrets and body limits are checked here and nowhere else, before any handler reads the body.
 * A body limit counts the bytes as they arrive (chunked bodies too) and a 413 closes the
 * connection, so a client does not wait on a half-read request.
 *
 * A Telegram update that fails because the database is unreachable is answered 503: Telegram
 * re-sends it later instead of it being lost (see src/db/unavailable.ts). So is one that another
 * instance is handling right now (src/bot/middleware/dedupe.ts).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { webhookCallback, type Bot } from "grammy";
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { BotContext } from "../bot/context.ts";
import { isUpdateBusy } from "../bot/middleware/dedupe.ts";
import type { Database } from "../db/client.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import type { Logger } from "../logger.ts";
import { registry } from "../metrics.ts";
import { ACTIVITY_PATH, activityResponse } from "../services/activity-http.ts";
import { bearerOf, secretMatches } from "./secrets.ts";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** Telegram's updates are small; anything bigger is not from Telegram. */
export const WEBHOOK_MAX_BYTES = 1024 * 1024;
export const ACTIVITY_MAX_BYTES = 20 * 1024 * 1024;
/** grammY answers 200 after this and keeps handling (Telegram gives up at about 10 s). */
const WEBHOOK_TIMEOUT_MS = 9_000;

export interface WebhookRoute {
  bot: Bot<BotContext>;
  /** Path Telegram posts to (the path of WEBHOOK_URL). */
  path: string;
  secret: string;
}

export interface ActivityRoute {
  database: Database;
  /** The shared secret (ACTIVITY_API_TOKEN). */
  token: string;
  now?: () => Date;
}

export interface HttpOptions {
  logger: Logger;
  /** Database liveness for /healthz. */
  health: () => Promise<boolean>;
  webhook?: WebhookRoute;
  activity?: ActivityRoute;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** Per-route body limits (tests lower them). */
  limits?: { webhook?: number; activity?: number };
}

const problem = (code: string, message: string) => ({ ok: false, error: { code, message } });

/** 413 and close: the rest of the body is never read, so the connection cannot be reused. */
function limit(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: (c) => {
      c.header("Connection", "close");
      return c.json(
        problem("too_large", `Nội dung vượt quá ${Math.round(maxSize / 1024)} KB: chia nhỏ rồi gửi lại.`),
        413,
      );
    },
  });
}

/** Webhook and activity calls must carry their secret; the body is not read otherwise. */
function requireSecret(check: (c: Context) => boolean, onFail: (c: Context) => Response): MiddlewareHandler {
  return async (c, next) => {
    if (!check(c)) return onFail(c);
    await next();
  };
}

export function createHttpApp(options: HttpOptions): Hono {
  const app = new Hono();
  const { logger } = options;

  app.get("/healthz", async (c) => {
    const db = await options.health().catch(() => false);
    return c.json({ ok: db, db: db ? "ok" : "error" }, db ? 200 : 503);
  });

  app.get("/metrics", async (c) => {
    if (
      options.metricsToken !== undefined &&
      !secretMatches(bearerOf(c.req.header("authorization")), options.metricsToken)
    ) {
      c.header("WWW-Authenticate", "Bearer");
      return c.json(problem("unauthorized", "Thiếu hoặc sai mã truy cập /metrics."), 401);
    }
    return c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });
  });

  if (options.webhook) {
    const { bot, path, secret } = options.webhook;
    // The secret is checked by requireSecret below, the one place; grammY gets none to check.
    const handle = webhookCallback(bot, "hono", {
      onTimeout: "return",
      timeoutMilliseconds: WEBHOOK_TIMEOUT_MS,
    });
    app.post(
      path,
      requireSecret(
        (c) => secretMatches(c.req.header(SECRET_HEADER), secret),
        (c) => {
          logger.warn({ path }, "webhook call with a wrong secret token");
          c.header("Connection", "close");
          return c.json({ ok: false, error: "unauthorized" }, 401);
        },
      ),
      limit(options.limits?.webhook ?? WEBHOOK_MAX_BYTES),
      async (c) => {
        try {
          return await handle(c);
        } catch (error) {
          if (error instanceof SyntaxError) return c.json({ ok: false, error: "bad json" }, 400);
          if (isUpdateBusy(error)) {
            // Another instance is handling it: the re-send finds it done, or takes it over if that
            // instance died (src/bot/middleware/dedupe.ts).
            return c.json({ ok: false, error: "update being handled" }, 503, { "Retry-After": "2" });
          }
          if (isDatabaseUnavailable(error)) {
            // Not handled: Telegram re-sends it when it sees a non-2xx answer.
            logger.warn("database unavailable: update answered 503 so Telegram re-sends it");
            return c.json({ ok: false, error: "database unavailable" }, 503, { "Retry-After": "5" });
          }
          logger.error({ err: error }, "webhook update failed");
          return c.json({ ok: false }, 500);
        }
      },
    );
  }

  if (options.activity) {
    const activity = options.activity;
    app.post(
      ACTIVITY_PATH,
      requireSecret(
        (c) => secretMatches(bearerOf(c.req.header("authorization")), activity.token),
        (c) => {
          c.header("WWW-Authenticate", "Bearer");
          c.header("Connection", "close");
          return c.json(
            problem(
              "unauthorized",
              "Thiếu hoặc sai mã truy cập: gửi header Authorization: Bearer <ACTIVITY_API_TOKEN>.",
            ),
            401,
          );
        },
      ),
      limit(options.limits?.activity ?? ACTIVITY_MAX_BYTES),
      async (c) => {
        const body = await c.req.text();
        try {
          const answer = await activityResponse(activity.database, c.req.header("content-type") ?? "", body, {
            now: activity.now?.() ?? new Date(),
          });
          return c.json(answer.body, answer.status as 200);
        } catch (error) {
          logger.error({ err: error }, "activity import failed");
          const status = isDatabaseUnavailable(error) ? 503 : 500;
          return c.json(problem("internal", "Lỗi máy chủ khi ghi dữ liệu; gửi lại sau."), status);
        }
      },
    );
    app.all(ACTIVITY_PATH, (c) =>
      c.json(problem("method_not_allowed", "Chỉ nhận POST."), 405, { Allow: "POST" }),
    );
  }

  app.notFound((c) => c.json(problem("not_found", "Không có đường dẫn này."), 404));
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, "http handler failed");
    return c.json(problem("internal", "Lỗi máy chủ."), 500);
  });
  return app;
}

export interface HttpServer {
  server: Server;
  /** The bound port (port 0 in tests). */
  port: number;
  url: string;
  /** Stops accepting connections and closes idle keep-alive ones; resolves when closed. */
  close(): Promise<void>;
}

export async function startHttpServer(
  options: HttpOptions & { port: number; host?: string },
): Promise<HttpServer> {
  const app = createHttpApp(options);
  const host = options.host ?? "0.0.0.0";
  // A port in use must fail the start-up (rejected), not crash the process later.
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }) as Server;
    s.once("error", reject);
    s.once("listening", () => {
      s.off("error", reject);
      resolve(s);
    });
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ port, host }, "http server listening");
  return {
    server,
    port,
    url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Keep-alive connections (the mail server's, Telegram's) would otherwise hold it open.
        server.closeIdleConnections();
      }),
  };
}
