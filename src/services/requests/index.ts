/**
 * The request lifecycle: capmoi (new mailbox), khoiphuc (restore), doimk (password reset).
 * One plain use-case function per step, in one module per request kind (create.ts, restore.ts,
 * triage.ts, approve.ts, queue.ts; shared.ts holds the state machine and the rules every step
 * follows). This module binds them to a service context for the rest of the program.
 */
import type { AccessService } from "../access.ts";
import type { ServiceContext } from "../context.ts";
import type { Actor, QueueItem, RequestView } from "../types.ts";
import type { RequestState } from "../../policy/types.ts";
import { approve } from "./approve.ts";
import { createCapmoi, previewCapmoi, type CapmoiPreview } from "./create.ts";
import { get, listForStaff, listOpen } from "./queue.ts";
import { createKhoiphuc, createPasswordReset, openRequestFor } from "./restore.ts";
import type {
  ApproveResult,
  CapmoiInput,
  CreateCapmoiInput,
  MailboxRequestInput,
  RequestDeps,
} from "./shared.ts";
import { assign, cancel, declineEndorsement, endorse, reject, take } from "./triage.ts";

export { existingMessage, type CapmoiPreview } from "./create.ts";
export {
  canTransition,
  CapmoiInputSchema,
  namingContext,
  OPEN_STATES,
  STATE_NAMES_VI,
  TRANSITIONS,
  type ApproveResult,
  type CapmoiInput,
  type CreateCapmoiInput,
  type ExistingForPerson,
  type MailboxRequestInput,
  type RequestAction,
} from "./shared.ts";

export interface RequestsService {
  /** No writes: the address the rules give now, whether the person is eligible, what exists. */
  previewCapmoi(input: CapmoiInput): Promise<CapmoiPreview>;
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
  const deps: RequestDeps = { ctx, access, db: ctx.database.db };
  return {
    previewCapmoi: (input) => previewCapmoi(deps, input),
    createCapmoi: (input, actor) => createCapmoi(deps, input, actor),
    createKhoiphuc: (input, actor) => createKhoiphuc(deps, input, actor),
    createPasswordReset: (input, actor) => createPasswordReset(deps, input, actor),
    endorse: (requestId, actor) => endorse(deps, requestId, actor),
    declineEndorsement: (requestId, reason, actor) => declineEndorsement(deps, requestId, reason, actor),
    take: (requestId, actor) => take(deps, requestId, actor),
    assign: (requestId, assigneeStaffId, actor) => assign(deps, requestId, assigneeStaffId, actor),
    approve: (requestId, actor) => approve(deps, requestId, actor),
    reject: (requestId, reason, actor) => reject(deps, requestId, reason, actor),
    cancel: (requestId, actor) => cancel(deps, requestId, actor),
    get: (requestId) => get(deps, requestId),
    listOpen: (now, options) => listOpen(deps, now, options),
    listForStaff: (staffId) => listForStaff(deps, staffId),
    openRequestFor: (mailboxId, kind) => openRequestFor(deps, mailboxId, kind),
  };
}
