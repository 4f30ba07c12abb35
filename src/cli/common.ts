/** Flag definitions and zod schemas shared by several command groups. */
import { z } from "zod";
import { CALENDAR_MAX_YEAR, CALENDAR_MIN_YEAR, isoDateSchema, toVnIso } from "../calendar/index.ts";
import type { CliOption } from "./types.ts";

export const PROFILE_OPTION: CliOption = {
  type: "string",
  value: "P",
  vi: "Mã hồ sơ quy chế: mic, binhtan, phuyen, soctrang, ninhbinh, hoặc mã trong --profile-file",
  en: "Jurisdiction profile id: mic, binhtan, phuyen, soctrang, ninhbinh, or the id in --profile-file",
};

export const ROLE_OPTION: CliOption = {
  type: "string",
  value: "user|admin",
  vi: "Loại tài khoản: user (người dùng, mặc định) hoặc admin (quản trị)",
  en: "Account role: user (default) or admin",
};

/** Positionals the command does not take must be absent. */
export const noPositionals = z.array(z.string()).max(0, { message: "Lệnh này không nhận tham số vị trí." });

/** A calendar day the working-day calendar can handle. */
export const calendarDate = isoDateSchema.refine(
  (d) => {
    const year = Number(d.slice(0, 4));
    return year >= CALENDAR_MIN_YEAR && year <= CALENDAR_MAX_YEAR;
  },
  { message: `Năm phải từ ${CALENDAR_MIN_YEAR} đến ${CALENDAR_MAX_YEAR}.` },
);

export const roleSchema = z.enum(["user", "admin"], { message: "Chỉ nhận user hoặc admin." }).default("user");

const ISO_DATETIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An instant from an ISO 8601 string. Without an offset the wall time is Vietnam time
 * ("2026-02-13T16:00" = 16:00+07:00); a bare date means 00:00 in Vietnam.
 */
export const isoInstant = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const m = ISO_DATETIME.exec(s);
    const date = m?.[1];
    if (!m || date === undefined || !calendarDate.safeParse(date).success) {
      ctx.addIssue({
        code: "custom",
        message:
          "Thời điểm phải theo ISO 8601, ví dụ 2026-02-13T16:00:00+07:00, 2026-02-13T16:00 (giờ Việt Nam) hoặc 2026-02-13.",
      });
      return z.NEVER;
    }
    const [hh, mm, ss, ms] = [m[2] ?? "00", m[3] ?? "00", m[4] ?? "00", (m[5] ?? "0").padEnd(3, "0")];
    let offset = m[6] ?? "+07:00";
    if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
    const instant = new Date(`${date}T${hh}:${mm}:${ss}.${ms}${offset}`);
    if (Number.isNaN(instant.getTime()) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) {
      ctx.addIssue({ code: "custom", message: "Giờ không hợp lệ (00:00:00–23:59:59)." });
      return z.NEVER;
    }
    return instant;
  });

/** ISO with +07:00, or null. */
export function vnIsoOrNull(d: Date | null): string | null {
  return d === null ? null : toVnIso(d);
}

/** "dd/mm/yyyy hh:mm" in Vietnam time, for human output. */
export function vnHuman(d: Date): string {
  const iso = toVnIso(d);
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

/**
 * Runs `schema` inside a transform, copying its issues. zod's `.pipe` needs the inner schema's
 * input type to match exactly, and the calendar's schemas take `unknown`.
 */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, ctx: z.RefinementCtx): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
  return z.NEVER;
}

/** `schema`, with `message` when the flag is missing altogether ("Thiếu --left YYYY-MM-DD."). */
export function required<T>(message: string, schema: z.ZodType<T>) {
  return z.unknown().transform((v, ctx): T => {
    if (v === undefined) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return parseWith(schema, v, ctx);
  });
}

/** Display width of a cell: NFC code points (Vietnamese letters are one column each). */
function cellWidth(text: string): number {
  return [...text.normalize("NFC")].length;
}

/**
 * A plain-text table for the terminal and for printing: a header, a rule, one line per row,
 * columns padded to their widest cell. Cells hold no line breaks.
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) =>
    rows.reduce((w, row) => {
      const cell = cellWidth(row[i] ?? "");
      return cell > w ? cell : w;
    }, cellWidth(h)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => {
        const text = c.normalize("NFC");
        return i === cells.length - 1 ? text : text + " ".repeat((widths[i] ?? 0) - cellWidth(text));
      })
      .join("  ")
      .trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}
