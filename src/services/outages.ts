/**
 * Planned outages of the mail service (table planned_outages): recorded by the operator
 * (`mailbot outage add|list|cancel`) so the reminder sweep can remind the support chat to give
 * the notice the regulation asks for (mic Điều 10.3, phuyen Điều 8.1c: at least 03 working days
 * ahead). One transaction + one audit row per change; recording the same outage again (same
 * profile, start and end) changes nothing and returns the first record.
 */
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { vnDateOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { plannedOutages, type PlannedOutage } from "../db/schema.ts";
import { outageNoticeBy, outageNoticeDuty } from "../policy/outages.ts";
import { findProfile, profileIds } from "../policy/profiles/index.ts";
import { actorLabel, writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import type { Actor } from "./types.ts";

export interface OutageView {
  id: number;
  /** null: every profile of the deployment. */
  profileId: string | null;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  cancelledAt: Date | null;
  /**
   * The last day to notify (policy/outages.ts) under the profile's regulation; for an outage of
   * every profile, the earliest among the profiles with the duty. null: no profile has the duty.
   */
  noticeBy: IsoDate | null;
  /** The article the notice comes from ("Điều 10.3"), with noticeBy. */
  article: string | null;
}

export interface OutagesService {
  /** Records a planned outage; `created` false when the same outage was already recorded. */
  add(
    input: { startsAt: Date; endsAt: Date; reason: string; profileId?: string | null },
    actor: Actor,
  ): Promise<{ outage: OutageView; created: boolean }>;
  /** Outages not cancelled that have not ended yet (all of them with `all`), by start. */
  list(options?: { all?: boolean }): Promise<OutageView[]>;
  /** Cancels one; `cancelled` false when it already was. */
  cancel(id: number, actor: Actor): Promise<{ outage: OutageView; cancelled: boolean }>;
}

const Input = z.object({
  startsAt: z.date(),
  endsAt: z.date(),
  reason: z
    .string()
    .trim()
    .min(3, "lý do quá ngắn (ít nhất 3 ký tự)")
    .max(300, "lý do dài quá 300 ký tự")
    .transform((s) => s.normalize("NFC")),
  profileId: z.string().trim().nullable().optional(),
});

export function createOutagesService(ctx: ServiceContext): OutagesService {
  const { db } = ctx.database;

  async function view(row: PlannedOutage): Promise<OutageView> {
    const calendar = await ctx.calendar();
    const ids = row.profileId === null ? profileIds() : [row.profileId];
    let noticeBy: IsoDate | null = null;
    let article: string | null = null;
    for (const id of ids) {
      const profile = findProfile(id);
      const duty = profile ? outageNoticeDuty(profile) : null;
      if (!duty) continue;
      const by = outageNoticeBy(calendar, row.startsAt, duty.beforeOutageWorkingDays);
      if (noticeBy === null || by < noticeBy) {
        noticeBy = by;
        article = duty.article;
      }
    }
    return {
      id: row.id,
      profileId: row.profileId,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      reason: row.reason,
      createdBy: row.createdBy,
      cancelledAt: row.cancelledAt,
      noticeBy,
      article,
    };
  }

  return {
    async add(raw, actor) {
      const parsed = Input.safeParse(raw);
      if (!parsed.success) {
        throw new ServiceError(
          "invalid_input",
          `Lịch tạm ngừng không hợp lệ: ${parsed.error.issues[0]?.message}. Hãy nhập thời điểm bắt đầu, kết thúc và lý do.`,
        );
      }
      const input = parsed.data;
      const profileId = input.profileId ?? null;
      if (profileId !== null && !profileIds().includes(profileId)) {
        throw new ServiceError(
          "invalid_input",
          `Hồ sơ quy chế "${profileId}" không tồn tại. Hãy chọn một trong: ${profileIds().join(", ")}, hoặc bỏ --profile để áp dụng cho mọi hồ sơ.`,
        );
      }
      if (input.endsAt.getTime() <= input.startsAt.getTime()) {
        throw new ServiceError(
          "invalid_input",
          "Thời điểm kết thúc phải sau thời điểm bắt đầu. Hãy kiểm tra lại --from và --to.",
        );
      }
      if (input.startsAt.getTime() <= ctx.now().getTime()) {
        throw new ServiceError(
          "invalid_input",
          "Thời điểm bắt đầu đã qua: chỉ ghi nhận lịch tạm ngừng sắp tới, để kịp thông báo trước. Hãy kiểm tra lại --from.",
        );
      }
      const result = await db.transaction(async (tx) => {
        // The partial unique index (profile, start, end, not cancelled) decides: a retry, a re-run
        // script or two at once insert one row, and only that one is audited.
        const inserted = await tx
          .insert(plannedOutages)
          .values({
            profileId,
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            reason: input.reason,
            createdBy: actorLabel(actor),
          })
          .onConflictDoNothing()
          .returning();
        const row = inserted[0];
        if (row) {
          await writeAudit(tx, {
            actor,
            action: "outage.add",
            entity: "planned_outage",
            entityId: row.id,
            details: {
              profileId,
              startsAt: input.startsAt.toISOString(),
              endsAt: input.endsAt.toISOString(),
              reason: input.reason,
            },
          });
          return { row, created: true };
        }
        const [existing] = await tx
          .select()
          .from(plannedOutages)
          .where(
            and(
              sql`coalesce(${plannedOutages.profileId}, '') = ${profileId ?? ""}`,
              eq(plannedOutages.startsAt, input.startsAt),
              eq(plannedOutages.endsAt, input.endsAt),
              isNull(plannedOutages.cancelledAt),
            ),
          );
        if (!existing) throw new Error("planned_outages: conflict without a live row");
        return { row: existing, created: false };
      });
      return { outage: await view(result.row), created: result.created };
    },

    async list(options = {}) {
      const rows = await db
        .select()
        .from(plannedOutages)
        .where(
          options.all
            ? undefined
            : and(isNull(plannedOutages.cancelledAt), gt(plannedOutages.endsAt, ctx.now())),
        )
        .orderBy(asc(plannedOutages.startsAt), asc(plannedOutages.id));
      const views: OutageView[] = [];
      for (const row of rows) views.push(await view(row));
      return views;
    },

    async cancel(id, actor) {
      const result = await db.transaction(async (tx) => {
        const [row] = await tx.select().from(plannedOutages).where(eq(plannedOutages.id, id)).for("update");
        if (!row) {
          throw new ServiceError(
            "not_found",
            `Không có lịch tạm ngừng #${id}. Hãy xem danh sách bằng lệnh "outage list".`,
          );
        }
        if (row.cancelledAt !== null) return { row, cancelled: false };
        const now = ctx.now();
        const [updated] = await tx
          .update(plannedOutages)
          .set({ cancelledAt: now, cancelledBy: actorLabel(actor) })
          .where(eq(plannedOutages.id, id))
          .returning();
        await writeAudit(tx, {
          actor,
          action: "outage.cancel",
          entity: "planned_outage",
          entityId: id,
          details: { startsAt: row.startsAt.toISOString(), day: vnDateOf(row.startsAt) },
        });
        return { row: updated ?? row, cancelled: true };
      });
      return { outage: await view(result.row), cancelled: result.cancelled };
    },
  };
}
