/**
 * Mailbox owner actions: changing the password (policy, history, argon2id). Operator actions: a
 * security lock of a compromised or violating mailbox, and lifting it.
 */
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import type { DbOrTx } from "../db/client.ts";
import { mailboxes, passwordHistory, type Mailbox } from "../db/schema.ts";
import { passwordExpiry } from "../policy/lifecycle.ts";
import { checkPassword, MAX_PASSWORD_LENGTH, passwordPolicy } from "../policy/passwords.ts";
import { findProfile } from "../policy/profiles/index.ts";
import type { PasswordRole } from "../policy/types.ts";
import type { AccessService } from "./access.ts";
import { writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";
import type { Actor, MailboxView } from "./types.ts";
import { mailboxByAddress, mailboxView, staffViewById } from "./views.ts";

/** Why an operator locks a mailbox: kept as the lock_reason the bot explains in /trangthai. */
export const SECURITY_LOCK_KINDS = ["compromised", "violation"] as const;
export type SecurityLockKind = (typeof SECURITY_LOCK_KINDS)[number];

export interface SecurityLockResult {
  mailbox: MailboxView;
  /** False when the mailbox was already so (a retry): nothing written, no audit row. */
  changed: boolean;
  /** The status before. */
  from: MailboxView["status"];
}

/**
 * An operator's security lock is lifted by the operator only: a /khoiphuc request (create or
 * approve) for such a mailbox is refused with this error, instead of silently reopening it.
 */
export function operatorLockRefusal(mailbox: {
  address: string;
  status: string;
  operatorLockReason: string | null;
}): ServiceError | null {
  if (mailbox.operatorLockReason === null || (mailbox.status !== "locked" && mailbox.status !== "suspended"))
    return null;
  return new ServiceError(
    "illegal_transition",
    `Hộp thư ${mailbox.address} đang bị quản trị hệ thống khóa vì lý do an ninh nên không khôi phục qua yêu cầu được; chỉ quản trị hệ thống mở khóa. Hãy liên hệ bộ phận hỗ trợ.`,
  );
}

const LockInput = z.object({
  address: z.string().trim().min(3).max(254),
  kind: z.enum(SECURITY_LOCK_KINDS),
  reason: z.string().trim().min(3).max(500),
  /** Who typed the command (the operating-system user), for the audit row. */
  operator: z.string().trim().max(100).optional(),
});
const UnlockInput = z.object({
  address: z.string().trim().min(3).max(254),
  reason: z.string().trim().max(500).optional(),
  operator: z.string().trim().max(100).optional(),
});

export interface MailboxesService {
  changePassword(
    input: { address: string; newPassword: string },
    actor: Actor,
  ): Promise<{ changedAt: Date; nextChangeBy: Date | null }>;
  /**
   * Locks a compromised or violating mailbox at once (IMAP/SMTP sessions are kicked through the
   * mail-server outbox like any lock). Idempotent: the same lock again changes nothing.
   */
  securityLock(
    input: { address: string; kind: SecurityLockKind; reason: string; operator?: string },
    actor: Actor,
  ): Promise<SecurityLockResult>;
  /** Lifts an operator's security lock; an active mailbox is left as is (changed: false). */
  securityUnlock(
    input: { address: string; reason?: string; operator?: string },
    actor: Actor,
  ): Promise<SecurityLockResult>;
}

const Input = z.object({
  address: z.string().trim().min(3).max(254),
  // Longer than the policy cap is refused by checkPassword with a clear message; this bound only
  // keeps absurd input away from argon2.
  newPassword: z
    .string()
    .min(1)
    .max(MAX_PASSWORD_LENGTH * 4),
});

/** The mailbox at `address`, locked for this transaction; not_found in plain words. */
async function lockedMailbox(tx: DbOrTx, address: string): Promise<Mailbox> {
  const row = await mailboxByAddress(tx, address, { forUpdate: true });
  if (!row) throw new ServiceError("not_found", `Không có hộp thư ${address}. Kiểm tra lại địa chỉ.`);
  return row;
}

export function createMailboxesService(ctx: ServiceContext, access: AccessService): MailboxesService {
  const { db } = ctx.database;
  return {
    async securityLock(raw, actor) {
      const parsed = LockInput.safeParse(raw);
      if (!parsed.success)
        throw new ServiceError(
          "invalid_input",
          "Cần địa chỉ hộp thư, loại khóa (compromised hoặc violation) và lý do (ít nhất 3 ký tự).",
        );
      const input = parsed.data;
      return db.transaction(async (tx) => {
        const row = await lockedMailbox(tx, input.address);
        if (row.status === "revoked")
          throw new ServiceError(
            "illegal_transition",
            `Hộp thư ${row.address} đã bị thu hồi; không cần khóa.`,
          );
        const locked = row.status === "locked" || row.status === "suspended";
        if (locked && row.lockReason === input.kind && row.operatorLockReason === input.reason)
          return { mailbox: mailboxView(row), changed: false, from: row.status };
        const now = ctx.now();
        const [updated] = await tx
          .update(mailboxes)
          .set({
            // A suspended mailbox stays suspended (its removal clock runs on); anything else locks.
            status: row.status === "suspended" ? "suspended" : "locked",
            lockReason: input.kind,
            operatorLockReason: input.reason,
            lockedAt: locked ? (row.lockedAt ?? now) : now,
            updatedAt: now,
          })
          .where(eq(mailboxes.id, row.id))
          .returning();
        await writeAudit(tx, {
          actor,
          action: "mailbox.security_lock",
          entity: "mailbox",
          entityId: row.id,
          details: {
            address: row.address,
            kind: input.kind,
            reason: input.reason,
            operator: input.operator ?? null,
            from: row.status,
            previousLockReason: row.lockReason,
          },
        });
        return { mailbox: mailboxView(updated ?? row), changed: true, from: row.status };
      });
    },

    async securityUnlock(raw, actor) {
      const parsed = UnlockInput.safeParse(raw);
      if (!parsed.success)
        throw new ServiceError("invalid_input", "Cần địa chỉ hộp thư (lý do tối đa 500 ký tự).");
      const input = parsed.data;
      return db.transaction(async (tx) => {
        const row = await lockedMailbox(tx, input.address);
        if (row.operatorLockReason === null) {
          if (row.status === "active" || row.status === "send_locked")
            return { mailbox: mailboxView(row), changed: false, from: row.status };
          throw new ServiceError(
            "illegal_transition",
            row.status === "revoked"
              ? `Hộp thư ${row.address} đã bị thu hồi; không mở khóa được.`
              : `Hộp thư ${row.address} bị khóa theo quy chế (không phải khóa an ninh của quản trị): chủ hộp thư gửi /khoiphuc để bộ phận hỗ trợ duyệt.`,
          );
        }
        const now = ctx.now();
        // What the mailbox returns to: still suspended (inactivity), send-locked (a leaver past
        // the send-lock date), or active.
        const status =
          row.status === "suspended"
            ? ("suspended" as const)
            : row.sendLockAt && row.sendLockAt.getTime() <= now.getTime()
              ? ("send_locked" as const)
              : ("active" as const);
        const [updated] = await tx
          .update(mailboxes)
          .set({
            status,
            lockReason: status === "suspended" ? "inactivity" : status === "send_locked" ? "leaver" : null,
            operatorLockReason: null,
            lockedAt: status === "active" ? null : row.lockedAt,
            updatedAt: now,
          })
          .where(eq(mailboxes.id, row.id))
          .returning();
        await writeAudit(tx, {
          actor,
          action: "mailbox.security_unlock",
          entity: "mailbox",
          entityId: row.id,
          details: {
            address: row.address,
            reason: input.reason ?? null,
            operator: input.operator ?? null,
            lockedFor: row.operatorLockReason,
            to: status,
          },
        });
        return { mailbox: mailboxView(updated ?? row), changed: true, from: row.status };
      });
    },

    async changePassword(raw, actor) {
      const parsed = Input.safeParse(raw);
      if (!parsed.success) throw new ServiceError("invalid_input", "Cần địa chỉ hộp thư và mật khẩu mới.");
      const { address, newPassword } = parsed.data;
      const mailbox = await mailboxByAddress(db, address);
      if (!mailbox) throw new ServiceError("not_found", `Không có hộp thư ${address}. Kiểm tra lại địa chỉ.`);
      if (mailbox.status === "revoked" || mailbox.status === "suspended") {
        throw new ServiceError(
          "illegal_transition",
          `Hộp thư ${mailbox.address} đã bị ${mailbox.status === "revoked" ? "thu hồi" : "đình chỉ"}; không đổi được mật khẩu. Hãy gửi yêu cầu khôi phục.`,
        );
      }
      if (actor.kind === "staff") {
        const me = await staffViewById(db, actor.staffId);
        if (!me) throw new ServiceError("forbidden", "Tài khoản của bạn không còn trong danh bạ.");
        await access.requireMay(me, "mailbox.set_password", mailbox);
      }
      const profile = findProfile(mailbox.profileId);
      if (!profile)
        throw new ServiceError("invalid_input", `Hồ sơ quy chế "${mailbox.profileId}" không tồn tại.`);
      const holderId = mailbox.ownerStaffId ?? mailbox.keeperStaffId;
      const holder = holderId ? await staffViewById(db, holderId) : null;
      const role: PasswordRole = holder?.roles.some((r) => r.role === "admin") ? "admin" : "user";
      const check = checkPassword(profile, role, newPassword, {
        fullName: holder?.fullName ?? null,
        localPart: mailbox.localPart,
      });
      if (!check.ok) {
        throw new ServiceError(
          "weak_password",
          `Mật khẩu mới chưa đạt yêu cầu:\n${check.violations.map((v) => `• ${v.message}`).join("\n")}`,
          {
            violations: check.violations.map((v) => v.code),
          },
        );
      }
      const policy = passwordPolicy(profile, role);
      const history = await db
        .select({ hash: passwordHistory.passwordHash })
        .from(passwordHistory)
        .where(eq(passwordHistory.mailboxId, mailbox.id))
        .orderBy(desc(passwordHistory.createdAt), desc(passwordHistory.id))
        .limit(policy.historyCount);
      const previous = [mailbox.passwordHash, ...history.map((h) => h.hash)].filter((h): h is string => !!h);
      for (const hash of previous) {
        if (await verifyPassword(hash, newPassword)) {
          throw new ServiceError(
            "password_reused",
            `Mật khẩu mới trùng với một trong ${policy.historyCount} mật khẩu gần nhất hoặc mật khẩu hiện tại. Hãy chọn mật khẩu khác.`,
          );
        }
      }
      const newHash = await hashPassword(newPassword, ctx.hash);
      const changedAt = ctx.now();
      await db.transaction(async (tx) => {
        const [locked] = await tx.select().from(mailboxes).where(eq(mailboxes.id, mailbox.id)).for("update");
        if (!locked || locked.status === "revoked" || locked.status === "suspended") {
          throw new ServiceError(
            "illegal_transition",
            `Hộp thư ${mailbox.address} vừa bị khóa hoặc thu hồi; không đổi được mật khẩu.`,
          );
        }
        const unlock = locked.status === "locked" && locked.lockReason === "first_login_change";
        await tx
          .update(mailboxes)
          .set({
            passwordHash: newHash,
            passwordChangedAt: changedAt,
            mustChangePassword: false,
            tempPasswordExpiresAt: null,
            updatedAt: changedAt,
            ...(unlock ? { status: "active" as const, lockReason: null, lockedAt: null } : {}),
          })
          .where(eq(mailboxes.id, mailbox.id));
        await tx
          .insert(passwordHistory)
          .values({ mailboxId: mailbox.id, passwordHash: newHash, createdAt: changedAt });
        await writeAudit(tx, {
          actor,
          action: "mailbox.password_change",
          entity: "mailbox",
          entityId: mailbox.id,
          details: { address: mailbox.address, unlocked: unlock },
        });
      });
      return { changedAt, nextChangeBy: passwordExpiry(profile, role, changedAt) };
    },
  };
}
