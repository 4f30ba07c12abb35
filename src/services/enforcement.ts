/**
 * Enforcement actions the reminder sweep applies on the dates the rules compute: each one is a
 * guarded state change (it only applies if the mailbox is still in the expected state) plus one
 * audit row, inside the caller's transaction — the sweep claims the action's key in that same
 * transaction, so an action is applied exactly once even with two instances or a crash.
 */
import { sql } from "drizzle-orm";
import { executeRows, type DbOrTx } from "../db/client.ts";
import { writeAudit } from "./audit.ts";
import { SYSTEM, type Actor } from "./types.ts";

/** The state changes the reminder sweep may apply through this service. */
export type EnforcementKind =
  | "lock_inactivity"
  | "suspend_inactivity"
  | "remove_suspended"
  | "send_lock_leaver"
  | "revoke_leaver"
  | "lock_first_login";

export interface EnforcementInput {
  kind: EnforcementKind;
  mailboxId: number;
  /** Article applied, kept in the audit row. */
  article: string;
  /** ninhbinh suspension: the removal date. */
  removeAfter?: Date;
  /** Claim key of the action, kept in the audit row to trace it back to the sweep. */
  key?: string;
}

const ACTION_NAMES: Record<EnforcementKind, string> = {
  lock_inactivity: "mailbox.lock",
  suspend_inactivity: "mailbox.suspend",
  remove_suspended: "mailbox.remove",
  send_lock_leaver: "mailbox.send_lock",
  revoke_leaver: "mailbox.revoke",
  lock_first_login: "mailbox.lock",
};

/**
 * Applies one action at `now`. Returns false (and changes nothing) when the mailbox is no
 * longer in the state the action expects (restored, already revoked…).
 */
export async function applyEnforcement(
  tx: DbOrTx,
  input: EnforcementInput,
  now: Date,
  actor: Actor = SYSTEM,
): Promise<boolean> {
  const at = now.toISOString();
  const id = input.mailboxId;
  let statement;
  switch (input.kind) {
    case "lock_inactivity":
      statement = sql`update mailboxes set status = 'locked', lock_reason = 'inactivity', locked_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
        where id = ${id} and status = 'active' returning id`;
      break;
    case "lock_first_login":
      statement = sql`update mailboxes set status = 'locked', lock_reason = 'first_login_change', locked_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
        where id = ${id} and status = 'active' and must_change_password returning id`;
      break;
    case "suspend_inactivity":
      statement = sql`update mailboxes set status = 'suspended', lock_reason = 'inactivity', locked_at = ${at}::timestamptz,
          suspended_at = ${at}::timestamptz, remove_after = ${input.removeAfter?.toISOString() ?? null}::timestamptz, updated_at = ${at}::timestamptz
        where id = ${id} and status = 'active' returning id`;
      break;
    case "remove_suspended":
      statement = sql`update mailboxes set status = 'revoked', updated_at = ${at}::timestamptz
        where id = ${id} and status = 'suspended' returning id`;
      break;
    case "send_lock_leaver":
      statement = sql`update mailboxes set status = 'send_locked', lock_reason = 'leaver', locked_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
        where id = ${id} and status = 'active' returning id`;
      break;
    case "revoke_leaver":
      statement = sql`update mailboxes set status = 'revoked', updated_at = ${at}::timestamptz
        where id = ${id} and status <> 'revoked' returning id`;
      break;
  }
  const rows = await executeRows(tx, statement);
  if (rows.length === 0) return false;
  await writeAudit(tx, {
    actor,
    action: ACTION_NAMES[input.kind],
    entity: "mailbox",
    entityId: id,
    details: {
      reason: input.kind,
      article: input.article,
      ...(input.removeAfter ? { removeAfter: input.removeAfter.toISOString() } : {}),
      ...(input.key ? { claim: input.key } : {}),
    },
  });
  return true;
}
