/**
 * The shared vocabulary of the domain. Database enums, chat flows and the CLI all use these
 * lists, so a value means the same thing everywhere.
 */
import { z } from "zod";

export const PROFILE_IDS = ["mic", "binhtan", "phuyen", "soctrang", "ninhbinh"] as const;
export const BuiltInProfileId = z.enum(PROFILE_IDS);
/** Built-in ids, or an operator's own profile loaded from JSON. */
export type ProfileId = string;

/** Leader level decides leaver timelines (mic Điều 6.4c, phuyen Điều 5.3b). */
export const LEADER_LEVELS = ["staff", "division", "department"] as const;
export const LeaderLevel = z.enum(LEADER_LEVELS);
export type LeaderLevel = z.infer<typeof LeaderLevel>;

/** How the person works for the state: decides eligibility (mic Điều 6.3). */
export const EMPLOYMENT_TYPES = ["civil_servant", "contract"] as const;
export const EmploymentType = z.enum(EMPLOYMENT_TYPES);
export type EmploymentType = z.infer<typeof EmploymentType>;

export const EMPLOYMENT_STATUSES = ["active", "left"] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

export const UNIT_KINDS = ["agency", "district", "commune", "division"] as const;
export const UnitKind = z.enum(UNIT_KINDS);
export type UnitKind = z.infer<typeof UnitKind>;

export const MAILBOX_KINDS = ["personal", "unit", "group"] as const;
export const MailboxKind = z.enum(MAILBOX_KINDS);
export type MailboxKind = z.infer<typeof MailboxKind>;

/**
 * send_locked: still receives, cannot send (leavers); locked: temporary lock (tạm khóa),
 * still receives; suspended: ninhbinh suspension awaiting removal; revoked: thu hồi, final.
 */
export const MAILBOX_STATUSES = ["active", "send_locked", "locked", "suspended", "revoked"] as const;
export const MailboxStatus = z.enum(MAILBOX_STATUSES);
export type MailboxStatus = z.infer<typeof MailboxStatus>;

export const LOCK_REASONS = [
  "inactivity",
  "violation",
  "compromised",
  "first_login_change",
  "leaver",
  "other",
] as const;
export const LockReason = z.enum(LOCK_REASONS);
export type LockReason = z.infer<typeof LockReason>;

/** Roles are scoped to a unit subtree. clerk = văn thư, keeper of a unit mailbox. */
export const ROLES = ["staff", "clerk", "unit_head", "support", "admin"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Password policies differ for ordinary users and administrators (ninhbinh Điều 11.1). */
export const PASSWORD_ROLES = ["user", "admin"] as const;
export const PasswordRole = z.enum(PASSWORD_ROLES);
export type PasswordRole = z.infer<typeof PasswordRole>;

export const REQUEST_KINDS = ["capmoi", "khoiphuc", "doimk", "leaver", "unit_change"] as const;
export const RequestKind = z.enum(REQUEST_KINDS);
export type RequestKind = z.infer<typeof RequestKind>;

/**
 * pending_endorsement: a staff member asked for their own mailbox; their unit head endorses first.
 * open → in_progress (taken by support) → approved/rejected; cancelled by the requester.
 */
export const REQUEST_STATES = [
  "pending_endorsement",
  "open",
  "in_progress",
  "approved",
  "rejected",
  "cancelled",
] as const;
export const RequestState = z.enum(REQUEST_STATES);
export type RequestState = z.infer<typeof RequestState>;
