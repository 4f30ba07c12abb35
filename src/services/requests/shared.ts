/**
 * What every request use case shares: the state machine, the input schemas, the request views,
 * the actor checks and the insert with its reservation and audit row.
 *
 * Rules that hold for every function under src/services/requests/:
 * - one transaction per state change, with its audit row inside it;
 * - state changes follow TRANSITIONS only; the request row is locked (SELECT … FOR UPDATE) before
 *   its state is read, so two concurrent approvals serialise and the second one sees "approved"
 *   and is refused with a ServiceError — it changes nothing;
 * - an address is reserved through address_reservations, whose trigger claims it in
 *   address_claims (one unique index over mailboxes and reservations). Under concurrency the
 *   loser of a race gets unique_violation, and createCapmoi retries with the next candidate;
 * - the same idempotency key twice returns the first request and changes nothing.
 */
import { alias } from "drizzle-orm/pg-core";
import { and, asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { WorkingDayCalendar } from "../../calendar/calendar.ts";
import { isoDateSchema } from "../../calendar/time.ts";
import type { IsoDate } from "../../calendar/types.ts";
import type { DbOrTx, Tx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import {
  addressClaims,
  addressReservations,
  mailboxes,
  requests,
  staff,
  units,
  type Request,
  type Unit,
} from "../../db/schema.ts";
import { serviceDeadline } from "../../policy/lifecycle.ts";
import { normalizeName } from "../../policy/names.ts";
import type { Profile } from "../../policy/profile.ts";
import { findProfile } from "../../policy/profiles/index.ts";
import { type Action } from "../../policy/permissions.ts";
import { CONTRACT_MONTHS, OPEN_REQUEST_STATES, REQUEST_STATE_PHRASES } from "../../policy/vocabulary.ts";
import {
  EmploymentType,
  LeaderLevel,
  MailboxKind,
  type RequestKind,
  type RequestState,
} from "../../policy/types.ts";
import { writeAudit } from "../audit.ts";
import type { AccessService } from "../access.ts";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "../errors.ts";
import type { Actor, MailboxView, RequestView, StaffView } from "../types.ts";
import { likeEscape, livePersonalMailboxOf, requestViewOf, staffViewById, unitAncestors } from "../views.ts";

/** What each use case works with: the service context, the permission checks, the database. */
export interface RequestDeps {
  ctx: ServiceContext;
  access: AccessService;
  db: ServiceContext["database"]["db"];
}

// ---------------------------------------------------------------------------------------------
// State machine

export type RequestAction = "endorse" | "take" | "assign" | "approve" | "reject" | "cancel";

/** The only allowed moves. Anything else is refused with a message naming the current state. */
export const TRANSITIONS: Record<RequestAction, { from: readonly RequestState[]; to: RequestState }> = {
  endorse: { from: ["pending_endorsement"], to: "open" },
  take: { from: ["open", "in_progress"], to: "in_progress" },
  assign: { from: ["open", "in_progress"], to: "in_progress" },
  approve: { from: ["open", "in_progress"], to: "approved" },
  reject: { from: ["pending_endorsement", "open", "in_progress"], to: "rejected" },
  cancel: { from: ["pending_endorsement", "open", "in_progress"], to: "cancelled" },
};

export const OPEN_STATES: readonly RequestState[] = OPEN_REQUEST_STATES;

export const STATE_NAMES_VI: Record<RequestState, string> = REQUEST_STATE_PHRASES;

export const ACTION_NAMES_VI: Record<RequestAction, string> = {
  endorse: "xác nhận",
  take: "nhận xử lý",
  assign: "giao xử lý",
  approve: "duyệt",
  reject: "từ chối",
  cancel: "hủy",
};

export function canTransition(action: RequestAction, from: RequestState): boolean {
  return TRANSITIONS[action].from.includes(from);
}

export function refuseTransition(action: RequestAction, request: Pick<Request, "id" | "state">): never {
  const hint =
    request.state === "pending_endorsement"
      ? " Yêu cầu cần lãnh đạo đơn vị xác nhận trước."
      : OPEN_STATES.includes(request.state)
        ? ""
        : " Yêu cầu đã đóng; nếu cần, hãy tạo yêu cầu mới.";
  throw new ServiceError(
    "illegal_transition",
    `Không thể ${ACTION_NAMES_VI[action]} yêu cầu #${request.id} vì yêu cầu ${STATE_NAMES_VI[request.state]}.${hint}`,
    { requestId: request.id, state: request.state, action },
  );
}

// ---------------------------------------------------------------------------------------------
// Inputs

export const Name = z
  .string()
  .max(400, "họ tên quá dài")
  .transform((raw, ctx) => {
    const normalised = normalizeName(raw);
    if (!normalised.ok) {
      ctx.addIssue({ code: "custom", message: normalised.error.message });
      return z.NEVER;
    }
    return normalised.value;
  });
export const IdempotencyKey = z.string().trim().min(1).max(100);
export const Address = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "địa chỉ quá dài")
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*@[a-z0-9.-]+$/, "địa chỉ thư không hợp lệ");

export const CapmoiInputSchema = z.object({
  profileId: z.string().max(32).optional(),
  fullName: Name,
  birthDate: isoDateSchema.nullable().optional(),
  unitId: z.number().int().positive(),
  leaderLevel: LeaderLevel.default("staff"),
  employmentType: EmploymentType,
  contractMonths: z.number().int().min(CONTRACT_MONTHS.min).max(CONTRACT_MONTHS.max).nullable().optional(),
  kind: MailboxKind.default("personal"),
  subjectStaffId: z.number().int().positive().optional(),
  ward: z.string().trim().max(100).nullable().optional(),
  /** CLI/system callers: on whose behalf (requests need a requester). */
  requesterStaffId: z.number().int().positive().optional(),
});
export type CapmoiInput = Omit<z.input<typeof CapmoiInputSchema>, "birthDate"> & {
  birthDate?: IsoDate | null;
};
export const CreateCapmoiSchema = CapmoiInputSchema.extend({
  address: Address.optional(),
  /** The support desk or the operator gives an address outside the naming rules, on purpose. */
  addressOverride: z.boolean().optional(),
  idempotencyKey: IdempotencyKey.optional(),
});
export type CreateCapmoiInput = CapmoiInput & {
  address?: string;
  addressOverride?: boolean;
  idempotencyKey?: string;
};

export const MailboxRequestSchema = z.object({
  address: Address,
  idempotencyKey: IdempotencyKey.optional(),
  requesterStaffId: z.number().int().positive().optional(),
  note: z.string().trim().max(1000).optional(),
});
export type MailboxRequestInput = z.input<typeof MailboxRequestSchema>;

export const Reason = z.string().trim().min(3, "lý do quá ngắn").max(1000, "lý do dài quá 1000 ký tự");

export function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? ` (trường ${issue.path.join(".")})` : "";
    throw new ServiceError(
      "invalid_input",
      `${what} không hợp lệ${field}: ${issue?.message ?? "dữ liệu sai"}. Hãy sửa rồi gửi lại.`,
      {
        issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      },
    );
  }
  return parsed.data;
}

export function requireId(id: unknown): number {
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new ServiceError("invalid_input", "Mã yêu cầu không hợp lệ: hãy dùng số yêu cầu, ví dụ 1042.");
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Views

const requester = alias(staff, "requester");
const subject = alias(staff, "subject");
const assignee = alias(staff, "assignee");

export async function requestViews(
  db: DbOrTx,
  where: ReturnType<typeof and>,
  limit = 500,
): Promise<RequestView[]> {
  const rows = await db
    .select({
      r: requests,
      requesterName: requester.fullName,
      subjectName: subject.fullName,
      assigneeName: assignee.fullName,
      unitName: units.name,
      mailboxAddress: mailboxes.address,
    })
    .from(requests)
    .innerJoin(requester, eq(requester.id, requests.requesterStaffId))
    .leftJoin(subject, eq(subject.id, requests.subjectStaffId))
    .leftJoin(assignee, eq(assignee.id, requests.assigneeStaffId))
    .innerJoin(units, eq(units.id, requests.unitId))
    .leftJoin(mailboxes, eq(mailboxes.id, requests.mailboxId))
    .where(where)
    .orderBy(asc(requests.id))
    .limit(limit);
  return rows.map(({ r, requesterName, subjectName, assigneeName, unitName, mailboxAddress }) =>
    requestViewOf(r, { requesterName, subjectName, assigneeName, unitName, mailboxAddress }),
  );
}

export async function requestView(db: DbOrTx, id: number): Promise<RequestView> {
  const [view] = await requestViews(db, and(eq(requests.id, id)), 1);
  if (!view) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  return view;
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function profileOf(id: string): Profile {
  const profile = findProfile(id);
  if (!profile) {
    throw new ServiceError(
      "invalid_input",
      `Đơn vị thuộc hồ sơ quy chế "${id}" mà hệ thống không biết. Hãy kiểm tra cấu hình hồ sơ.`,
    );
  }
  return profile;
}

export async function lockRequest(tx: Tx, id: number): Promise<Request> {
  const [row] = await tx.select().from(requests).where(eq(requests.id, id)).for("update");
  if (!row) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  return row;
}

/**
 * Taken addresses starting with `prefix` (mailboxes and reservations alike). `lower(address)
 * LIKE 'prefix%'` is an index range scan on address_claims_address_lower_prefix_idx
 * (text_pattern_ops), not a scan of every address.
 */
export async function takenWithPrefix(db: DbOrTx, prefix: string): Promise<Set<string>> {
  const p = prefix.toLowerCase();
  const rows = await db
    .select({ address: addressClaims.address })
    .from(addressClaims)
    .where(sql`lower(${addressClaims.address}) like ${likeEscape(p) + "%"} escape '\\'`);
  return new Set(rows.map((r) => r.address.toLowerCase()));
}

export async function isTaken(db: DbOrTx, address: string): Promise<boolean> {
  const rows = await db
    .select({ id: addressClaims.id })
    .from(addressClaims)
    .where(sql`lower(${addressClaims.address}) = ${address.toLowerCase()}`)
    .limit(1);
  return rows.length > 0;
}

/** What the naming rules need to know about where a person works. */
export async function namingContext(
  db: DbOrTx,
  unit: Unit,
): Promise<{
  unitSymbol: string;
  agency: string | undefined;
  ward: string | undefined;
  parentLocalPart: string | undefined;
}> {
  const chain = await unitAncestors(db, unit.id);
  const agencyUnit = chain.find((u) => (u.kind === "agency" || u.kind === "district") && u.localPart);
  const commune = chain.find((u) => u.kind === "commune");
  const parent = chain[1];
  return {
    unitSymbol: unit.abbr,
    agency: agencyUnit?.localPart ?? undefined,
    ward: commune?.name,
    parentLocalPart: parent?.localPart ?? parent?.abbr ?? undefined,
  };
}

export function deadlineFor(
  profile: Profile,
  kind: RequestKind,
  receivedAt: Date,
  cal: WorkingDayCalendar,
): Date | null {
  const service =
    kind === "capmoi" ? "create" : kind === "khoiphuc" ? "restore" : kind === "doimk" ? "reset" : null;
  return service ? serviceDeadline(profile, service, receivedAt, cal) : null;
}

// ---------------------------------------------------------------------------------------------

export interface ApproveResult {
  request: RequestView;
  mailbox: MailboxView;
  /** Shown once to the person it is delivered to; only its argon2id hash is stored. */
  temporaryPassword?: { password: string; deliverToStaffId: number; expiresAt: Date };
}

/** What already exists for a person: one person, one mailbox, one open request. */
export type ExistingForPerson =
  | { kind: "mailbox"; address: string; staffName: string; status: string }
  | { kind: "request"; id: number; address: string | null; state: RequestState };

// ---------------------------------------------------------------------------------------------
// Actors, idempotency, insert

export async function actorStaff(deps: RequestDeps, actor: Actor): Promise<StaffView | null> {
  const { db } = deps;
  if (actor.kind !== "staff") return null;
  const view = await staffViewById(db, actor.staffId);
  if (!view)
    throw new ServiceError(
      "forbidden",
      "Tài khoản của bạn không còn trong danh bạ. Hãy liên hệ bộ phận hỗ trợ.",
    );
  return view;
}

/** CLI and system act with full rights; staff need the permission table's roles on the unit. */
export async function authorise(
  deps: RequestDeps,
  actor: Actor,
  action: Action,
  unitId: number,
): Promise<StaffView | null> {
  const { access } = deps;
  const me = await actorStaff(deps, actor);
  if (me) await access.requireMay(me, action, { unitId });
  return me;
}

export async function requesterId(
  deps: RequestDeps,
  actor: Actor,
  explicit: number | undefined,
): Promise<number> {
  const { db } = deps;
  if (actor.kind === "staff") return actor.staffId;
  if (explicit === undefined) {
    throw new ServiceError(
      "invalid_input",
      "Cần chỉ rõ người yêu cầu (mã cán bộ) khi tạo yêu cầu từ dòng lệnh.",
    );
  }
  const found = await staffViewById(db, explicit);
  if (!found) throw new ServiceError("not_found", `Không tìm thấy cán bộ có mã ${explicit}.`);
  return explicit;
}

export async function byIdempotencyKey(
  deps: RequestDeps,
  key: string | undefined,
): Promise<RequestView | null> {
  const { db } = deps;
  if (!key) return null;
  const [view] = await requestViews(db, and(eq(requests.idempotencyKey, key)), 1);
  return view ?? null;
}

export async function hasPersonalMailbox(tx: DbOrTx, staffId: number | undefined): Promise<boolean> {
  if (staffId === undefined) return false;
  const rows = await tx
    .select({ id: mailboxes.id })
    .from(mailboxes)
    .where(livePersonalMailboxOf(staffId))
    .limit(1);
  return rows.length > 0;
}

export async function insertRequest(
  tx: Tx,
  values: typeof requests.$inferInsert,
  actor: Actor,
  action: string,
  details: Record<string, unknown>,
): Promise<number> {
  const [row] = await tx.insert(requests).values(values).returning({ id: requests.id });
  const id = (row as { id: number }).id;
  if (values.proposedAddress) {
    await tx.insert(addressReservations).values({ address: values.proposedAddress, requestId: id });
  }
  await writeAudit(tx, { actor, action, entity: "request", entityId: id, details });
  return id;
}

/** Runs `create`; a duplicate idempotency key (a concurrent twin) returns the first request. */
export async function idempotent(
  deps: RequestDeps,
  key: string | undefined,
  create: () => Promise<number>,
): Promise<RequestView> {
  const { db } = deps;
  try {
    return await requestView(db, await create());
  } catch (error) {
    if (key && isUniqueViolation(error, "requests_idempotency_key_uq")) {
      const existing = await byIdempotencyKey(deps, key);
      if (existing) return existing;
    }
    throw error;
  }
}
