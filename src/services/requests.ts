/**
 * The request lifecycle: capmoi (new mailbox), khoiphuc (restore), doimk (password reset).
 *
 * Rules that hold for every function here:
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
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import { isOverdue, workingTimeLeft } from "../calendar/deadlines.ts";
import { formatVnDate, isoDateSchema, vnDateOf } from "../calendar/time.ts";
import type { IsoDate } from "../calendar/types.ts";
import type { DbOrTx, Tx } from "../db/client.ts";
import { isAddressTaken, isUniqueViolation } from "../db/errors.ts";
import {
  addressClaims,
  addressReservations,
  mailboxes,
  requests,
  staff,
  units,
  type Request,
  type Unit,
} from "../db/schema.ts";
import {
  personalAddressPrefix,
  proposePersonalAddress,
  proposeUnitAddress,
  type AddressProposal,
} from "../policy/addresses.ts";
import { checkEligibility } from "../policy/eligibility.ts";
import { serviceDeadline, tempPasswordExpiry } from "../policy/lifecycle.ts";
import { normalizeName } from "../policy/names.ts";
import { generateTemporaryPassword } from "../policy/passwords.ts";
import type { Profile } from "../policy/profile.ts";
import { findProfile } from "../policy/profiles/index.ts";
import { type Action } from "../policy/permissions.ts";
import { CONTRACT_MONTHS, OPEN_REQUEST_STATES, REQUEST_STATE_PHRASES } from "../policy/vocabulary.ts";
import {
  EmploymentType,
  LeaderLevel,
  MailboxKind,
  type RequestKind,
  type RequestState,
} from "../policy/types.ts";
import { writeAudit } from "./audit.ts";
import type { AccessService } from "./access.ts";
import type { ServiceContext } from "./context.ts";
import { ServiceError } from "./errors.ts";
import { operatorLockRefusal } from "./mailboxes.ts";
import { hashPassword } from "./password-hash.ts";
import type { Actor, MailboxView, QueueItem, RequestView, StaffView } from "./types.ts";
import {
  likeEscape,
  livePersonalMailboxOf,
  mailboxByAddress,
  mailboxView,
  requestViewOf,
  requireUnit,
  staffViewById,
  unitAncestors,
} from "./views.ts";

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

const ACTION_NAMES_VI: Record<RequestAction, string> = {
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

function refuseTransition(action: RequestAction, request: Pick<Request, "id" | "state">): never {
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

const Name = z
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
const IdempotencyKey = z.string().trim().min(1).max(100);
const Address = z
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
const CreateCapmoiSchema = CapmoiInputSchema.extend({
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

const MailboxRequestSchema = z.object({
  address: Address,
  idempotencyKey: IdempotencyKey.optional(),
  requesterStaffId: z.number().int().positive().optional(),
  note: z.string().trim().max(1000).optional(),
});
export type MailboxRequestInput = z.input<typeof MailboxRequestSchema>;

const Reason = z.string().trim().min(3, "lý do quá ngắn").max(1000, "lý do dài quá 1000 ký tự");

function parse<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
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

function requireId(id: unknown): number {
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    throw new ServiceError("invalid_input", "Mã yêu cầu không hợp lệ: hãy dùng số yêu cầu, ví dụ 1042.");
  }
  return id;
}

/** "Lê Thị Hoa đã có hộp thư …" / "… đã có yêu cầu #12 đang mở": what one-person-one-request says. */
export function existingMessage(fullName: string, existing: ExistingForPerson): string {
  if (existing.kind === "mailbox") {
    return `${existing.staffName} đã có hộp thư cá nhân ${existing.address} (${existing.status === "active" ? "đang hoạt động" : "đang bị khóa, dùng /khoiphuc để khôi phục"}); mỗi người chỉ có một hộp thư cá nhân.`;
  }
  return `${fullName} đã có yêu cầu cấp mới #${existing.id}${existing.address ? ` (${existing.address})` : ""} ${REQUEST_STATE_PHRASES[existing.state]}; không gửi thêm yêu cầu. Dùng /trangthai ${existing.id} để theo dõi.`;
}

// ---------------------------------------------------------------------------------------------
// Views

const requester = alias(staff, "requester");
const subject = alias(staff, "subject");
const assignee = alias(staff, "assignee");

async function requestViews(db: DbOrTx, where: ReturnType<typeof and>, limit = 500): Promise<RequestView[]> {
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

async function requestView(db: DbOrTx, id: number): Promise<RequestView> {
  const [view] = await requestViews(db, and(eq(requests.id, id)), 1);
  if (!view) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  return view;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function profileOf(id: string): Profile {
  const profile = findProfile(id);
  if (!profile) {
    throw new ServiceError(
      "invalid_input",
      `Đơn vị thuộc hồ sơ quy chế "${id}" mà hệ thống không biết. Hãy kiểm tra cấu hình hồ sơ.`,
    );
  }
  return profile;
}

async function lockRequest(tx: Tx, id: number): Promise<Request> {
  const [row] = await tx.select().from(requests).where(eq(requests.id, id)).for("update");
  if (!row) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  return row;
}

/**
 * Taken addresses starting with `prefix` (mailboxes and reservations alike). `lower(address)
 * LIKE 'prefix%'` is an index range scan on address_claims_address_lower_prefix_idx
 * (text_pattern_ops), not a scan of every address.
 */
async function takenWithPrefix(db: DbOrTx, prefix: string): Promise<Set<string>> {
  const p = prefix.toLowerCase();
  const rows = await db
    .select({ address: addressClaims.address })
    .from(addressClaims)
    .where(sql`lower(${addressClaims.address}) like ${likeEscape(p) + "%"} escape '\\'`);
  return new Set(rows.map((r) => r.address.toLowerCase()));
}

async function isTaken(db: DbOrTx, address: string): Promise<boolean> {
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

function deadlineFor(
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

export interface RequestsService {
  /** No writes: the address the rules give now, whether the person is eligible, what exists. */
  previewCapmoi(input: CapmoiInput): Promise<{
    proposal: AddressProposal;
    eligibility: { ok: true } | { ok: false; code: string; message: string };
    profileId: string;
    existing: ExistingForPerson | null;
  }>;
  createCapmoi(input: CreateCapmoiInput, actor: Actor): Promise<RequestView>;
  createKhoiphuc(input: MailboxRequestInput, actor: Actor): Promise<RequestView>;
  createPasswordReset(input: MailboxRequestInput, actor: Actor): Promise<RequestView>;
  endorse(requestId: number, actor: Actor): Promise<RequestView>;
  /** The unit head turns down a staff member's own request (pending_endorsement only), with a reason. */
  declineEndorsement(requestId: number, reason: string, actor: Actor): Promise<RequestView>;
  take(requestId: number, actor: Actor): Promise<RequestView>;
  assign(requestId: number, assigneeStaffId: number, actor: Actor): Promise<RequestView>;
  approve(requestId: number, actor: Actor): Promise<ApproveResult>;
  reject(requestId: number, reason: string, actor: Actor): Promise<RequestView>;
  cancel(requestId: number, actor: Actor): Promise<RequestView>;
  get(requestId: number): Promise<RequestView | null>;
  listOpen(now?: Date, options?: { states?: RequestState[]; unitIds?: number[] }): Promise<QueueItem[]>;
  listForStaff(staffId: number): Promise<RequestView[]>;
  /** The open request of `kind` for a mailbox, if any (one at a time per mailbox and kind). */
  openRequestFor(mailboxId: number, kind: "khoiphuc" | "doimk"): Promise<RequestView | null>;
}

export function createRequestsService(ctx: ServiceContext, access: AccessService): RequestsService {
  const { db } = ctx.database;

  async function actorStaff(actor: Actor): Promise<StaffView | null> {
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
  async function authorise(actor: Actor, action: Action, unitId: number): Promise<StaffView | null> {
    const me = await actorStaff(actor);
    if (me) await access.requireMay(me, action, { unitId });
    return me;
  }

  async function requesterId(actor: Actor, explicit: number | undefined): Promise<number> {
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

  async function byIdempotencyKey(key: string | undefined): Promise<RequestView | null> {
    if (!key) return null;
    const [view] = await requestViews(db, and(eq(requests.idempotencyKey, key)), 1);
    return view ?? null;
  }

  async function hasPersonalMailbox(tx: DbOrTx, staffId: number | undefined): Promise<boolean> {
    if (staffId === undefined) return false;
    const rows = await tx
      .select({ id: mailboxes.id })
      .from(mailboxes)
      .where(livePersonalMailboxOf(staffId))
      .limit(1);
    return rows.length > 0;
  }

  async function prepareCapmoi(input: z.output<typeof CapmoiInputSchema>) {
    const unit = await requireUnit(db, input.unitId);
    if (input.profileId && input.profileId !== unit.profileId) {
      throw new ServiceError(
        "invalid_input",
        `Đơn vị "${unit.name}" thuộc hồ sơ ${unit.profileId}, không phải ${input.profileId}.`,
      );
    }
    const profile = profileOf(unit.profileId);
    let subjectStaff: StaffView | null = null;
    if (input.subjectStaffId !== undefined) {
      subjectStaff = await staffViewById(db, input.subjectStaffId);
      if (!subjectStaff)
        throw new ServiceError("not_found", `Không tìm thấy cán bộ có mã ${input.subjectStaffId}.`);
    }
    const naming = await namingContext(db, unit);
    const eligibility =
      input.kind === "personal"
        ? checkEligibility(profile, {
            employmentType: input.employmentType,
            contractMonths: input.contractMonths ?? null,
            employmentStatus: subjectStaff?.employmentStatus ?? "active",
            hasPersonalMailbox: await hasPersonalMailbox(db, input.subjectStaffId),
          })
        : ({ ok: true, value: undefined } as const);
    return { unit, profile, subjectStaff, naming, eligibility };
  }

  /**
   * A personal mailbox or an open /capmoi for the same person: the staff record (by id, or the
   * same name and birth date in the same unit) owning a live mailbox, or an open request with the
   * same name, birth date and unit. Names compare case-insensitively (both are NFC-normalised).
   */
  async function existingFor(input: z.output<typeof CapmoiInputSchema>): Promise<ExistingForPerson | null> {
    if (input.kind !== "personal") return null;
    const birth = input.birthDate ?? null;
    const sameName = sql`lower(${staff.fullName}) = lower(${input.fullName})`;
    const people =
      input.subjectStaffId !== undefined
        ? eq(staff.id, input.subjectStaffId)
        : birth
          ? and(sameName, eq(staff.birthDate, birth), eq(staff.unitId, input.unitId))
          : null;
    if (people) {
      const [owned] = await db
        .select({ address: mailboxes.address, status: mailboxes.status, name: staff.fullName })
        .from(mailboxes)
        .innerJoin(staff, eq(staff.id, mailboxes.ownerStaffId))
        .where(and(people, eq(mailboxes.kind, "personal"), sql`${mailboxes.status} <> 'revoked'`))
        .limit(1);
      if (owned)
        return { kind: "mailbox", address: owned.address, staffName: owned.name, status: owned.status };
    }
    const samePerson =
      input.subjectStaffId !== undefined
        ? or(
            eq(requests.subjectStaffId, input.subjectStaffId),
            and(
              sql`lower(${requests.payload}->>'fullName') = lower(${input.fullName})`,
              birth ? sql`${requests.payload}->>'birthDate' = ${birth}` : sql`true`,
            ),
          )
        : and(
            sql`lower(${requests.payload}->>'fullName') = lower(${input.fullName})`,
            birth
              ? sql`${requests.payload}->>'birthDate' = ${birth}`
              : sql`${requests.payload}->>'birthDate' is null`,
          );
    const [open] = await db
      .select({ id: requests.id, address: requests.proposedAddress, state: requests.state })
      .from(requests)
      .where(
        and(
          eq(requests.kind, "capmoi"),
          eq(requests.unitId, input.unitId),
          inArray(requests.state, [...OPEN_REQUEST_STATES]),
          sql`coalesce(${requests.payload}->>'mailboxKind', 'personal') = 'personal'`,
          samePerson,
        ),
      )
      .orderBy(asc(requests.id))
      .limit(1);
    return open ? { kind: "request", id: open.id, address: open.address, state: open.state } : null;
  }

  /** The proposal given what is taken; `extraTaken` are addresses lost in races meanwhile. */
  async function propose(
    prep: Awaited<ReturnType<typeof prepareCapmoi>>,
    input: z.output<typeof CapmoiInputSchema>,
    extraTaken: Set<string>,
  ) {
    const { profile, unit, naming } = prep;
    if (input.kind === "personal") {
      const person = {
        fullName: input.fullName,
        birthDate: input.birthDate ?? undefined,
        unitSymbol: naming.unitSymbol,
        agency: naming.agency,
        ward: input.ward ?? naming.ward,
      };
      // Collision candidates extend the plain name part, so one prefix query finds all of them.
      const prefix = personalAddressPrefix(profile, person);
      const taken = prefix ? await takenWithPrefix(db, prefix) : new Set<string>();
      for (const a of extraTaken) taken.add(a);
      return proposePersonalAddress(profile, person, (address: string) => taken.has(address.toLowerCase()));
    }
    const spec =
      input.kind === "unit"
        ? { kind: unit.kind, abbr: unit.abbr, name: unit.name, parentLocalPart: naming.parentLocalPart }
        : {
            kind: "group" as const,
            abbr: undefined,
            name: input.fullName,
            parentLocalPart: naming.parentLocalPart,
          };
    const first = proposeUnitAddress(profile, spec, () => false);
    const taken = first.ok ? await takenWithPrefix(db, first.value.localPart) : new Set<string>();
    for (const a of extraTaken) taken.add(a);
    return proposeUnitAddress(profile, spec, (address: string) => taken.has(address.toLowerCase()));
  }

  async function insertRequest(
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
  async function idempotent(key: string | undefined, create: () => Promise<number>): Promise<RequestView> {
    try {
      return await requestView(db, await create());
    } catch (error) {
      if (key && isUniqueViolation(error, "requests_idempotency_key_uq")) {
        const existing = await byIdempotencyKey(key);
        if (existing) return existing;
      }
      throw error;
    }
  }

  async function mailboxRequest(
    kind: "khoiphuc" | "doimk",
    raw: MailboxRequestInput,
    actor: Actor,
  ): Promise<RequestView> {
    const input = parse(MailboxRequestSchema, raw, "Yêu cầu");
    const existing = await byIdempotencyKey(input.idempotencyKey);
    if (existing) return existing;
    const mailbox = await mailboxByAddress(db, input.address);
    if (!mailbox) {
      throw new ServiceError(
        "not_found",
        `Không có hộp thư ${input.address}. Kiểm tra lại địa chỉ (viết đầy đủ, ví dụ ten@phuyen.gov.vn).`,
      );
    }
    const profile = profileOf(mailbox.profileId);
    const now = ctx.now();
    checkMailboxFor(kind, mailbox, now);
    const me = await actorStaff(actor);
    if (me)
      await access.requireMay(me, kind === "khoiphuc" ? "mailbox.restore" : "mailbox.request_reset", mailbox);
    const requesterStaffId = await requesterId(actor, input.requesterStaffId);
    const [dup] = await db
      .select({ id: requests.id })
      .from(requests)
      .where(
        and(
          eq(requests.mailboxId, mailbox.id),
          eq(requests.kind, kind),
          inArray(requests.state, [...OPEN_STATES]),
        ),
      )
      .limit(1);
    if (dup) {
      throw new ServiceError(
        "conflict",
        `Hộp thư ${mailbox.address} đã có yêu cầu #${dup.id} đang xử lý. Hãy theo dõi yêu cầu đó (lệnh /trangthai ${dup.id}).`,
        {
          requestId: dup.id,
        },
      );
    }
    const cal = await ctx.calendar();
    const dueAt = deadlineFor(profile, kind, now, cal);
    return idempotent(input.idempotencyKey, () =>
      db.transaction((tx) =>
        insertRequest(
          tx,
          {
            profileId: mailbox.profileId,
            kind,
            state: "open",
            requesterStaffId,
            subjectStaffId: mailbox.ownerStaffId ?? mailbox.keeperStaffId,
            mailboxId: mailbox.id,
            unitId: mailbox.unitId,
            payload: { address: mailbox.address, ...(input.note ? { note: input.note } : {}) },
            dueAt,
            idempotencyKey: input.idempotencyKey ?? null,
            createdAt: now,
            updatedAt: now,
          },
          actor,
          `request.create.${kind}`,
          { address: mailbox.address, dueAt: dueAt?.toISOString() ?? null },
        ),
      ),
    );
  }

  /** Moves a request along TRANSITIONS with its audit row; `extra` may add fields or refuse. */
  async function transition(
    requestId: number,
    action: RequestAction,
    actor: Actor,
    permission: Action | null,
    set: (row: Request, me: StaffView | null) => Partial<typeof requests.$inferInsert>,
    details: Record<string, unknown> = {},
  ): Promise<RequestView> {
    const id = requireId(requestId);
    // Permission first, outside the transaction (PGlite has one connection: inside a transaction
    // only `tx` may be used). The unit of a request never changes, so the check stays valid.
    const [peek] = await db.select({ unitId: requests.unitId }).from(requests).where(eq(requests.id, id));
    if (!peek) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
    const me = permission ? await authorise(actor, permission, peek.unitId) : await actorStaff(actor);
    return db.transaction(async (tx) => {
      const row = await lockRequest(tx, id);
      if (!canTransition(action, row.state)) refuseTransition(action, row);
      const now = ctx.now();
      const to = TRANSITIONS[action].to;
      const closing = !OPEN_STATES.includes(to);
      await tx
        .update(requests)
        .set({ state: to, updatedAt: now, ...(closing ? { decidedAt: now } : {}), ...set(row, me) })
        .where(eq(requests.id, id));
      await writeAudit(tx, {
        actor,
        action: `request.${action}`,
        entity: "request",
        entityId: id,
        details: { from: row.state, to, ...details },
      });
      return requestView(tx, id);
    });
  }

  async function createCapmoiOnce(
    input: z.output<typeof CreateCapmoiSchema>,
    actor: Actor,
  ): Promise<RequestView> {
    const prep = await prepareCapmoi(input);
    if (!prep.eligibility.ok)
      throw new ServiceError("not_eligible", prep.eligibility.error.message, {
        code: prep.eligibility.error.code,
      });
    const existing = await existingFor(input);
    if (existing) throw new ServiceError("conflict", existingMessage(input.fullName, existing), { existing });
    const requesterStaffId = await requesterId(actor, input.requesterStaffId);
    const me = await actorStaff(actor);
    // Clerks, unit heads and support file directly; anyone else needs their unit head first.
    const state: RequestState =
      me && !(await access.may(me, "request.create_for_others", { unitId: prep.unit.id }))
        ? "pending_endorsement"
        : "open";
    const now = ctx.now();
    const cal = await ctx.calendar();
    const dueAt = deadlineFor(prep.profile, "capmoi", now, cal);
    const domain = `@${prep.profile.domain}`;
    if (input.address && !input.address.endsWith(domain)) {
      throw new ServiceError(
        "invalid_input",
        `Địa chỉ ${input.address} không thuộc tên miền ${prep.profile.domain} của đơn vị.`,
      );
    }

    if (input.address) {
      const rules = await propose(prep, input, new Set());
      const allowed = rules.ok
        ? [rules.value.address, ...rules.value.alternatives].map((a) => a.toLowerCase())
        : [];
      if (!allowed.includes(input.address)) {
        const mayOverride = !me || (await access.may(me, "request.handle", { unitId: prep.unit.id }));
        if (!input.addressOverride || !mayOverride) {
          throw new ServiceError(
            "invalid_input",
            `Địa chỉ ${input.address} không theo quy tắc đặt tên của quy chế. Hãy chọn một địa chỉ được đề xuất; chỉ bộ phận hỗ trợ mới cấp ngoại lệ.`,
          );
        }
      }
    }

    const lost = new Set<string>();
    const chosen = input.address;
    for (let attempt = 0; attempt < 40; attempt++) {
      let address: string;
      let rule: string;
      let alternatives: string[] = [];
      if (chosen && !lost.has(chosen) && !(await isTaken(db, chosen))) {
        address = chosen;
        rule = "chosen";
      } else {
        const proposal = await propose(prep, input, lost);
        if (!proposal.ok)
          throw new ServiceError("invalid_input", proposal.error.message, { code: proposal.error.code });
        address = proposal.value.address.toLowerCase();
        rule = proposal.value.ruleId;
        alternatives = proposal.value.alternatives;
      }
      try {
        return await idempotent(input.idempotencyKey, () =>
          db.transaction((tx) =>
            insertRequest(
              tx,
              {
                profileId: prep.profile.id,
                kind: "capmoi",
                state,
                requesterStaffId,
                subjectStaffId: input.subjectStaffId ?? null,
                unitId: prep.unit.id,
                payload: {
                  fullName: input.fullName,
                  birthDate: input.birthDate ?? null,
                  leaderLevel: input.leaderLevel,
                  employmentType: input.employmentType,
                  contractMonths: input.contractMonths ?? null,
                  mailboxKind: input.kind,
                  ward: input.ward ?? null,
                  rule,
                  alternatives,
                  ...(input.address && input.address !== address ? { requestedAddress: input.address } : {}),
                  ...(input.addressOverride && rule === "chosen" ? { addressOverride: true } : {}),
                },
                proposedAddress: address,
                dueAt,
                idempotencyKey: input.idempotencyKey ?? null,
                createdAt: now,
                updatedAt: now,
              },
              actor,
              "request.create.capmoi",
              { address, state, fullName: input.fullName, dueAt: dueAt?.toISOString() ?? null },
            ),
          ),
        );
      } catch (error) {
        if (!isAddressTaken(error)) throw error;
        // Someone claimed it between our read and our insert: next candidate.
        lost.add(address);
      }
    }
    throw new ServiceError(
      "conflict",
      "Không giữ được địa chỉ thư vì có quá nhiều yêu cầu trùng tên cùng lúc. Hãy thử lại sau ít phút.",
    );
  }

  return {
    async previewCapmoi(raw) {
      const input = parse(CapmoiInputSchema, raw, "Yêu cầu cấp mới");
      const prep = await prepareCapmoi(input);
      const proposal = await propose(prep, input, new Set());
      if (!proposal.ok)
        throw new ServiceError("invalid_input", proposal.error.message, { code: proposal.error.code });
      return {
        existing: await existingFor(input),
        proposal: proposal.value,
        eligibility: prep.eligibility.ok
          ? { ok: true }
          : { ok: false, code: prep.eligibility.error.code, message: prep.eligibility.error.message },
        profileId: prep.profile.id,
      };
    },

    async createCapmoi(raw, actor) {
      const input = parse(CreateCapmoiSchema, raw, "Yêu cầu cấp mới");
      const existing = await byIdempotencyKey(input.idempotencyKey);
      if (existing) return existing;
      try {
        return await createCapmoiOnce(input, actor);
      } catch (error) {
        // A concurrent twin with the same key may have won and changed what we saw (the address
        // it took): the twin's request is the answer.
        const twin = error instanceof ServiceError ? await byIdempotencyKey(input.idempotencyKey) : null;
        if (twin) return twin;
        throw error;
      }
    },

    createKhoiphuc: (input, actor) => mailboxRequest("khoiphuc", input, actor),

    async openRequestFor(mailboxId, kind) {
      if (!Number.isSafeInteger(mailboxId) || mailboxId <= 0) return null;
      const [open] = await db
        .select({ id: requests.id })
        .from(requests)
        .where(
          and(
            eq(requests.mailboxId, mailboxId),
            eq(requests.kind, kind),
            inArray(requests.state, [...OPEN_STATES]),
          ),
        )
        .orderBy(asc(requests.id))
        .limit(1);
      return open ? requestView(db, open.id) : null;
    },
    createPasswordReset: (input, actor) => mailboxRequest("doimk", input, actor),

    endorse: (requestId, actor) => transition(requestId, "endorse", actor, "request.endorse", () => ({})),

    async declineEndorsement(requestId, reason, actor) {
      const text = parse(Reason, reason, "Lý do từ chối");
      return transition(
        requestId,
        "reject",
        actor,
        "request.endorse",
        (row) => {
          // A unit head decides only at the endorsement step; afterwards it is the support desk's call.
          if (row.state !== "pending_endorsement") refuseTransition("endorse", row);
          return { reason: text };
        },
        { reason: text, by: "unit_head" },
      );
    },

    take: (requestId, actor) => {
      if (actor.kind !== "staff")
        throw new ServiceError(
          "invalid_input",
          "Chỉ cán bộ hỗ trợ mới nhận xử lý yêu cầu; dùng lệnh giao việc (assign) từ dòng lệnh.",
        );
      return transition(requestId, "take", actor, "request.handle", () => ({
        assigneeStaffId: actor.staffId,
      }));
    },

    async assign(requestId, assigneeStaffId, actor) {
      const target = await staffViewById(db, assigneeStaffId);
      if (!target) throw new ServiceError("not_found", `Không tìm thấy cán bộ có mã ${assigneeStaffId}.`);
      return transition(requestId, "assign", actor, "request.handle", () => ({ assigneeStaffId }), {
        assigneeStaffId,
      });
    },

    async reject(requestId, reason, actor) {
      const text = parse(Reason, reason, "Lý do từ chối");
      return transition(requestId, "reject", actor, "request.handle", () => ({ reason: text }), {
        reason: text,
      });
    },

    async cancel(requestId, actor) {
      const id = requireId(requestId);
      const row = await db
        .select({ requester: requests.requesterStaffId })
        .from(requests)
        .where(eq(requests.id, id));
      const own = actor.kind === "staff" && row[0]?.requester === actor.staffId;
      return transition(id, "cancel", actor, own ? null : "request.handle", () => ({}));
    },

    async approve(requestId, actor) {
      const id = requireId(requestId);
      const [peek] = await db.select().from(requests).where(eq(requests.id, id));
      if (!peek) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
      const me = await authorise(actor, "request.handle", peek.unitId);
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
    },

    async get(requestId) {
      if (typeof requestId !== "number" || !Number.isSafeInteger(requestId) || requestId <= 0) return null;
      const [view] = await requestViews(db, and(eq(requests.id, requestId)), 1);
      return view ?? null;
    },

    async listOpen(now = ctx.now(), options = {}) {
      const states = options.states ?? ["open", "in_progress"];
      const where = and(
        inArray(requests.state, states),
        options.unitIds
          ? options.unitIds.length
            ? inArray(requests.unitId, options.unitIds)
            : sql`false`
          : undefined,
      );
      const views = await requestViews(db, where, 1000);
      const cal = await ctx.calendar();
      const items: QueueItem[] = views.map((v) => ({
        ...v,
        overdue: v.dueAt !== null && isOverdue(now, v.dueAt),
        workingDaysLeft: v.dueAt ? workingTimeLeft(cal, now, v.dueAt) : 0,
      }));
      return items.sort((a, b) => {
        if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
        const da = a.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
        const dbb = b.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
        return da - dbb || a.id - b.id;
      });
    },

    async listForStaff(staffId) {
      if (!Number.isSafeInteger(staffId)) return [];
      const views = await requestViews(
        db,
        or(eq(requests.requesterStaffId, staffId), eq(requests.subjectStaffId, staffId)),
        200,
      );
      return views.sort((a, b) => b.id - a.id);
    },
  };
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

/** Refuses a restore/reset the mailbox's state does not allow; same check at create and approve. */
function checkMailboxFor(
  kind: "khoiphuc" | "doimk",
  mailbox: typeof mailboxes.$inferSelect,
  now: Date,
): void {
  const a = mailbox.address;
  if (mailbox.status === "revoked") {
    throw new ServiceError(
      "illegal_transition",
      `Hộp thư ${a} đã bị thu hồi nên không thể ${kind === "khoiphuc" ? "khôi phục" : "cấp lại mật khẩu"}. Nếu người dùng vẫn cần hộp thư, hãy gửi yêu cầu cấp mới.`,
    );
  }
  if (kind === "khoiphuc") {
    const operatorLock = operatorLockRefusal(mailbox);
    if (operatorLock) throw operatorLock;
    if (mailbox.status === "active") {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đang hoạt động bình thường, không cần khôi phục. Nếu quên mật khẩu, hãy dùng yêu cầu cấp lại mật khẩu (/doimk).`,
      );
    }
    if (mailbox.status === "send_locked") {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đang bị khóa gửi do người dùng nghỉ việc/chuyển công tác; không khôi phục qua yêu cầu này. Hãy liên hệ bộ phận hỗ trợ.`,
      );
    }
    if (
      mailbox.status === "suspended" &&
      mailbox.removeAfter &&
      now.getTime() > mailbox.removeAfter.getTime()
    ) {
      throw new ServiceError(
        "illegal_transition",
        `Hộp thư ${a} đã quá hạn khôi phục (hạn cuối ${formatVnDate(vnDateOf(mailbox.removeAfter))}) và sẽ bị xóa. Hãy gửi yêu cầu cấp mới.`,
      );
    }
  } else if (mailbox.status === "suspended") {
    throw new ServiceError(
      "illegal_transition",
      `Hộp thư ${a} đang bị đình chỉ; hãy gửi yêu cầu khôi phục (/khoiphuc) thay vì cấp lại mật khẩu.`,
    );
  }
}
