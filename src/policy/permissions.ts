/**
 * One permission table: who may do what to which mailbox or request. The bot (buttons, commands)
 * and the services read the same rows, so a check cannot differ between the two layers.
 *
 * A row says which roles, held over the target's unit (a grant on the unit, an ancestor, or
 * global; admin counts for every role), allow the action, and whether the target's own people
 * may do it without a role: the mailbox's owner or keeper, or the request's requester.
 * Pure: the caller supplies whether the person holds one of the roles over the unit.
 */
import type { Role } from "./types.ts";

export const ACTIONS = [
  /** /capmoi for someone else, and unit or group mailboxes (a staff member asks for themselves). */
  "request.create_for_others",
  /** Endorse or decline a staff member's own /capmoi. */
  "request.endorse",
  /** Take, approve, reject a request (the support desk). */
  "request.handle",
  /** See a request in /trangthai #id. */
  "request.view",
  /** Ask to restore a locked mailbox (/khoiphuc). */
  "mailbox.restore",
  /** Ask the support desk for a new temporary password. */
  "mailbox.request_reset",
  /** See a mailbox's status (/trangthai address). */
  "mailbox.view",
  /** Set a mailbox's password directly (/doimk). */
  "mailbox.set_password",
  /** Report a long absence (/baonghi). */
  "mailbox.report_absence",
  /** Mark a reminder about the mailbox as handled ("Đã xử lý"). */
  "mailbox.mark_handled",
  /** Ping the person who must act on a reminder ("Nhắc cán bộ" in a manager's digest). */
  "mailbox.ping_person",
  /** Lock or unlock a mailbox at once (compromised, violation). */
  "mailbox.lock",
  /** The unit overview (/tongquan) over a subtree. */
  "unit.overview",
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Permission {
  roles: readonly Role[];
  /** The mailbox's owner or keeper, or the request's requester, may without a role. */
  ownPeople: boolean;
}

export const PERMISSIONS: Record<Action, Permission> = {
  "request.create_for_others": { roles: ["clerk", "unit_head", "support"], ownPeople: false },
  "request.endorse": { roles: ["unit_head"], ownPeople: false },
  "request.handle": { roles: ["support"], ownPeople: false },
  "request.view": { roles: ["unit_head", "clerk", "support"], ownPeople: true },
  "mailbox.restore": { roles: ["unit_head", "clerk", "support"], ownPeople: true },
  "mailbox.request_reset": { roles: ["unit_head", "clerk", "support"], ownPeople: true },
  "mailbox.view": { roles: ["unit_head", "clerk", "support"], ownPeople: true },
  "mailbox.set_password": { roles: ["admin"], ownPeople: true },
  "mailbox.report_absence": { roles: ["unit_head"], ownPeople: false },
  "mailbox.mark_handled": { roles: ["unit_head"], ownPeople: true },
  "mailbox.ping_person": { roles: ["unit_head"], ownPeople: false },
  "mailbox.lock": { roles: ["support"], ownPeople: false },
  "unit.overview": { roles: ["unit_head", "support"], ownPeople: false },
};

export function rolesFor(action: Action): readonly Role[] {
  return PERMISSIONS[action].roles;
}

/** What an action is done to: a mailbox (owner/keeper) or a request (requester), on a unit. */
export interface Target {
  unitId: number;
  ownerStaffId?: number | null;
  keeperStaffId?: number | null;
  requesterStaffId?: number | null;
}

/** True when `staffId` is one of the target's own people (owner, keeper, requester). */
export function isOwnPerson(target: Target, staffId: number): boolean {
  return (
    target.ownerStaffId === staffId || target.keeperStaffId === staffId || target.requesterStaffId === staffId
  );
}

/**
 * Whether the action is allowed without asking for roles; `null` means "only if the person holds
 * one of rolesFor(action) over target.unitId" (the caller asks the database).
 */
export function allowedWithoutRole(action: Action, target: Target, staffId: number): boolean {
  return PERMISSIONS[action].ownPeople && isOwnPerson(target, staffId);
}
