/** Moving a request along the state machine: endorse, decline, take, assign, reject, cancel. */
import { eq } from "drizzle-orm";
import { requests, type Request } from "../../db/schema.ts";
import { type Action } from "../../policy/permissions.ts";
import { writeAudit } from "../audit.ts";
import { ServiceError } from "../errors.ts";
import type { Actor, RequestView, StaffView } from "../types.ts";
import { staffViewById } from "../views.ts";
import {
  actorStaff,
  authorise,
  canTransition,
  lockRequest,
  OPEN_STATES,
  parse,
  Reason,
  refuseTransition,
  requestView,
  requireId,
  TRANSITIONS,
  type RequestAction,
  type RequestDeps,
} from "./shared.ts";

/** Moves a request along TRANSITIONS with its audit row; `extra` may add fields or refuse. */
export async function transition(
  deps: RequestDeps,
  requestId: number,
  action: RequestAction,
  actor: Actor,
  permission: Action | null,
  set: (row: Request, me: StaffView | null) => Partial<typeof requests.$inferInsert>,
  details: Record<string, unknown> = {},
): Promise<RequestView> {
  const { db, ctx } = deps;
  const id = requireId(requestId);
  // Permission first, outside the transaction (PGlite has one connection: inside a transaction
  // only `tx` may be used). The unit of a request never changes, so the check stays valid.
  const [peek] = await db.select({ unitId: requests.unitId }).from(requests).where(eq(requests.id, id));
  if (!peek) throw new ServiceError("not_found", `Không có yêu cầu #${id}. Kiểm tra lại số yêu cầu.`);
  const me = permission
    ? await authorise(deps, actor, permission, peek.unitId)
    : await actorStaff(deps, actor);
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

export function endorse(deps: RequestDeps, requestId: number, actor: Actor): Promise<RequestView> {
  return transition(deps, requestId, "endorse", actor, "request.endorse", () => ({}));
}

export async function declineEndorsement(
  deps: RequestDeps,
  requestId: number,
  reason: string,
  actor: Actor,
): Promise<RequestView> {
  const text = parse(Reason, reason, "Lý do từ chối");
  return transition(
    deps,
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
}

export function take(deps: RequestDeps, requestId: number, actor: Actor): Promise<RequestView> {
  if (actor.kind !== "staff")
    throw new ServiceError(
      "invalid_input",
      "Chỉ cán bộ hỗ trợ mới nhận xử lý yêu cầu; dùng lệnh giao việc (assign) từ dòng lệnh.",
    );
  return transition(deps, requestId, "take", actor, "request.handle", () => ({
    assigneeStaffId: actor.staffId,
  }));
}

export async function assign(
  deps: RequestDeps,
  requestId: number,
  assigneeStaffId: number,
  actor: Actor,
): Promise<RequestView> {
  const { db } = deps;
  const target = await staffViewById(db, assigneeStaffId);
  if (!target) throw new ServiceError("not_found", `Không tìm thấy cán bộ có mã ${assigneeStaffId}.`);
  return transition(deps, requestId, "assign", actor, "request.handle", () => ({ assigneeStaffId }), {
    assigneeStaffId,
  });
}

export async function reject(
  deps: RequestDeps,
  requestId: number,
  reason: string,
  actor: Actor,
): Promise<RequestView> {
  const text = parse(Reason, reason, "Lý do từ chối");
  return transition(deps, requestId, "reject", actor, "request.handle", () => ({ reason: text }), {
    reason: text,
  });
}

export async function cancel(deps: RequestDeps, requestId: number, actor: Actor): Promise<RequestView> {
  const { db } = deps;
  const id = requireId(requestId);
  const row = await db
    .select({ requester: requests.requesterStaffId })
    .from(requests)
    .where(eq(requests.id, id));
  const own = actor.kind === "staff" && row[0]?.requester === actor.staffId;
  return transition(deps, id, "cancel", actor, own ? null : "request.handle", () => ({}));
}
