/** Mailbox owner actions: changing the password (policy, history, argon2id). */
import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { mailboxes, passwordHistory } from "../db/schema.ts";
import { passwordExpiry } from "../policy/lifecycle.ts";
import { checkPassword, MAX_PASSWORD_LENGTH, passwordPolicy } from "../policy/passwords.ts";
import { findProfile } from "../policy/profiles/index.ts";
import type { PasswordRole } from "../policy/types.ts";
import type { AccessService } from "./access.ts";
import { writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { hashPassword, verifyPassword } from "./password-hash.ts";
import type { Actor } from "./types.ts";
import { mailboxByAddress, staffViewById } from "./views.ts";

export interface MailboxesService {
  changePassword(
    input: { address: string; newPassword: string },
    actor: Actor,
  ): Promise<{ changedAt: Date; nextChangeBy: Date | null }>;
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

export function createMailboxesService(ctx: ServiceContext, access: AccessService): MailboxesService {
  const { db } = ctx.database;
  return {
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
