/** Views and inputs shared by the services and their callers (bot, CLI, scheduler). */
import { z } from "zod";
import type { IsoDate } from "../calendar/types.ts";
import type {
  EmploymentStatus,
  EmploymentType,
  LeaderLevel,
  LockReason,
  MailboxKind,
  MailboxStatus,
  RequestKind,
  RequestState,
  Role,
  UnitKind,
} from "../policy/types.ts";

/** Who does something: written to audit_log as "staff:12", "system" or "cli". */
export type Actor = { kind: "staff"; staffId: number } | { kind: "system" } | { kind: "cli" };

export const ActorSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("staff"), staffId: z.number().int().positive() }),
  z.object({ kind: z.literal("system") }),
  z.object({ kind: z.literal("cli") }),
]);

export const SYSTEM: Actor = { kind: "system" };
export const CLI: Actor = { kind: "cli" };
export const staffActor = (staffId: number): Actor => ({ kind: "staff", staffId });

export interface RoleScope {
  role: Role;
  /** null = everywhere. */
  unitId: number | null;
}

export interface StaffView {
  id: number;
  fullName: string;
  birthDate: IsoDate | null;
  unitId: number;
  unitName: string;
  profileId: string;
  leaderLevel: LeaderLevel;
  employmentType: EmploymentType;
  contractMonths: number | null;
  employmentStatus: EmploymentStatus;
  leftOn: IsoDate | null;
  telegramUserId: number | null;
  externalId: string | null;
  roles: RoleScope[];
}

export interface UnitView {
  id: number;
  profileId: string;
  kind: UnitKind;
  name: string;
  abbr: string;
  parentId: number | null;
  localPart: string | null;
}

export interface MailboxView {
  id: number;
  address: string;
  localPart: string;
  profileId: string;
  kind: MailboxKind;
  status: MailboxStatus;
  lockReason: LockReason | null;
  /** The reason of an operator's security lock (`mailbot mailbox lock`); null otherwise. */
  operatorLockReason: string | null;
  lockedAt: Date | null;
  suspendedAt: Date | null;
  removeAfter: Date | null;
  sendLockAt: Date | null;
  revokeAt: Date | null;
  unitId: number;
  ownerStaffId: number | null;
  keeperStaffId: number | null;
  mustChangePassword: boolean;
  passwordChangedAt: Date | null;
  tempPasswordExpiresAt: Date | null;
  quotaMb: number | null;
  lastLoginAt: Date | null;
  lastSendAt: Date | null;
  lastReceiveAt: Date | null;
  createdAt: Date;
}

export interface RequestView {
  id: number;
  kind: RequestKind;
  state: RequestState;
  profileId: string;
  requesterStaffId: number;
  requesterName: string;
  subjectStaffId: number | null;
  subjectName: string | null;
  mailboxId: number | null;
  address: string | null;
  unitId: number;
  unitName: string;
  payload: Record<string, unknown>;
  dueAt: Date | null;
  assigneeStaffId: number | null;
  assigneeName: string | null;
  reason: string | null;
  resolution: string | null;
  idempotencyKey: string | null;
  createdAt: Date;
  decidedAt: Date | null;
}

export type QueueItem = RequestView & { overdue: boolean; workingDaysLeft: number };
