/** /khoiphuc and /doimk: a restore or a password reset of an existing mailbox. */
import { and, asc, eq, inArray } from "drizzle-orm";
import { formatVnDate, vnDateOf } from "../../calendar/time.ts";
import { mailboxes, requests } from "../../db/schema.ts";
import { ServiceError } from "../errors.ts";
import { operatorLockRefusal } from "../mailboxes.ts";
import type { Actor, RequestView } from "../types.ts";
import { mailboxByAddress } from "../views.ts";
import {
  actorStaff,
  byIdempotencyKey,
  deadlineFor,
  idempotent,
  insertRequest,
  MailboxRequestSchema,
  OPEN_STATES,
  parse,
  profileOf,
  requesterId,
  requestView,
  type MailboxRequestInput,
  type RequestDeps,
} from "./shared.ts";

export async function mailboxRequest(
  deps: RequestDeps,
  kind: "khoiphuc" | "doimk",
  raw: MailboxRequestInput,
  actor: Actor,
): Promise<RequestView> {
  const { db, ctx, access } = deps;
  const input = parse(MailboxRequestSchema, raw, "Yêu cầu");
  const existing = await byIdempotencyKey(deps, input.idempotencyKey);
  if (existing) return existing;
  const mailbox = await mailboxByAddress(db, input.address);
  if (!mailbox) {
    throw new ServiceError(
      "not_found",
      `Không có hộp thư ${input.address}. Kiểm tra lại địa chỉ (viết đầy đủ, ví dụ ten@phuyen.gov.vn).`,
    );
  }
  const profile = profileOf(mailbox.profileId);
  const now = ctx.now();
  checkMailboxFor(kind, mailbox, now);
  const me = await actorStaff(deps, actor);
  if (me)
    await access.requireMay(me, kind === "khoiphuc" ? "mailbox.restore" : "mailbox.request_reset", mailbox);
  const requesterStaffId = await requesterId(deps, actor, input.requesterStaffId);
  const [dup] = await db
    .select({ id: requests.id })
    .from(requests)
    .where(
      and(
        eq(requests.mailboxId, mailbox.id),
        eq(requests.kind, kind),
        inArray(requests.state, [...OPEN_STATES]),
      ),
    )
    .limit(1);
  if (dup) {
    throw new ServiceError(
      "conflict",
      `Hộp thư ${mailbox.address} đã có yêu cầu #${dup.id} đang xử lý. Hãy theo dõi yêu cầu đó (lệnh /trangthai ${dup.id}).`,
      {
        requestId: dup.id,
      },
    );
  }
  const cal = await ctx.calendar();
  const dueAt = deadlineFor(profile, kind, now, cal);
  return idempotent(deps, input.idempotencyKey, () =>
    db.transaction((tx) =>
      insertRequest(
        tx,
        {
          profileId: mailbox.profileId,
          kind,
          state: "open",
          requesterStaffId,
          subjectStaffId: mailbox.ownerStaffId ?? mailbox.keeperStaffId,
          mailboxId: mailbox.id,
          unitId: mailbox.unitId,
          payload: { address: mailbox.address, ...(input.note ? { note: input.note } : {}) },
          dueAt,
          idempotencyKey: input.idempotencyKey ?? null,
          createdAt: now,
          updatedAt: now,
        },
        actor,
        `request.create.${kind}`,
        { address: mailbox.address, dueAt: dueAt?.toISOString() ?? null },
      ),
    ),
  );
}

export function createKhoiphuc(
  deps: RequestDeps,
  input: MailboxRequestInput,
  actor: Actor,
): Promise<RequestView> {
  return mailboxRequest(deps, "khoiphuc", input, actor);
}

export function createPasswordReset(
  deps: RequestDeps,
  input: MailboxRequestInput,
  actor: Actor,
): Promise<RequestView> {
  return mailboxRequest(deps, "doimk", input, actor);
}

export async function openRequestFor(
  deps: RequestDeps,
  mailboxId: number,
  kind: "khoiphuc" | "doimk",
): Promise<RequestView | null> {
  const { db } = deps;
  if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0) return null;
  const [open] = await db
    .select({ id: requests.id })
    .from(requests)
    .where(
      and(
        eq(requests.mailboxId, mailboxId),
        eq(requests.kind, kind),
        inArray(requests.state, [...OPEN_STATES]),
      ),
    )
    .orderBy(asc(requests.id))
    .limit(1);
  return open ? requestView(db, open.id) : null;
}

/** Refuses a restore/reset the mailbox's state does not allow; same check at create and approve. */
export function checkMailboxFor(
  kind: "khoiphuc" | "doimk",
  mailbox: typeof mailboxes.$inferSelect,
  now: Date,
): void {
  const a = mailbox.address;
  if (mailbox.status === "revoked") {
    throw new ServiceError(
      "illegal_transition",
      `Hộp thư ${a} đã bị thu hồi nên không thể ${kind === "khoiphuc" ? "khôi phục" : "cấp lại mật khẩu"}. Nếu người dùng vẫn cần hộp thư, hãy gửi yêu cầu cấp mới.`,
    );
  }
  if (kind === "khoiphuc") {
    const operatorLock = operatorLockRefusal(mailbox);
    if (operatorLock) throw operatorLock;
    if (mailbox.status === "active") {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đang hoạt động bình thường, không cần khôi phục. Nếu quên mật khẩu, hãy dùng yêu cầu cấp lại mật khẩu (/doimk).`,
      );
    }
    if (mailbox.status === "send_locked") {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đang bị khóa gửi do người dùng nghỉ việc/chuyển công tác; không khôi phục qua yêu cầu này. Hãy liên hệ bộ phận hỗ trợ.`,
      );
    }
    if (
      mailbox.status === "suspended" &&
      mailbox.removeAfter &&
      now.getTime() > mailbox.removeAfter.getTime()
    ) {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đã quá hạn khôi phục (hạn cuối ${formatVnDate(vnDateOf(mailbox.removeAfter))}) và sẽ bị xóa. Hãy gửi yêu cầu cấp mới.`,
      );
    }
  } else if (mailbox.status === "suspended") {
    throw new ServiceError(
      "illegal_transition",
      `Hộp thư ${a} đang bị đình chỉ; hãy gửi yêu cầu khôi phục (/khoiphuc) thay vì cấp lại mật khẩu.`,
    );
  }
}
