/**
 * Linking a Telegram account to a staff record with a one-time code.
 *
 * - The code is random (60 bits from an unambiguous alphabet), shown once, stored as sha256 hex.
 * - Single use: redeeming is one conditional UPDATE … WHERE used_at IS NULL AND expires_at > now,
 *   so two concurrent redemptions of one code cannot both succeed.
 * - Wrong guesses are counted per Telegram user in link_attempts; past the limit (default 5 per
 *   15 minutes) every attempt is refused, even a correct one, until the window has passed.
 */
import { createHash, randomInt } from "node:crypto";
import { and, count, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { prepareStatement } from "../db/prepared.ts";
import { linkAttempts, linkCodes, roleGrants, staff, units } from "../db/schema.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { writeAudit, writeAuditBatch, type AuditInput } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import type { Actor, StaffView } from "./types.ts";
import { mailboxByAddress, requireStaff, staffViewById, staffViews, unitSubtreeIds } from "./views.ts";
import type { LeaderLevel } from "../policy/types.ts";

/** One person of a unit's printable link-code list. */
export interface UnitLinkCodeEntry {
  staffId: number;
  code: string | null;
  fullName: string;
  unitName: string;
  leaderLevel: LeaderLevel;
  /** The new code (null when the person keeps a code handed out before). */
  linkCode: string | null;
  expiresAt: Date;
}

export interface UnitLinkCodes {
  /** People given a new code now (the old unused one, if any, no longer works with renew). */
  issued: UnitLinkCodeEntry[];
  /** People who still hold an unused, unexpired code from an earlier run: nothing minted. */
  pending: UnitLinkCodeEntry[];
  /** Already linked to Telegram: nothing to do. */
  linked: number;
}

/** No 0/O, 1/I/L: codes are read aloud and typed from paper. */
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 12;
export const DEFAULT_LINK_TTL_MINUTES = 24 * 60;

export function generateLinkCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** Case, spaces and dashes do not matter when the code is typed back. */
export function normaliseLinkCode(code: string): string {
  return code.replace(/[\s-]/g, "").toUpperCase();
}

export function hashLinkCode(code: string): string {
  return createHash("sha256").update(normaliseLinkCode(code)).digest("hex");
}

const TelegramUserId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StaffRef = z
  .object({
    staffId: z.number().int().positive().optional(),
    address: z.string().trim().min(3).max(254).optional(),
  })
  .refine((v) => v.staffId !== undefined || v.address !== undefined, "cần mã cán bộ hoặc địa chỉ thư");
const CodeInput = z.string().max(64);

export interface IdentityService {
  findByTelegramId(tgUserId: number): Promise<StaffView | null>;
  createLinkCode(
    staffRef: { staffId?: number; address?: string },
    actor: Actor,
    ttlMinutes?: number,
  ): Promise<{ code: string; expiresAt: Date; staffId: number }>;
  /**
   * One code per person of the unit's subtree who is still working and has no linked Telegram
   * account, in one transaction with one audit row per code. A person who still holds an unused,
   * unexpired code gets none (codes are stored hashed, so the old one cannot be printed again)
   * unless `renew`: then the old code stops working and a new one is made.
   */
  createUnitLinkCodes(
    unitId: number,
    actor: Actor,
    options?: { ttlMinutes?: number; renew?: boolean },
  ): Promise<UnitLinkCodes>;
  redeemLinkCode(tgUserId: number, code: string): Promise<StaffView>;
  unlink(staffId: number, actor: Actor): Promise<void>;
}

/** Resolves "a staff id or a mailbox address" to a staff id (owner, else keeper). */
export async function resolveStaffRef(
  ctx: ServiceContext,
  ref: { staffId?: number; address?: string },
): Promise<number> {
  const parsed = StaffRef.safeParse(ref);
  if (!parsed.success) {
    throw new ServiceError(
      "invalid_input",
      "Cần chỉ rõ cán bộ: mã cán bộ (số) hoặc địa chỉ thư của người đó.",
    );
  }
  if (parsed.data.staffId !== undefined) return (await requireStaff(ctx.database.db, parsed.data.staffId)).id;
  const mailbox = await mailboxByAddress(ctx.database.db, parsed.data.address as string);
  const staffId = mailbox?.ownerStaffId ?? mailbox?.keeperStaffId;
  if (!mailbox || !staffId) {
    throw new ServiceError(
      "not_found",
      `Không tìm thấy cán bộ nào dùng địa chỉ ${parsed.data.address}. Kiểm tra lại địa chỉ hoặc dùng mã cán bộ.`,
    );
  }
  return staffId;
}

interface StaffByTelegramRow extends Record<string, unknown> {
  id: number;
  full_name: string;
  birth_date: string | null;
  unit_id: number;
  unit_name: string;
  profile_id: string;
  leader_level: string;
  employment_type: string;
  contract_months: number | null;
  employment_status: string;
  left_on: string | null;
  telegram_user_id: string | null;
  external_id: string | null;
  roles: unknown;
}

/**
 * The staff view of a Telegram user in ONE statement (staff, unit, role grants as JSON): the
 * identity middleware asks it for a user not seen for the cache time, on the update's path.
 * Same fields and order as `staffViews`; bigints and dates come back as text on both drivers.
 */
const STAFF_BY_TELEGRAM = sql`select s.id, s.full_name, s.birth_date::text as birth_date, s.unit_id,
    u.name as unit_name, u.profile_id, s.leader_level, s.employment_type, s.contract_months,
    s.employment_status, s.left_on::text as left_on, s.telegram_user_id::text as telegram_user_id,
    s.external_id,
    (select json_agg(json_build_object('role', g.role, 'unitId', g.unit_id) order by g.id)
      from ${roleGrants} g where g.staff_id = s.id) as roles
  from ${staff} s join ${units} u on u.id = s.unit_id
  where s.telegram_user_id = ${sql.placeholder("tg")}
  order by s.id limit 1`;

function staffViewOfRow(row: StaffByTelegramRow): StaffView {
  const roles: unknown = typeof row.roles === "string" ? JSON.parse(row.roles) : row.roles;
  return {
    id: row.id,
    fullName: row.full_name,
    birthDate: row.birth_date as StaffView["birthDate"],
    unitId: row.unit_id,
    unitName: row.unit_name,
    profileId: row.profile_id,
    leaderLevel: row.leader_level as StaffView["leaderLevel"],
    employmentType: row.employment_type as StaffView["employmentType"],
    contractMonths: row.contract_months,
    employmentStatus: row.employment_status as StaffView["employmentStatus"],
    leftOn: row.left_on as StaffView["leftOn"],
    telegramUserId: row.telegram_user_id === null ? null : Number(row.telegram_user_id),
    externalId: row.external_id,
    roles: Array.isArray(roles) ? (roles as StaffView["roles"]) : [],
  };
}

export function createIdentityService(ctx: ServiceContext): IdentityService {
  const { db } = ctx.database;
  const staffByTelegram = prepareStatement<StaffByTelegramRow>(ctx.database, STAFF_BY_TELEGRAM, {
    prepare: ctx.options.preparedStatements !== false,
  });
  const limits = ctx.options.linkAttempts ?? { max: 5, windowMinutes: 15 };

  return {
    async findByTelegramId(tgUserId) {
      if (!TelegramUserId.safeParse(tgUserId).success) return null;
      const [row] = await staffByTelegram({ tg: tgUserId });
      return row ? staffViewOfRow(row) : null;
    },

    async createLinkCode(staffRef, actor, ttlMinutes = DEFAULT_LINK_TTL_MINUTES) {
      if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 30 * 24 * 60) {
        throw new ServiceError("invalid_input", "Thời hạn mã liên kết phải từ 1 phút đến 30 ngày.");
      }
      const staffId = await resolveStaffRef(ctx, staffRef);
      const code = generateLinkCode();
      const expiresAt = new Date(ctx.now().getTime() + ttlMinutes * 60_000);
      await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(linkCodes)
          .values({ codeHash: hashLinkCode(code), staffId, expiresAt })
          .returning({ id: linkCodes.id });
        await writeAudit(tx, {
          actor,
          action: "link_code.create",
          entity: "staff",
          entityId: staffId,
          details: { linkCodeId: row?.id, expiresAt: expiresAt.toISOString() },
        });
      });
      return { code, expiresAt, staffId };
    },

    async createUnitLinkCodes(unitId, actor, options = {}) {
      const ttlMinutes = options.ttlMinutes ?? DEFAULT_LINK_TTL_MINUTES;
      if (!Number.isInteger(ttlMinutes) || ttlMinutes < 1 || ttlMinutes > 30 * 24 * 60) {
        throw new ServiceError("invalid_input", "Thời hạn mã liên kết phải từ 1 phút đến 30 ngày.");
      }
      const unitIds = await unitSubtreeIds(db, [unitId]);
      if (unitIds.length === 0)
        throw new ServiceError("not_found", "Không có đơn vị này. Kiểm tra lại tên hoặc ma_don_vi.");
      return db.transaction(async (tx) => {
        const now = ctx.now();
        const expiresAt = new Date(now.getTime() + ttlMinutes * 60_000);
        // Row locks on the people: a second run at the same time waits, then sees these codes.
        const people = await tx
          .select({
            id: staff.id,
            code: staff.externalId,
            fullName: staff.fullName,
            leaderLevel: staff.leaderLevel,
            tg: staff.telegramUserId,
            unitName: units.name,
          })
          .from(staff)
          .innerJoin(units, eq(units.id, staff.unitId))
          .where(and(inArray(staff.unitId, unitIds), eq(staff.employmentStatus, "active")))
          .orderBy(units.name, staff.fullName, staff.id)
          .for("update", { of: staff });
        const open = people.filter((p) => p.tg === null);
        const live =
          open.length === 0
            ? []
            : await tx
                .select({ id: linkCodes.id, staffId: linkCodes.staffId, expiresAt: linkCodes.expiresAt })
                .from(linkCodes)
                .where(
                  and(
                    inArray(
                      linkCodes.staffId,
                      open.map((p) => p.id),
                    ),
                    isNull(linkCodes.usedAt),
                    gt(linkCodes.expiresAt, now),
                  ),
                );
        const liveBy = new Map<number, { id: number; expiresAt: Date }[]>();
        for (const l of live) liveBy.set(l.staffId, [...(liveBy.get(l.staffId) ?? []), l]);
        const result: UnitLinkCodes = { issued: [], pending: [], linked: people.length - open.length };
        const audits: AuditInput[] = [];
        for (const p of open) {
          const entry = {
            staffId: p.id,
            code: p.code,
            fullName: p.fullName,
            unitName: p.unitName,
            leaderLevel: p.leaderLevel,
          };
          const old = liveBy.get(p.id) ?? [];
          if (old.length > 0 && !options.renew) {
            const latest = old.reduce((a, b) => (a.expiresAt > b.expiresAt ? a : b));
            result.pending.push({ ...entry, linkCode: null, expiresAt: latest.expiresAt });
            continue;
          }
          if (old.length > 0) {
            // Renewed: the code handed out before stops working now.
            await tx
              .update(linkCodes)
              .set({ expiresAt: now })
              .where(
                inArray(
                  linkCodes.id,
                  old.map((o) => o.id),
                ),
              );
          }
          const linkCode = generateLinkCode();
          const [row] = await tx
            .insert(linkCodes)
            .values({ codeHash: hashLinkCode(linkCode), staffId: p.id, expiresAt })
            .returning({ id: linkCodes.id });
          audits.push({
            actor,
            action: "link_code.create",
            entity: "staff",
            entityId: p.id,
            details: {
              linkCodeId: row?.id,
              expiresAt: expiresAt.toISOString(),
              unitId,
              replaced: old.map((o) => o.id),
            },
          });
          result.issued.push({ ...entry, linkCode, expiresAt });
        }
        await writeAuditBatch(tx, audits);
        return result;
      });
    },

    async redeemLinkCode(tgUserId, code) {
      if (!TelegramUserId.safeParse(tgUserId).success) {
        throw new ServiceError("invalid_input", "Tài khoản Telegram không hợp lệ.");
      }
      const now = ctx.now();
      const windowStart = new Date(now.getTime() - limits.windowMinutes * 60_000);
      const [recent] = await db
        .select({ n: count() })
        .from(linkAttempts)
        .where(and(eq(linkAttempts.telegramUserId, tgUserId), gt(linkAttempts.attemptedAt, windowStart)));
      if ((recent?.n ?? 0) >= limits.max) {
        throw new ServiceError(
          "rate_limited",
          `Bạn đã nhập sai mã liên kết quá ${limits.max} lần. Hãy đợi ${limits.windowMinutes} phút rồi thử lại, hoặc xin bộ phận hỗ trợ một mã mới.`,
        );
      }
      const parsed = CodeInput.safeParse(code);
      const normalised = parsed.success ? normaliseLinkCode(parsed.data) : "";
      const validShape =
        normalised.length === CODE_LENGTH && [...normalised].every((c) => ALPHABET.includes(c));

      const outcome = validShape
        ? await db.transaction(async (tx) => {
            const [used] = await tx
              .update(linkCodes)
              .set({ usedAt: now })
              .where(
                and(
                  eq(linkCodes.codeHash, hashLinkCode(normalised)),
                  isNull(linkCodes.usedAt),
                  gt(linkCodes.expiresAt, now),
                ),
              )
              .returning({ id: linkCodes.id, staffId: linkCodes.staffId });
            if (!used) return null;
            const holder = await staffViews(tx, eq(staff.telegramUserId, tgUserId), 1);
            if (holder[0] && holder[0].id !== used.staffId) {
              throw new ServiceError(
                "conflict",
                `Tài khoản Telegram này đã được liên kết với cán bộ ${holder[0].fullName}. Hãy nhờ bộ phận hỗ trợ gỡ liên kết cũ trước.`,
              );
            }
            const [before] = await tx
              .select({ tg: staff.telegramUserId })
              .from(staff)
              .where(eq(staff.id, used.staffId));
            try {
              await tx.update(staff).set({ telegramUserId: tgUserId }).where(eq(staff.id, used.staffId));
            } catch (error) {
              if (isUniqueViolation(error)) {
                throw new ServiceError(
                  "conflict",
                  "Tài khoản Telegram này vừa được liên kết với cán bộ khác. Hãy liên hệ bộ phận hỗ trợ.",
                );
              }
              throw error;
            }
            await writeAudit(tx, {
              actor: { kind: "staff", staffId: used.staffId },
              action: "identity.link",
              entity: "staff",
              entityId: used.staffId,
              details: {
                linkCodeId: used.id,
                telegramUserId: tgUserId,
                previousTelegramUserId: before?.tg ?? null,
              },
            });
            return used.staffId;
          })
        : null;

      if (outcome === null) {
        await db.insert(linkAttempts).values({ telegramUserId: tgUserId, attemptedAt: now });
        throw new ServiceError(
          "not_found",
          "Mã liên kết không đúng, đã dùng hoặc đã hết hạn. Kiểm tra lại mã (12 ký tự) hoặc xin bộ phận hỗ trợ một mã mới.",
        );
      }
      return (await staffViewById(db, outcome)) as StaffView;
    },

    async unlink(staffId, actor) {
      await requireStaff(db, staffId);
      await db.transaction(async (tx) => {
        const [before] = await tx
          .select({ tg: staff.telegramUserId })
          .from(staff)
          .where(eq(staff.id, staffId))
          .for("update");
        if (!before?.tg) return;
        await tx.update(staff).set({ telegramUserId: null }).where(eq(staff.id, staffId));
        await writeAudit(tx, {
          actor,
          action: "identity.unlink",
          entity: "staff",
          entityId: staffId,
          details: { telegramUserId: before.tg },
        });
      });
    },
  };
}
