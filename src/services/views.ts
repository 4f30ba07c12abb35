/** Reading rows into the views callers see; shared by the service modules. */
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { executeRows, type DbOrTx } from "../db/client.ts";
import { mailboxes, roleGrants, staff, units, type Mailbox, type Request, type Unit } from "../db/schema.ts";
import { ServiceError } from "./errors.ts";
import type { MailboxView, RequestView, RoleScope, StaffView, UnitView } from "./types.ts";

export function unitView(row: Unit): UnitView {
  return {
    id: row.id,
    profileId: row.profileId,
    kind: row.kind,
    name: row.name,
    abbr: row.abbr,
    parentId: row.parentId,
    localPart: row.localPart,
  };
}

export function mailboxView(row: Mailbox): MailboxView {
  return {
    id: row.id,
    address: row.address,
    localPart: row.localPart,
    profileId: row.profileId,
    kind: row.kind,
    status: row.status,
    lockReason: row.lockReason,
    operatorLockReason: row.operatorLockReason,
    lockedAt: row.lockedAt,
    suspendedAt: row.suspendedAt,
    removeAfter: row.removeAfter,
    sendLockAt: row.sendLockAt,
    revokeAt: row.revokeAt,
    unitId: row.unitId,
    ownerStaffId: row.ownerStaffId,
    keeperStaffId: row.keeperStaffId,
    mustChangePassword: row.mustChangePassword,
    passwordChangedAt: row.passwordChangedAt,
    tempPasswordExpiresAt: row.tempPasswordExpiresAt,
    quotaMb: row.quotaMb,
    lastLoginAt: row.lastLoginAt,
    lastSendAt: row.lastSendAt,
    lastReceiveAt: row.lastReceiveAt,
    createdAt: row.createdAt,
  };
}

/** The names a request view shows, looked up from the rows the request points to. */
export interface RequestNames {
  requesterName: string;
  subjectName: string | null;
  assigneeName: string | null;
  unitName: string;
  mailboxAddress: string | null;
}

/** Columns of `requests` a RequestView needs (all but updated_at). */
export type RequestViewRow = Omit<Request, "updatedAt">;

export function requestViewOf(r: RequestViewRow, names: RequestNames): RequestView {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    profileId: r.profileId,
    requesterStaffId: r.requesterStaffId,
    requesterName: names.requesterName,
    subjectStaffId: r.subjectStaffId,
    // A capmoi for someone not yet in the directory names the person in its payload.
    subjectName: names.subjectName ?? (typeof r.payload.fullName === "string" ? r.payload.fullName : null),
    mailboxId: r.mailboxId,
    address: r.proposedAddress ?? names.mailboxAddress,
    unitId: r.unitId,
    unitName: names.unitName,
    payload: r.payload,
    dueAt: r.dueAt,
    assigneeStaffId: r.assigneeStaffId,
    assigneeName: names.assigneeName,
    reason: r.reason,
    resolution: r.resolution,
    idempotencyKey: r.idempotencyKey,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
  };
}

/** `%`, `_` and `\` in `s` are literal characters in a LIKE pattern (escape `\`), not wildcards. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Mailboxes that make `staffId` "already has a personal mailbox": owned, personal, not revoked. */
export function livePersonalMailboxOf(staffId: number): SQL {
  return and(
    eq(mailboxes.ownerStaffId, staffId),
    eq(mailboxes.kind, "personal"),
    sql`${mailboxes.status} <> 'revoked'`,
  ) as SQL;
}

/** Staff rows (with unit name, profile and role grants) matching `where`. */
export async function staffViews(db: DbOrTx, where: SQL | undefined, limit = 200): Promise<StaffView[]> {
  const rows = await db
    .select({ s: staff, unitName: units.name, profileId: units.profileId })
    .from(staff)
    .innerJoin(units, eq(units.id, staff.unitId))
    .where(where)
    .orderBy(staff.id)
    .limit(limit);
  if (rows.length === 0) return [];
  const grants = await db
    .select({ staffId: roleGrants.staffId, role: roleGrants.role, unitId: roleGrants.unitId })
    .from(roleGrants)
    .where(
      inArray(
        roleGrants.staffId,
        rows.map((r) => r.s.id),
      ),
    )
    .orderBy(roleGrants.id);
  const byStaff = new Map<number, RoleScope[]>();
  for (const g of grants) {
    const list = byStaff.get(g.staffId) ?? [];
    list.push({ role: g.role, unitId: g.unitId });
    byStaff.set(g.staffId, list);
  }
  return rows.map(({ s, unitName, profileId }) => ({
    id: s.id,
    fullName: s.fullName,
    birthDate: s.birthDate,
    unitId: s.unitId,
    unitName,
    profileId,
    leaderLevel: s.leaderLevel,
    employmentType: s.employmentType,
    contractMonths: s.contractMonths,
    employmentStatus: s.employmentStatus,
    leftOn: s.leftOn,
    telegramUserId: s.telegramUserId,
    externalId: s.externalId,
    roles: byStaff.get(s.id) ?? [],
  }));
}

export async function staffViewById(db: DbOrTx, id: number): Promise<StaffView | null> {
  return (await staffViews(db, eq(staff.id, id), 1))[0] ?? null;
}

export async function requireStaff(db: DbOrTx, id: number): Promise<StaffView> {
  const found = await staffViewById(db, id);
  if (!found)
    throw new ServiceError("not_found", `Không tìm thấy cán bộ có mã ${id}. Kiểm tra lại mã cán bộ.`);
  return found;
}

export async function requireUnit(db: DbOrTx, id: number): Promise<Unit> {
  const [row] = await db.select().from(units).where(eq(units.id, id)).limit(1);
  if (!row) {
    throw new ServiceError(
      "not_found",
      `Không có đơn vị mã ${id}. Hãy chọn một đơn vị có trong danh mục (lệnh đơn vị / mailbot import units).`,
    );
  }
  return row;
}

/** The unit and its ancestors, nearest first (a recursive CTE; trees are a few levels deep). */
export async function unitAncestors(db: DbOrTx, unitId: number): Promise<Unit[]> {
  const rows = await executeRows<{ id: number; depth: number }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from ${units} where id = ${unitId}
          union all
          select u.id, u.parent_id, up.depth + 1 from ${units} u join up on u.id = up.parent_id where up.depth < 32)
        select id, depth from up order by depth`,
  );
  if (rows.length === 0) return [];
  const found = await db
    .select()
    .from(units)
    .where(
      inArray(
        units.id,
        rows.map((r) => Number(r.id)),
      ),
    );
  const byId = new Map(found.map((u) => [u.id, u]));
  return rows.map((r) => byId.get(Number(r.id))).filter((u): u is Unit => u !== undefined);
}

/** Ids of the unit and every unit below it. */
export async function unitSubtreeIds(db: DbOrTx, rootIds: readonly number[]): Promise<number[]> {
  if (rootIds.length === 0) return [];
  const rows = await executeRows<{ id: number }>(
    db,
    sql`with recursive down(id, depth) as (
          select id, 0 from ${units} where id in (${sql.join(
            rootIds.map((id) => sql`${id}`),
            sql`, `,
          )})
          union
          select u.id, down.depth + 1 from ${units} u join down on u.parent_id = down.id where down.depth < 32)
        select distinct id from down`,
  );
  return rows.map((r) => Number(r.id));
}

/** A mailbox by address, case-insensitively. */
export async function mailboxByAddress(
  db: DbOrTx,
  address: string,
  options: { forUpdate?: boolean } = {},
): Promise<Mailbox | undefined> {
  const query = db
    .select()
    .from(mailboxes)
    .where(eq(sql`lower(${mailboxes.address})`, address.trim().toLowerCase()))
    .limit(1);
  // forUpdate: the row stays locked until the caller's transaction ends (a state change follows).
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row;
}
