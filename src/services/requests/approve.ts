/** Approval: the mailbox is created (capmoi) or reopened with a new temporary password. */
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import type { IsoDate } from "../../calendar/types.ts";
import type { DbOrTx, Tx } from "../../db/client.ts";
import { mailboxes, requests, staff, units } from "../../db/schema.ts";
import { tempPasswordExpiry } from "../../policy/lifecycle.ts";
import { generateTemporaryPassword } from "../../policy/passwords.ts";
import { EmploymentType, LeaderLevel, MailboxKind } from "../../policy/types.ts";
import { writeAudit } from "../audit.ts";
import { ServiceError } from "../errors.ts";
import { hashPassword } from "../password-hash.ts";
import type { Actor } from "../types.ts";
import { mailboxView } from "../views.ts";
import { checkMailboxFor } from "./restore.ts";
import {
  authorise,
  canTransition,
  hasPersonalMailbox,
  lockRequest,
  profileOf,
  refuseTransition,
  requestView,
  requireId,
  type ApproveResult,
  type RequestDeps,
} from "./shared.ts";

export async function approve(deps: RequestDeps, requestId: number, actor: Actor): Promise<ApproveResult> {
  const { db, ctx } = deps;
  const id = requireId(requestId);
  const [peek] = await db.select().from(requests).where(eq(requests.id, id));
  if (!peek) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  const me = await authorise(deps, actor, "request.handle", peek.unitId);
  if (!canTransition("approve", peek.state)) refuseTransition("approve", peek);
  const profile = profileOf(peek.profileId);
  // argon2 is slow on purpose: hash before taking row locks, throw away if the approval fails.
  const password = generateTemporaryPassword(profile, "user");
  const passwordHash = await hashPassword(password, ctx.hash);

  return db.transaction(async (tx) => {
    const row = await lockRequest(tx, id);
    if (!canTransition("approve", row.state)) refuseTransition("approve", row);
    const now = ctx.now();
    const tempExpires = tempPasswordExpiry(profile, now);
    const decided = {
      state: "approved" as const,
      decidedAt: now,
      updatedAt: now,
      assigneeStaffId: row.assigneeStaffId ?? me?.id ?? null,
    };

    if (row.kind === "capmoi") {
      const address = row.proposedAddress;
      if (!address) throw new Error(`request ${id} has no proposed address`);
      const p = row.payload as {
        fullName: string;
        birthDate: IsoDate | null;
        leaderLevel: z.infer<typeof LeaderLevel>;
        employmentType: z.infer<typeof EmploymentType>;
        contractMonths: number | null;
        mailboxKind: z.infer<typeof MailboxKind>;
      };
      let subjectId = row.subjectStaffId;
      if (p.mailboxKind === "personal") {
        if (subjectId === null) {
          const [created] = await tx
            .insert(staff)
            .values({
              fullName: p.fullName,
              birthDate: p.birthDate,
              unitId: row.unitId,
              leaderLevel: p.leaderLevel,
              employmentType: p.employmentType,
              contractMonths: p.contractMonths,
            })
            .returning({ id: staff.id });
          subjectId = (created as { id: number }).id;
          await writeAudit(tx, {
            actor,
            action: "staff.create",
            entity: "staff",
            entityId: subjectId,
            details: { fullName: p.fullName, unitId: row.unitId, requestId: id },
          });
        } else if (
          profile.eligibility.onePersonalMailboxPerPerson &&
          (await hasPersonalMailbox(tx, subjectId))
        ) {
          throw new ServiceError(
            "not_eligible",
            `Cán bộ này đã có hộp thư cá nhân; mỗi người chỉ được một hộp thư cá nhân. Hãy từ chối yêu cầu #${id}.`,
          );
        }
      }
      // Closing the request releases its reservation (trigger), which frees the address for the mailbox.
      await tx
        .update(requests)
        .set({ ...decided, subjectStaffId: subjectId })
        .where(eq(requests.id, id));
      const localPart = address.split("@")[0] as string;
      const keeper = p.mailboxKind === "personal" ? null : (subjectId ?? row.requesterStaffId);
      const [mailbox] = await tx
        .insert(mailboxes)
        .values({
          address,
          localPart,
          profileId: row.profileId,
          kind: p.mailboxKind,
          ownerStaffId: p.mailboxKind === "personal" ? subjectId : null,
          keeperStaffId: keeper,
          unitId: row.unitId,
          status: "active",
          quotaMb: profile.limits.quotaMb,
          passwordHash,
          passwordChangedAt: now,
          mustChangePassword: true,
          tempPasswordExpiresAt: tempExpires,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const mb = mailbox as NonNullable<typeof mailbox>;
      if (p.mailboxKind === "unit") {
        await tx
          .update(units)
          .set({ localPart })
          .where(and(eq(units.id, row.unitId), sql`${units.localPart} is null`));
      }
      await tx
        .update(requests)
        .set({ mailboxId: mb.id, resolution: `Đã cấp hộp thư ${address}` })
        .where(eq(requests.id, id));
      return finishApproval(tx, {
        requestId: id,
        actor,
        details: { kind: row.kind, from: row.state, address, mailboxId: mb.id },
        mailbox: mb,
        personId: subjectId,
        requesterStaffId: row.requesterStaffId,
        password,
        expiresAt: tempExpires,
      });
    }

    if (row.kind === "khoiphuc" || row.kind === "doimk") {
      if (row.mailboxId === null) throw new Error(`request ${id} has no mailbox`);
      const [mb] = await tx.select().from(mailboxes).where(eq(mailboxes.id, row.mailboxId)).for("update");
      if (!mb)
        throw new ServiceError(
          "not_found",
          `Hộp thư của yêu cầu #${id} không còn tồn tại. Hãy từ chối yêu cầu.`,
        );
      checkMailboxFor(row.kind, mb, now);
      const restore = row.kind === "khoiphuc";
      const [updated] = await tx
        .update(mailboxes)
        .set({
          ...(restore
            ? {
                status: "active" as const,
                lockReason: null,
                lockedAt: null,
                suspendedAt: null,
                removeAfter: null,
              }
            : {}),
          passwordHash,
          passwordChangedAt: now,
          mustChangePassword: true,
          tempPasswordExpiresAt: tempExpires,
          updatedAt: now,
        })
        .where(eq(mailboxes.id, mb.id))
        .returning();
      await tx
        .update(requests)
        .set({
          ...decided,
          resolution: restore
            ? `Đã khôi phục hộp thư ${mb.address}`
            : `Đã cấp lại mật khẩu cho ${mb.address}`,
        })
        .where(eq(requests.id, id));
      return finishApproval(tx, {
        requestId: id,
        actor,
        details: {
          kind: row.kind,
          from: row.state,
          address: mb.address,
          mailboxId: mb.id,
          previousStatus: mb.status,
        },
        mailbox: updated as NonNullable<typeof updated>,
        personId: mb.ownerStaffId ?? mb.keeperStaffId,
        requesterStaffId: row.requesterStaffId,
        password,
        expiresAt: tempExpires,
      });
    }
    throw new ServiceError(
      "invalid_input",
      `Yêu cầu loại ${row.kind} được xử lý bằng lệnh riêng (nghỉ việc / chuyển đơn vị), không duyệt ở đây.`,
    );
  });
}

/** The approval's audit row, then what the approver is told: the request, the mailbox, the password. */
async function finishApproval(
  tx: Tx,
  a: {
    requestId: number;
    actor: Actor;
    details: Record<string, unknown>;
    mailbox: typeof mailboxes.$inferSelect;
    /** Whose mailbox it is (owner, else keeper); null when nobody is. */
    personId: number | null;
    requesterStaffId: number;
    password: string;
    expiresAt: Date;
  },
): Promise<ApproveResult> {
  await writeAudit(tx, {
    actor: a.actor,
    action: "request.approve",
    entity: "request",
    entityId: a.requestId,
    details: a.details,
  });
  const deliverTo = await deliveryTarget(tx, a.personId, a.requesterStaffId);
  return {
    request: await requestView(tx, a.requestId),
    mailbox: mailboxView(a.mailbox),
    temporaryPassword: { password: a.password, deliverToStaffId: deliverTo, expiresAt: a.expiresAt },
  };
}

/** The temporary password goes to the person when they are linked to the bot, else to the requester. */
async function deliveryTarget(
  tx: DbOrTx,
  personId: number | null,
  requesterStaffId: number,
): Promise<number> {
  if (personId === null) return requesterStaffId;
  const [row] = await tx.select({ tg: staff.telegramUserId }).from(staff).where(eq(staff.id, personId));
  return row?.tg ? personId : requesterStaffId;
}
