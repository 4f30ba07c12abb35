/**
 * `POST /api/activity`: the mail server pushes activity (same records as `mailbot activity
 * import`). Bearer token from ACTIVITY_API_TOKEN, compared in constant time. Body: JSON lines
 * (application/x-ndjson), a JSON array or {"records": [...]} (application/json), or CSV
 * (text/csv). Answers JSON: 401 bad/missing token, 405 wrong method, 413 too large, 400 nothing
 * usable in the body, 200 with the import report (bad records listed with their line numbers).
 *
 * `createActivityHandler` returns a handler that answers only its own path and returns false
 * for any other request, so the bot's webhook server can mount it in front of its own routes;
 * `startActivityServer` runs it standalone.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Logger } from "./context.ts";
import {
  arraySource,
  csvSource,
  detectSource,
  ingestActivity,
  jsonLinesSource,
  type ActivitySource,
} from "./activity.ts";
import { SYSTEM } from "./types.ts";

export const ACTIVITY_PATH = "/api/activity";
const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export const ActivityTokenSchema = z
  .string({ message: "ACTIVITY_API_TOKEN chưa được đặt." })
  .trim()
  .min(16, { message: "ACTIVITY_API_TOKEN phải dài ít nhất 16 ký tự (ví dụ: openssl rand -hex 32)." });

export interface ActivityHandlerOptions {
  database: Database;
  /** The shared secret (ACTIVITY_API_TOKEN). */
  token: string;
  path?: string;
  maxBodyBytes?: number;
  now?: () => Date;
  logger?: Logger;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** Constant-time: compares fixed-length digests, so neither content nor length leaks. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

function reply(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } });

async function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > max) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sourceOf(contentType: string, body: string): ActivitySource | string {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "text/csv") return csvSource(body, "http");
  if (type === "application/x-ndjson" || type === "application/jsonl") return jsonLinesSource(body, "http");
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 'Nội dung không phải JSON hợp lệ. Gửi một mảng bản ghi, {"records": [...]} hoặc JSON lines (application/x-ndjson).';
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { records?: unknown })?.records;
    if (!Array.isArray(list)) return 'Thiếu danh sách bản ghi: gửi một mảng hoặc {"records": [...]}.';
    return arraySource(list, "http");
  }
  return detectSource(body, "http");
}

export function createActivityHandler(options: ActivityHandlerOptions): NodeHandler {
  const token = ActivityTokenSchema.parse(options.token);
  const path = options.path ?? ACTIVITY_PATH;
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BYTES;
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== path) return false;
    const auth = req.headers.authorization;
    const presented = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
    if (!tokenMatches(presented, token)) {
      reply(
        res,
        401,
        failure(
          "unauthorized",
          "Thiếu hoặc sai mã truy cập: gửi header Authorization: Bearer <ACTIVITY_API_TOKEN>.",
        ),
        {
          "www-authenticate": "Bearer",
        },
      );
      return true;
    }
    if (req.method !== "POST") {
      reply(res, 405, failure("method_not_allowed", "Chỉ nhận POST."), { allow: "POST" });
      return true;
    }
    const body = await readBody(req, max);
    if (body === null) {
      reply(
        res,
        413,
        failure("too_large", `Nội dung quá ${Math.round(max / 1024 / 1024)} MB: chia nhỏ rồi gửi lại.`),
      );
      return true;
    }
    if (body.trim() === "") {
      reply(res, 400, failure("empty", "Nội dung rỗng: không có bản ghi nào."));
      return true;
    }
    const source = sourceOf(String(req.headers["content-type"] ?? ""), body);
    if (typeof source === "string") {
      reply(res, 400, failure("bad_body", source));
      return true;
    }
    try {
      const report = await ingestActivity(options.database, source, {
        now: options.now?.() ?? new Date(),
        actor: SYSTEM,
      });
      const status = report.accepted === 0 && report.errorCount > 0 ? 400 : 200;
      reply(res, status, { ok: status === 200, report });
    } catch (error) {
      options.logger?.error({ err: error }, "activity import failed");
      reply(res, 500, failure("internal", "Lỗi máy chủ khi ghi dữ liệu; thử lại sau."));
    }
    return true;
  };
}

/** Runs the handler on its own HTTP server (when the bot uses long polling, not a webhook). */
export async function startActivityServer(
  options: ActivityHandlerOptions & { port: number; host?: string },
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const handler = createActivityHandler(options);
  const server = createServer((req, res) => {
    handler(req, res)
      .then((handled) => {
        if (!handled) reply(res, 404, failure("not_found", "Không có đường dẫn này."));
      })
      .catch(() => reply(res, 500, failure("internal", "Lỗi máy chủ.")));
  });
  // A port in use must fail the start-up (rejected), not crash the process later ('error' event).
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    server,
    url: `http://${options.host ?? "127.0.0.1"}:${port}${options.path ?? ACTIVITY_PATH}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Keep-alive connections of the mail server would otherwise hold the shutdown up.
        server.closeIdleConnections();
      }),
  };
}
