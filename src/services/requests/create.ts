/** /capmoi: a new personal, unit or group mailbox — preview, eligibility, address, the request. */
import { and, asc, eq, inArray, or, sql } from "drizzle-orm";
import type { z } from "zod";
import { isAddressTaken } from "../../db/errors.ts";
import { mailboxes, requests, staff } from "../../db/schema.ts";
import {
  personalAddressPrefix,
  proposePersonalAddress,
  proposeUnitAddress,
  type AddressProposal,
} from "../../policy/addresses/index.ts";
import { checkEligibility } from "../../policy/eligibility.ts";
import { OPEN_REQUEST_STATES, REQUEST_STATE_PHRASES } from "../../policy/vocabulary.ts";
import type { RequestState } from "../../policy/types.ts";
import { ServiceError } from "../errors.ts";
import type { Actor, RequestView, StaffView } from "../types.ts";
import { requireUnit, staffViewById } from "../views.ts";
import {
  actorStaff,
  byIdempotencyKey,
  CapmoiInputSchema,
  CreateCapmoiSchema,
  deadlineFor,
  hasPersonalMailbox,
  idempotent,
  insertRequest,
  isTaken,
  namingContext,
  parse,
  profileOf,
  requesterId,
  takenWithPrefix,
  type CapmoiInput,
  type CreateCapmoiInput,
  type ExistingForPerson,
  type RequestDeps,
} from "./shared.ts";

/** No writes: the address the rules give now, whether the person is eligible, what exists. */
export interface CapmoiPreview {
  proposal: AddressProposal;
  eligibility: { ok: true } | { ok: false; code: string; message: string };
  profileId: string;
  existing: ExistingForPerson | null;
}

/** "Lê Thị Hoa đã có hộp thư …" / "… đã có yêu cầu #12 đang mở": what one-person-one-request says. */
export function existingMessage(fullName: string, existing: ExistingForPerson): string {
  if (existing.kind === "mailbox") {
    return `${existing.staffName} đã có hộp thư cá nhân ${existing.address} (${existing.status === "active" ? "đang hoạt động" : "đang bị khóa, dùng /khoiphuc để khôi phục"}); mỗi người chỉ có một hộp thư cá nhân.`;
  }
  return `${fullName} đã có yêu cầu cấp mới #${existing.id}${existing.address ? ` (${existing.address})` : ""} ${REQUEST_STATE_PHRASES[existing.state]}; không gửi thêm yêu cầu. Dùng /trangthai ${existing.id} để theo dõi.`;
}

export async function prepareCapmoi(deps: RequestDeps, input: z.output<typeof CapmoiInputSchema>) {
  const { db } = deps;
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
export async function existingFor(
  deps: RequestDeps,
  input: z.output<typeof CapmoiInputSchema>,
): Promise<ExistingForPerson | null> {
  const { db } = deps;
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
export async function propose(
  deps: RequestDeps,
  prep: Awaited<ReturnType<typeof prepareCapmoi>>,
  input: z.output<typeof CapmoiInputSchema>,
  extraTaken: Set<string>,
) {
  const { db } = deps;
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

export async function createCapmoiOnce(
  deps: RequestDeps,
  input: z.output<typeof CreateCapmoiSchema>,
  actor: Actor,
): Promise<RequestView> {
  const { db, ctx, access } = deps;
  const prep = await prepareCapmoi(deps, input);
  if (!prep.eligibility.ok)
    throw new ServiceError("not_eligible", prep.eligibility.error.message, {
      code: prep.eligibility.error.code,
    });
  const existing = await existingFor(deps, input);
  if (existing) throw new ServiceError("conflict", existingMessage(input.fullName, existing), { existing });
  const requesterStaffId = await requesterId(deps, actor, input.requesterStaffId);
  const me = await actorStaff(deps, actor);
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
    const rules = await propose(deps, prep, input, new Set());
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
      const proposal = await propose(deps, prep, input, lost);
      if (!proposal.ok)
        throw new ServiceError("invalid_input", proposal.error.message, { code: proposal.error.code });
      address = proposal.value.address.toLowerCase();
      rule = proposal.value.ruleId;
      alternatives = proposal.value.alternatives;
    }
    try {
      return await idempotent(deps, input.idempotencyKey, () =>
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

export async function previewCapmoi(deps: RequestDeps, raw: CapmoiInput): Promise<CapmoiPreview> {
  const input = parse(CapmoiInputSchema, raw, "Yêu cầu cấp mới");
  const prep = await prepareCapmoi(deps, input);
  const proposal = await propose(deps, prep, input, new Set());
  if (!proposal.ok)
    throw new ServiceError("invalid_input", proposal.error.message, { code: proposal.error.code });
  return {
    existing: await existingFor(deps, input),
    proposal: proposal.value,
    eligibility: prep.eligibility.ok
      ? { ok: true }
      : { ok: false, code: prep.eligibility.error.code, message: prep.eligibility.error.message },
    profileId: prep.profile.id,
  };
}

export async function createCapmoi(
  deps: RequestDeps,
  raw: CreateCapmoiInput,
  actor: Actor,
): Promise<RequestView> {
  const input = parse(CreateCapmoiSchema, raw, "Yêu cầu cấp mới");
  const existing = await byIdempotencyKey(deps, input.idempotencyKey);
  if (existing) return existing;
  try {
    return await createCapmoiOnce(deps, input, actor);
  } catch (error) {
    // A concurrent twin with the same key may have won and changed what we saw (the address
    // it took): the twin's request is the answer.
    const twin = error instanceof ServiceError ? await byIdempotencyKey(deps, input.idempotencyKey) : null;
    if (twin) return twin;
    throw error;
  }
}
