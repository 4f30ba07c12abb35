/** Looking things up in the directory, and the two HR events that change it: leavers and movers. */
import { and, eq, ilike, inArray, isNotNull, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { isoDateSchema } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import { mailboxes, staff, units } from "../db/schema.ts";
import type { DbOrTx } from "../db/client.ts";
import { foldWords } from "../lib/fold.ts";
import { leaverDates } from "../policy/lifecycle.ts";
import { findProfile } from "../policy/profiles/index.ts";
import { writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { rankStaff, type SearchRow } from "./staff-search.ts";
import type { Actor, MailboxView, StaffView, UnitView } from "./types.ts";
import type { MailboxKind, MailboxStatus, Role } from "../policy/types.ts";
import {
  likeEscape,
  livePersonalMailboxOf,
  mailboxByAddress,
  mailboxView,
  requireStaff,
  requireUnit,
  staffViews,
  unitSubtreeIds,
  unitView,
} from "./views.ts";

/** A person as the operator's directory shows them: with addresses and named role scopes. */
export interface StaffListing extends StaffView {
  mailboxes: { address: string; kind: MailboxKind; status: MailboxStatus; keeper: boolean }[];
  /** The role grants with their unit's name (null = everywhere). */
  roleScopes: { role: Role; unitName: string | null }[];
}

/** "Nguyễn Văn An (mã CB12, Phòng Một, annv@…)": how a candidate is named in a refusal. */
export function describeStaff(p: StaffView, addresses: readonly string[] = []): string {
  const bits = [p.externalId ? `mã ${p.externalId}` : `số ${p.id}`, p.unitName, ...addresses.slice(0, 1)];
  return `${p.fullName} (${bits.join(", ")})`;
}

export interface DirectoryService {
  findMailbox(address: string): Promise<MailboxView | null>;
  /** By id (buttons carry ids: a reminder's "khôi phục"). */
  getMailbox(id: number): Promise<MailboxView | null>;
  mailboxesOfStaff(staffId: number): Promise<MailboxView[]>;
  mailboxesInUnits(unitIds: number[]): Promise<MailboxView[]>;
  getUnit(id: number): Promise<UnitView | null>;
  /** "7" (id) or "demo-stttt" (the unit's import code, ma_don_vi); ServiceError when unknown. */
  findUnitByRef(ref: string): Promise<UnitView>;
  listUnits(profileId?: string): Promise<UnitView[]>;
  /** The unit and everything below it. */
  unitSubtree(unitId: number): Promise<UnitView[]>;
  findStaff(query: {
    id?: number;
    address?: string;
    name?: string;
    unitId?: number;
    limit?: number;
  }): Promise<StaffView[]>;
  /** The people of a unit's subtree (or a profile, or everyone), by unit then name. */
  listStaff(query: { unitId?: number; profileId?: string; limit?: number }): Promise<StaffListing[]>;
  /** People matching typed text: name (without diacritics, with typos), mã cán bộ, address. */
  searchStaff(text: string, limit?: number): Promise<StaffListing[]>;
  /**
   * What an operator types for one person (`--staff`): a mã cán bộ from the import file, the
   * internal number, an address, or a full name that only one person has. ServiceError
   * not_found / ambiguous naming the candidates otherwise.
   */
  resolveStaff(text: string): Promise<StaffView>;
  /** Who each private chat belongs to (chat id = Telegram user id): name and unit. */
  namesOfChats(chatIds: readonly number[]): Promise<Map<number, { fullName: string; unitName: string }>>;
  markLeaver(
    staffId: number,
    leftOn: IsoDate,
    actor: Actor,
  ): Promise<{ sendLockAt: Date | null; revokeAt: Date; mailboxes: string[]; keeperOf: string[] }>;
  /** Moves the person; `keeperOf`: the unit/group mailboxes they kept, now awaiting a new keeper. */
  moveStaff(staffId: number, toUnitId: number, actor: Actor): Promise<{ keeperOf: string[] }>;
  /**
   * Names the keeper of a unit/group mailbox (after a handover: mic Điều 12.3d, binhtan Điều
   * 7.3b, ninhbinh Điều 8.3); ends the handover reminders. false when it already was so.
   */
  setKeeper(mailboxId: number, staffId: number, actor: Actor): Promise<boolean>;
}

/**
 * The unit/group mailboxes `staffId` keeps start waiting for a new keeper (leaver or mover):
 * mic Điều 12.3d, binhtan Điều 7.3b, ninhbinh Điều 8.3. Returns every mailbox of theirs that
 * waits (also those marked before, so a retry reports the same).
 */
async function startKeeperHandover(tx: DbOrTx, staffId: number, now: Date): Promise<string[]> {
  const kept = and(
    eq(mailboxes.keeperStaffId, staffId),
    inArray(mailboxes.kind, ["unit", "group"]),
    ne(mailboxes.status, "revoked"),
  );
  await tx
    .update(mailboxes)
    .set({ keeperHandoverSince: now, updatedAt: now })
    .where(and(kept, isNull(mailboxes.keeperHandoverSince)));
  const rows = await tx
    .select({ address: mailboxes.address })
    .from(mailboxes)
    .where(kept)
    .orderBy(mailboxes.address);
  return rows.map((r) => r.address);
}

/** Longest list `staff find` and a refusal's candidates show. */
const MAX_CANDIDATES = 8;

const Query = z.object({
  id: z.number().int().positive().optional(),
  address: z.string().trim().max(254).optional(),
  name: z.string().trim().max(100).optional(),
  unitId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).optional(),
});

/** The unit/group mailboxes of `staffId` still waiting for a new keeper. */
async function keptBy(tx: DbOrTx, staffId: number): Promise<string[]> {
  const rows = await tx
    .select({ address: mailboxes.address })
    .from(mailboxes)
    .where(and(eq(mailboxes.keeperStaffId, staffId), sql`${mailboxes.keeperHandoverSince} is not null`))
    .orderBy(mailboxes.address);
  return rows.map((r) => r.address);
}

export function createDirectoryService(ctx: ServiceContext): DirectoryService {
  const { db } = ctx.database;

  /** Every person with the addresses they hold, for matching typed text. */
  async function searchRows(): Promise<SearchRow[]> {
    const people = await db
      .select({ id: staff.id, fullName: staff.fullName, externalId: staff.externalId })
      .from(staff);
    const boxes = await db
      .select({ address: mailboxes.address, owner: mailboxes.ownerStaffId, keeper: mailboxes.keeperStaffId })
      .from(mailboxes)
      .where(or(isNotNull(mailboxes.ownerStaffId), isNotNull(mailboxes.keeperStaffId)));
    const byStaff = new Map<number, string[]>();
    for (const b of boxes) {
      for (const id of [b.owner, b.keeper]) {
        if (id === null) continue;
        const list = byStaff.get(id) ?? [];
        list.push(b.address.toLowerCase());
        byStaff.set(id, list);
      }
    }
    return people.map((p) => ({ ...p, addresses: byStaff.get(p.id) ?? [] }));
  }

  /** The listings of `ids`, in that order. */
  async function listings(ids: readonly number[]): Promise<StaffListing[]> {
    if (ids.length === 0) return [];
    const views = await staffViews(db, inArray(staff.id, [...ids]), ids.length);
    const boxes = await db
      .select({
        address: mailboxes.address,
        kind: mailboxes.kind,
        status: mailboxes.status,
        owner: mailboxes.ownerStaffId,
        keeper: mailboxes.keeperStaffId,
      })
      .from(mailboxes)
      .where(or(inArray(mailboxes.ownerStaffId, [...ids]), inArray(mailboxes.keeperStaffId, [...ids])))
      .orderBy(mailboxes.address);
    const scopeUnits = [
      ...new Set(views.flatMap((v) => v.roles.flatMap((r) => (r.unitId ? [r.unitId] : [])))),
    ];
    const unitNames = new Map(
      scopeUnits.length === 0
        ? []
        : (
            await db
              .select({ id: units.id, name: units.name })
              .from(units)
              .where(inArray(units.id, scopeUnits))
          ).map((u) => [u.id, u.name]),
    );
    const byId = new Map(views.map((v) => [v.id, v]));
    return ids.flatMap((id) => {
      const v = byId.get(id);
      if (!v) return [];
      return [
        {
          ...v,
          mailboxes: boxes
            .filter((b) => b.owner === id || b.keeper === id)
            .map((b) => ({ address: b.address, kind: b.kind, status: b.status, keeper: b.owner !== id })),
          roleScopes: v.roles.map((r) => ({
            role: r.role,
            unitName: r.unitId === null ? null : (unitNames.get(r.unitId) ?? null),
          })),
        },
      ];
    });
  }

  return {
    async findMailbox(address) {
      if (typeof address !== "string" || address.length > 254) return null;
      const row = await mailboxByAddress(db, address);
      return row ? mailboxView(row) : null;
    },

    async getMailbox(id) {
      if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return null;
      const [row] = await db.select().from(mailboxes).where(eq(mailboxes.id, id));
      return row ? mailboxView(row) : null;
    },

    async mailboxesOfStaff(staffId) {
      if (!Number.isSafeInteger(staffId)) return [];
      const rows = await db
        .select()
        .from(mailboxes)
        .where(or(eq(mailboxes.ownerStaffId, staffId), eq(mailboxes.keeperStaffId, staffId)))
        .orderBy(mailboxes.id);
      return rows.map(mailboxView);
    },

    async mailboxesInUnits(unitIds) {
      if (unitIds.length === 0) return [];
      const rows = await db
        .select()
        .from(mailboxes)
        .where(inArray(mailboxes.unitId, unitIds))
        .orderBy(mailboxes.address);
      return rows.map(mailboxView);
    },

    async getUnit(id) {
      if (!Number.isSafeInteger(id)) return null;
      const [row] = await db.select().from(units).where(eq(units.id, id)).limit(1);
      return row ? unitView(row) : null;
    },

    async findUnitByRef(ref) {
      const text = ref.trim().slice(0, 60);
      const numeric = /^\d{1,9}$/.test(text) ? Number(text) : -1;
      const [row] = await db
        .select()
        .from(units)
        .where(or(eq(units.id, numeric), eq(units.externalId, text)))
        .limit(1);
      if (row) return unitView(row);
      // The name or the abbreviation, as people write it: case and diacritics do not count.
      const typed = foldWords(text);
      const all = await db.select().from(units).orderBy(units.id);
      const named = all.filter((u) => foldWords(u.name) === typed || foldWords(u.abbr) === typed);
      if (named.length === 1) return unitView(named[0] as (typeof all)[number]);
      if (named.length > 1) {
        throw new ServiceError(
          "ambiguous",
          `Có ${named.length} đơn vị tên “${text}”: ${named
            .map((u) => `${u.name} (ma_don_vi ${u.externalId ?? u.id})`)
            .join("; ")}. Hãy dùng ma_don_vi để chỉ rõ.`,
        );
      }
      const near = all.filter((u) => foldWords(u.name).includes(typed)).slice(0, MAX_CANDIDATES);
      throw new ServiceError(
        "not_found",
        `Không có đơn vị “${text}”.` +
          (near.length > 0
            ? ` Có phải: ${near.map((u) => `${u.name} (ma_don_vi ${u.externalId ?? u.id})`).join("; ")}?`
            : "") +
          " Dùng tên đơn vị, ký hiệu hoặc ma_don_vi đã nhập.",
      );
    },

    async listUnits(profileId) {
      const rows = await db
        .select()
        .from(units)
        .where(profileId ? eq(units.profileId, profileId) : undefined)
        .orderBy(units.id);
      return rows.map(unitView);
    },

    async unitSubtree(unitId) {
      const ids = await unitSubtreeIds(db, [unitId]);
      if (ids.length === 0) return [];
      return (await db.select().from(units).where(inArray(units.id, ids)).orderBy(units.id)).map(unitView);
    },

    async findStaff(raw) {
      const parsed = Query.safeParse(raw);
      if (!parsed.success)
        throw new ServiceError(
          "invalid_input",
          "Điều kiện tìm cán bộ không hợp lệ (tên tối đa 100 ký tự, mã là số).",
        );
      const q = parsed.data;
      const conditions: SQL[] = [];
      if (q.id !== undefined) conditions.push(eq(staff.id, q.id));
      if (q.unitId !== undefined) conditions.push(eq(staff.unitId, q.unitId));
      if (q.name) conditions.push(ilike(staff.fullName, `%${likeEscape(q.name.normalize("NFC"))}%`));
      if (q.address) {
        const mailbox = await mailboxByAddress(db, q.address);
        const ids = [mailbox?.ownerStaffId, mailbox?.keeperStaffId].filter(
          (x): x is number => typeof x === "number",
        );
        if (ids.length === 0) return [];
        conditions.push(inArray(staff.id, ids));
      }
      if (conditions.length === 0)
        throw new ServiceError(
          "invalid_input",
          "Hãy cho biết tên, mã, địa chỉ thư hoặc đơn vị của cán bộ cần tìm.",
        );
      return staffViews(db, and(...conditions), q.limit ?? 50);
    },

    async listStaff(q) {
      const where: SQL[] = [];
      if (q.unitId !== undefined) {
        const ids = await unitSubtreeIds(db, [q.unitId]);
        where.push(inArray(staff.unitId, ids.length > 0 ? ids : [-1]));
      }
      if (q.profileId) where.push(eq(units.profileId, q.profileId));
      const rows = await db
        .select({ id: staff.id })
        .from(staff)
        .innerJoin(units, eq(units.id, staff.unitId))
        .where(where.length > 0 ? and(...where) : undefined)
        .orderBy(units.name, staff.fullName, staff.id)
        .limit(q.limit ?? 10_000);
      return listings(rows.map((r) => r.id));
    },

    async searchStaff(text, limit = MAX_CANDIDATES) {
      const typed = text.normalize("NFC").trim().slice(0, 100);
      if (typed === "")
        throw new ServiceError("invalid_input", "Hãy gõ tên, mã cán bộ hoặc địa chỉ thư cần tìm.");
      return listings(rankStaff(typed, await searchRows(), limit).map((r) => r.id));
    },

    async resolveStaff(raw) {
      const text = raw.normalize("NFC").trim().slice(0, 254);
      if (text === "")
        throw new ServiceError("invalid_input", "Cần chỉ rõ cán bộ: mã cán bộ, địa chỉ thư hoặc họ tên.");
      const hits = new Map<number, string>();
      if (text.includes("@")) {
        const box = await mailboxByAddress(db, text);
        const id = box?.ownerStaffId ?? box?.keeperStaffId;
        if (id) hits.set(id, `địa chỉ ${box?.address}`);
      } else {
        const byCode = await db
          .select({ id: staff.id })
          .from(staff)
          .where(eq(sql`lower(${staff.externalId})`, text.toLowerCase()));
        for (const r of byCode) hits.set(r.id, `mã cán bộ ${text}`);
        if (/^\d{1,9}$/.test(text)) {
          const [byId] = await db
            .select({ id: staff.id })
            .from(staff)
            .where(eq(staff.id, Number(text)));
          if (byId && !hits.has(byId.id)) hits.set(byId.id, `số nội bộ ${text}`);
        }
        if (hits.size === 0) {
          // A full name (diacritics and case aside) only one person has.
          const typed = foldWords(text);
          const rows = await searchRows();
          for (const r of rows) if (foldWords(r.fullName) === typed) hits.set(r.id, "họ tên");
        }
      }
      if (hits.size === 1) return requireStaff(db, [...hits.keys()][0] as number);
      if (hits.size > 1) {
        const people = await listings([...hits.keys()]);
        throw new ServiceError(
          "ambiguous",
          `“${text}” khớp với ${people.length} cán bộ: ${people
            .map(
              (p) =>
                `${describeStaff(
                  p,
                  p.mailboxes.map((m) => m.address),
                )} theo ${hits.get(p.id)}`,
            )
            .join("; ")}. Hãy dùng mã cán bộ hoặc địa chỉ thư để chỉ rõ một người.`,
          { candidates: people.map((p) => ({ staffId: p.id, code: p.externalId, fullName: p.fullName })) },
        );
      }
      const near = text.includes("@")
        ? []
        : await listings(rankStaff(text, await searchRows(), MAX_CANDIDATES).map((r) => r.id));
      throw new ServiceError(
        "not_found",
        `Không tìm thấy cán bộ “${text}”.` +
          (near.length > 0
            ? ` Có phải: ${near
                .map((p) =>
                  describeStaff(
                    p,
                    p.mailboxes.map((m) => m.address),
                  ),
                )
                .join("; ")}?`
            : "") +
          " Dùng mã cán bộ (ma_can_bo trong tệp nhập), địa chỉ thư, hoặc tìm bằng: mailbot staff find <tên>.",
        { candidates: near.map((p) => ({ staffId: p.id, code: p.externalId, fullName: p.fullName })) },
      );
    },

    async namesOfChats(chatIds) {
      const ids = chatIds.filter((id) => Number.isSafeInteger(id) && id > 0);
      if (ids.length === 0) return new Map();
      const rows = await db
        .select({ tg: staff.telegramUserId, fullName: staff.fullName, unitName: units.name })
        .from(staff)
        .innerJoin(units, eq(units.id, staff.unitId))
        .where(inArray(staff.telegramUserId, ids));
      return new Map(rows.map((r) => [Number(r.tg), { fullName: r.fullName, unitName: r.unitName }]));
    },

    async markLeaver(staffId, leftOn, actor) {
      const day = isoDateSchema.safeParse(leftOn);
      if (!day.success)
        throw new ServiceError(
          "invalid_input",
          "Ngày nghỉ việc không hợp lệ: hãy nhập dạng YYYY-MM-DD, ví dụ 2026-12-31.",
        );
      const person = await requireStaff(db, staffId);
      const profile = findProfile(person.profileId);
      if (!profile)
        throw new ServiceError("invalid_input", `Hồ sơ quy chế "${person.profileId}" không tồn tại.`);
      const dates = leaverDates(profile, person.leaderLevel, day.data, await ctx.calendar());
      const names = await db.transaction(async (tx) => {
        const [before] = await tx.select().from(staff).where(eq(staff.id, staffId)).for("update");
        const owned = await tx.select().from(mailboxes).where(livePersonalMailboxOf(staffId)).for("update");
        const unchanged =
          before?.employmentStatus === "left" &&
          before.leftOn === day.data &&
          owned.every(
            (m) =>
              m.sendLockAt?.getTime() === dates.sendLockAt?.getTime() &&
              m.revokeAt?.getTime() === dates.revokeAt.getTime(),
          );
        if (unchanged) return { owned: owned.map((m) => m.address), keeperOf: await keptBy(tx, staffId) };
        const now = ctx.now();
        const keeperOf = await startKeeperHandover(tx, staffId, now);
        await tx
          .update(staff)
          .set({ employmentStatus: "left", leftOn: day.data, updatedAt: now })
          .where(eq(staff.id, staffId));
        if (owned.length > 0) {
          await tx
            .update(mailboxes)
            .set({ sendLockAt: dates.sendLockAt, revokeAt: dates.revokeAt, updatedAt: now })
            .where(
              inArray(
                mailboxes.id,
                owned.map((m) => m.id),
              ),
            );
        }
        await writeAudit(tx, {
          actor,
          action: "staff.leaver",
          entity: "staff",
          entityId: staffId,
          details: {
            leftOn: day.data,
            sendLockAt: dates.sendLockAt?.toISOString() ?? null,
            revokeAt: dates.revokeAt.toISOString(),
            mailboxes: owned.map((m) => m.address),
            keeperOf,
            article: dates.article,
          },
        });
        return { owned: owned.map((m) => m.address), keeperOf };
      });
      return {
        sendLockAt: dates.sendLockAt,
        revokeAt: dates.revokeAt,
        mailboxes: names.owned,
        keeperOf: names.keeperOf,
      };
    },

    async moveStaff(staffId, toUnitId, actor) {
      const person = await requireStaff(db, staffId);
      const target = await requireUnit(db, toUnitId);
      if (target.profileId !== person.profileId) {
        throw new ServiceError(
          "invalid_input",
          `Không thể chuyển sang đơn vị "${target.name}" vì đơn vị đó thuộc hệ thống thư khác (${target.profileId}). Hãy dùng thủ tục nghỉ việc và cấp mới.`,
        );
      }
      if (person.unitId === toUnitId) return { keeperOf: [] };
      return db.transaction(async (tx) => {
        // Re-read under a row lock: a concurrent twin (double click, retry) that moved the person
        // first leaves nothing to change, so the move is applied and audited once.
        const [locked] = await tx
          .select({ unitId: staff.unitId })
          .from(staff)
          .where(eq(staff.id, staffId))
          .for("update");
        if (!locked || locked.unitId === toUnitId) return { keeperOf: await keptBy(tx, staffId) };
        const now = ctx.now();
        await tx.update(staff).set({ unitId: toUnitId, updatedAt: now }).where(eq(staff.id, staffId));
        // The address stays (mic Điều 5.5: existing addresses are never renamed); only the unit moves.
        await tx
          .update(mailboxes)
          .set({ unitId: toUnitId, updatedAt: now })
          .where(and(eq(mailboxes.ownerStaffId, staffId), eq(mailboxes.kind, "personal")));
        // A change of post ends the keeping of a unit mailbox (ninhbinh Điều 8.3 "khi có thay đổi
        // vị trí công tác"; mic Điều 12.3d): the head names a new keeper.
        const keeperOf = await startKeeperHandover(tx, staffId, now);
        await writeAudit(tx, {
          actor,
          action: "staff.move",
          entity: "staff",
          entityId: staffId,
          details: { fromUnitId: locked.unitId, toUnitId, keeperOf },
        });
        return { keeperOf };
      });
    },

    async setKeeper(mailboxId, staffId, actor) {
      const person = await requireStaff(db, staffId);
      return db.transaction(async (tx) => {
        const [mailbox] = await tx.select().from(mailboxes).where(eq(mailboxes.id, mailboxId)).for("update");
        if (!mailbox) {
          throw new ServiceError("not_found", `Không có hộp thư #${mailboxId}. Hãy kiểm tra lại địa chỉ.`);
        }
        if (mailbox.kind === "personal") {
          throw new ServiceError(
            "invalid_input",
            `${mailbox.address} là hộp thư cá nhân: chỉ hộp thư của cơ quan, đơn vị hoặc nhóm mới có người quản lý.`,
          );
        }
        if (mailbox.status === "revoked") {
          throw new ServiceError(
            "invalid_input",
            `${mailbox.address} đã bị thu hồi: không thể giao quản lý.`,
          );
        }
        if (person.employmentStatus !== "active") {
          throw new ServiceError(
            "invalid_input",
            `${person.fullName} không còn công tác: hãy chọn một cán bộ đang công tác để quản lý ${mailbox.address}.`,
          );
        }
        if (person.profileId !== mailbox.profileId) {
          throw new ServiceError(
            "invalid_input",
            `${person.fullName} thuộc hệ thống thư khác (${person.profileId}): hãy chọn cán bộ của ${mailbox.profileId}.`,
          );
        }
        if (mailbox.keeperStaffId === staffId && mailbox.keeperHandoverSince === null) return false;
        await tx
          .update(mailboxes)
          .set({ keeperStaffId: staffId, keeperHandoverSince: null, updatedAt: ctx.now() })
          .where(eq(mailboxes.id, mailboxId));
        await writeAudit(tx, {
          actor,
          action: "mailbox.keeper",
          entity: "mailbox",
          entityId: mailboxId,
          details: { address: mailbox.address, fromStaffId: mailbox.keeperStaffId, toStaffId: staffId },
        });
        return true;
      });
    },
  };
}
