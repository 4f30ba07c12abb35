/**
 * Role checks. A grant is (staff, role, unit | null): it covers the unit's whole subtree, and a
 * NULL unit means everywhere. `admin` satisfies every role within its scope. Every staff member
 * implicitly holds `staff` on their own unit.
 *
 * Cost: the grants are already on the StaffView; a check walks up from the target unit with one
 * recursive CTE (units are a few levels deep) and is skipped entirely for global grants.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import { z } from "zod";
import { roleGrants, staff as staffTable, units } from "../db/schema.ts";
import { Role as RoleSchema, type Role } from "../policy/types.ts";
import { allowedWithoutRole, rolesFor, type Action, type Target } from "../policy/permissions.ts";
import { ROLE_LABELS } from "../policy/vocabulary.ts";
import { writeAudit } from "./audit.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import type { Actor, RoleScope, StaffView, UnitView } from "./types.ts";
import { requireStaff, requireUnit, staffViews, unitAncestors, unitSubtreeIds, unitView } from "./views.ts";

export interface AccessService {
  /** True when `staff` holds `role` (or one of several) over `unitId`; at most one query. */
  hasRole(staff: StaffView, role: Role | readonly Role[], unitId?: number | null): Promise<boolean>;
  /** Throws ServiceError("forbidden") when hasRole is false. */
  requireRole(staff: StaffView, role: Role | readonly Role[], unitId?: number | null): Promise<void>;
  /** The permission table (src/policy/permissions.ts): own people, else its roles over the unit. */
  may(staff: StaffView, action: Action, target?: Target): Promise<boolean>;
  /** Throws ServiceError("forbidden") when `may` is false. */
  requireMay(staff: StaffView, action: Action, target?: Target): Promise<void>;
  unitsInScope(staff: StaffView, roles: readonly Role[]): Promise<UnitView[]>;
  /**
   * Who holds `role` (exactly that role, not admin) over `unitId`: grants on the unit, on an
   * ancestor, or global. The nearest level comes first (the unit's own head before the head of
   * its parent). Used to route a staff member's own /capmoi to their unit head for endorsement.
   */
  holders(role: Role, unitId: number): Promise<StaffView[]>;
  grant(staffId: number, role: Role, unitId: number | null, actor: Actor): Promise<void>;
  revoke(staffId: number, role: Role, unitId: number | null, actor: Actor): Promise<void>;
}

export const ROLE_NAMES_VI: Record<Role, string> = ROLE_LABELS;

function matching(staff: StaffView, roles: readonly Role[]): RoleScope[] {
  return staff.roles.filter((g) => roles.includes(g.role) || g.role === "admin");
}

const GrantInput = z.object({
  staffId: z.number().int().positive(),
  role: RoleSchema,
  unitId: z.number().int().positive().nullable(),
});

export function createAccessService(ctx: ServiceContext): AccessService {
  const { db } = ctx.database;

  // Several roles are checked together: one ancestor walk for all of them, not one per role.
  async function hasRole(
    staff: StaffView,
    role: Role | readonly Role[],
    unitId?: number | null,
  ): Promise<boolean> {
    const roles: readonly Role[] = typeof role === "string" ? [role] : role;
    const anyStaff = roles.includes("staff");
    const grants = matching(staff, roles);
    if (anyStaff && (unitId === undefined || unitId === null)) return true;
    if (grants.some((g) => g.unitId === null)) return true;
    if (unitId === undefined || unitId === null) return grants.length > 0;
    const scoped = new Set(grants.map((g) => g.unitId));
    if (anyStaff) scoped.add(staff.unitId);
    if (scoped.size === 0) return false;
    if (scoped.has(unitId)) return true;
    const ancestors = await unitAncestors(db, unitId);
    return ancestors.some((u) => scoped.has(u.id));
  }

  async function validate(staffId: number, role: Role, unitId: number | null) {
    const parsed = GrantInput.safeParse({ staffId, role, unitId });
    if (!parsed.success) {
      throw new ServiceError(
        "invalid_input",
        `Quyền không hợp lệ. Các quyền: ${Object.keys(ROLE_NAMES_VI).join(", ")}; đơn vị là mã số hoặc để trống (toàn hệ thống).`,
      );
    }
    await requireStaff(db, staffId);
    if (unitId !== null) await requireUnit(db, unitId);
    return parsed.data;
  }

  async function may(staff: StaffView, action: Action, target?: Target): Promise<boolean> {
    if (target && allowedWithoutRole(action, target, staff.id)) return true;
    return hasRole(staff, rolesFor(action), target?.unitId);
  }

  async function requireRole(staff: StaffView, role: Role | readonly Role[], unitId?: number | null) {
    const roles: readonly Role[] = typeof role === "string" ? [role] : role;
    if (await hasRole(staff, roles, unitId)) return;
    throw new ServiceError(
      "forbidden",
      `Bạn không có quyền ${roles.map((r) => ROLE_NAMES_VI[r]).join(" hoặc ")} cho việc này. Hãy liên hệ bộ phận hỗ trợ nếu cần được cấp quyền.`,
    );
  }

  return {
    hasRole,
    requireRole,
    may,

    async requireMay(staff, action, target) {
      if (!(await may(staff, action, target))) await requireRole(staff, rolesFor(action), target?.unitId);
    },

    async unitsInScope(staff, roles) {
      const grants = staff.roles.filter((g) => roles.includes(g.role) || g.role === "admin");
      if (grants.some((g) => g.unitId === null)) {
        return (await db.select().from(units).orderBy(units.id)).map(unitView);
      }
      const roots = grants.map((g) => g.unitId).filter((id): id is number => id !== null);
      if (roles.includes("staff")) roots.push(staff.unitId);
      const ids = await unitSubtreeIds(db, [...new Set(roots)]);
      if (ids.length === 0) return [];
      return (await db.select().from(units).where(inArray(units.id, ids)).orderBy(units.id)).map(unitView);
    },

    async holders(role, unitId) {
      const ancestors = await unitAncestors(db, unitId);
      const depth = new Map(ancestors.map((u, i) => [u.id, i]));
      const grants = await db
        .select({ staffId: roleGrants.staffId, unitId: roleGrants.unitId })
        .from(roleGrants)
        .where(eq(roleGrants.role, role));
      const nearest = new Map<number, number>();
      for (const g of grants) {
        const d = g.unitId === null ? ancestors.length : depth.get(g.unitId);
        if (d === undefined) continue;
        nearest.set(g.staffId, Math.min(d, nearest.get(g.staffId) ?? Infinity));
      }
      if (nearest.size === 0) return [];
      const views = await staffViews(db, inArray(staffTable.id, [...nearest.keys()]));
      return views
        .filter((v) => v.employmentStatus === "active")
        .sort((a, b) => (nearest.get(a.id) ?? 0) - (nearest.get(b.id) ?? 0) || a.id - b.id);
    },

    async grant(staffId, role, unitId, actor) {
      const input = await validate(staffId, role, unitId);
      await db.transaction(async (tx) => {
        const inserted = await tx
          .insert(roleGrants)
          .values(input)
          .onConflictDoNothing()
          .returning({ id: roleGrants.id });
        if (inserted.length === 0) return; // already held: nothing changes, nothing to audit
        await writeAudit(tx, {
          actor,
          action: "role.grant",
          entity: "staff",
          entityId: staffId,
          details: { role, unitId },
        });
      });
    },

    async revoke(staffId, role, unitId, actor) {
      const input = await validate(staffId, role, unitId);
      await db.transaction(async (tx) => {
        const removed = await tx
          .delete(roleGrants)
          .where(
            and(
              eq(roleGrants.staffId, input.staffId),
              eq(roleGrants.role, input.role),
              input.unitId === null ? isNull(roleGrants.unitId) : eq(roleGrants.unitId, input.unitId),
            ),
          )
          .returning({ id: roleGrants.id });
        if (removed.length === 0) {
          throw new ServiceError(
            "not_found",
            `Cán bộ ${staffId} không có quyền ${ROLE_NAMES_VI[role]} ở phạm vi này, không có gì để thu hồi.`,
          );
        }
        await writeAudit(tx, {
          actor,
          action: "role.revoke",
          entity: "staff",
          entityId: staffId,
          details: { role, unitId },
        });
      });
    },
  };
}
