/**
 * `POST /api/activity`: what the mail server pushes (the same records as `mailbot activity
 * import`). Body: JSON lines (application/x-ndjson), a JSON array or {"records": [...]}
 * (application/json), or CSV (text/csv). The HTTP side (bearer token, body limit, 405 for other
 * methods) is src/http/server.ts; this module turns a body into an answer:
 * 400 nothing usable in the body, 200 with the import report (bad records listed with their
 * line numbers, the good ones applied).
 */
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { metrics } from "../metrics.ts";
import {
  arraySource,
  csvSource,
  detectSource,
  ingestActivity,
  jsonLinesSource,
  type ActivityReport,
  type ActivitySource,
} from "./activity.ts";
import { SYSTEM } from "./types.ts";

export const ACTIVITY_PATH = "/api/activity";

export const ActivityTokenSchema = z
  .string({ message: "ACTIVITY_API_TOKEN chưa được đặt." })
  .trim()
  .min(16, { message: "ACTIVITY_API_TOKEN phải dài ít nhất 16 ký tự (ví dụ: openssl rand -hex 32)." });

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } });

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

export interface ActivityAnswer {
  status: 200 | 400;
  body: { ok: boolean; report?: ActivityReport; error?: { code: string; message: string } };
}

/** Parses and ingests one request body. Database failures are thrown (the server answers 5xx). */
export async function activityResponse(
  database: Database,
  contentType: string,
  body: string,
  options: { now: Date },
): Promise<ActivityAnswer> {
  if (body.trim() === "")
    return { status: 400, body: failure("empty", "Nội dung rỗng: không có bản ghi nào.") };
  const source = sourceOf(contentType, body);
  if (typeof source === "string") return { status: 400, body: failure("bad_body", source) };
  const report = await ingestActivity(database, source, { now: options.now, actor: SYSTEM });
  metrics.activityRecords.inc({ result: "accepted" }, report.accepted);
  metrics.activityRecords.inc({ result: "rejected" }, report.errorCount);
  const status = report.accepted === 0 && report.errorCount > 0 ? 400 : 200;
  return { status, body: { ok: status === 200, report } };
}
