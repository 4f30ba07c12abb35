/**
 * Absence notices (báo nghỉ: long leave, training, secondment): between its two days a mailbox
 * is not judged inactive and its reminders pause (the reminder sweep reads absence_notices).
 * Filed by the head of the mailbox's unit (or an admin); one transaction + one audit row.
 */
import { and, desc, eq, gte } from "drizzle-orm";
import { z } from "zod";
import { dayNumberOf, isoDateSchema, vnDateOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { absenceNotices, mailboxes, type AbsenceNotice } from "../db/schema.ts";
import type { AccessService } from "./access.ts";
import { writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import type { Actor } from "./types.ts";
import { mailboxByAddress, staffViewById } from "./views.ts";

export interface AbsenceView {
  id: number;
  mailboxId: number;
  address: string;
  startsOn: IsoDate;
  endsOn: IsoDate;
  reason: string | null;
}

export interface AbsencesService {
  create(
    input: { address: string; startsOn?: IsoDate; endsOn: IsoDate; reason: string },
    actor: Actor,
  ): Promise<AbsenceView>;
  /** Notices of a mailbox that have not ended by `today` (default: today in Vietnam). */
  current(address: string, today?: IsoDate): Promise<AbsenceView[]>;
}

const Input = z.object({
  address: z.string().trim().toLowerCase().min(3).max(254),
  startsOn: isoDateSchema.optional(),
  endsOn: isoDateSchema,
  reason: z.string().trim().min(3, "lý do quá ngắn").max(300, "lý do dài quá 300 ký tự"),
});

function absenceView(r: AbsenceNotice, address: string): AbsenceView {
  return {
    id: r.id,
    mailboxId: r.mailboxId,
    address,
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    reason: r.reason,
  };
}

/** A notice longer than this is not an absence but a departure (leaver rules apply). */
const MAX_DAYS = 366;

export function createAbsencesService(ctx: ServiceContext, access: AccessService): AbsencesService {
  const { db } = ctx.database;
  return {
    async create(raw, actor) {
      const parsed = Input.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ServiceError(
          "invalid_input",
          `Báo nghỉ không hợp lệ: ${issue?.message ?? "dữ liệu sai"}. Hãy sửa rồi gửi lại.`,
        );
      }
      const input = parsed.data;
      const today = vnDateOf(ctx.now());
      const startsOn = input.startsOn ?? today;
      if (input.endsOn < startsOn) {
        throw new ServiceError("invalid_input", "Ngày kết thúc báo nghỉ phải từ ngày bắt đầu trở đi.");
      }
      if (input.endsOn < today) throw new ServiceError("invalid_input", "Ngày kết thúc báo nghỉ đã qua.");
      const spanDays = dayNumberOf(input.endsOn) - dayNumberOf(startsOn);
      if (spanDays > MAX_DAYS) {
        throw new ServiceError(
          "invalid_input",
          "Báo nghỉ tối đa một năm; vắng lâu hơn là nghỉ việc hoặc chuyển công tác.",
        );
      }
      const mailbox = await mailboxByAddress(db, input.address);
      if (!mailbox)
        throw new ServiceError("not_found", `Không có hộp thư ${input.address}. Kiểm tra lại địa chỉ.`);
      if (mailbox.status === "revoked") {
        throw new ServiceError(
          "illegal_transition",
          `Hộp thư ${mailbox.address} đã bị thu hồi; không cần báo nghỉ.`,
        );
      }
      if (actor.kind === "staff") {
        const me = await staffViewById(db, actor.staffId);
        if (!me) throw new ServiceError("forbidden", "Tài khoản của bạn không còn trong danh bạ.");
        await access.requireMay(me, "mailbox.report_absence", mailbox);
      }
      const view = (r: AbsenceNotice) => absenceView(r, mailbox.address);
      return db.transaction(async (tx) => {
        // The mailbox row serialises notices for it, so a repeated submission (retry, double
        // click) finds the first one and changes nothing instead of filing it twice.
        await tx
          .select({ id: mailboxes.id })
          .from(mailboxes)
          .where(eq(mailboxes.id, mailbox.id))
          .for("update");
        const [same] = await tx
          .select()
          .from(absenceNotices)
          .where(
            and(
              eq(absenceNotices.mailboxId, mailbox.id),
              eq(absenceNotices.startsOn, startsOn),
              eq(absenceNotices.endsOn, input.endsOn),
              eq(absenceNotices.reason, input.reason),
            ),
          )
          .limit(1);
        if (same) return view(same);
        const [row] = await tx
          .insert(absenceNotices)
          .values({
            mailboxId: mailbox.id,
            startsOn,
            endsOn: input.endsOn,
            reason: input.reason,
            createdByStaffId: actor.kind === "staff" ? actor.staffId : null,
            createdAt: ctx.now(),
          })
          .returning();
        const notice = row as NonNullable<typeof row>;
        await writeAudit(tx, {
          actor,
          action: "absence.create",
          entity: "mailbox",
          entityId: mailbox.id,
          details: { address: mailbox.address, startsOn, endsOn: input.endsOn, reason: input.reason },
        });
        return view(notice);
      });
    },

    async current(address, today = vnDateOf(ctx.now())) {
      const mailbox = await mailboxByAddress(db, address);
      if (!mailbox) return [];
      const rows = await db
        .select()
        .from(absenceNotices)
        .where(and(eq(absenceNotices.mailboxId, mailbox.id), gte(absenceNotices.endsOn, today)))
        .orderBy(desc(absenceNotices.endsOn));
      return rows.map((r) => absenceView(r, mailbox.address));
    },
  };
}
