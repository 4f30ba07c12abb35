/**
 * Applies the mail-server outbox: rows written by the `mailboxes` status trigger in the state
 * change's own transaction (migration `mailserver`). Each row is claimed with
 * `FOR UPDATE SKIP LOCKED` (two workers never take the same row), applied through the
 * connector, and marked applied with an audit row in the same transaction. A failure is
 * retried later with a growing delay; after `maxAttempts` the row stays, with its error, for
 * the operator. The actions are idempotent (kicking nobody, expunging an empty mailbox), so a
 * crash after the server call and before the commit re-applies without doubling anything.
 */
import { sql } from "drizzle-orm";
import { executeRows, type Database } from "../db/client.ts";
import { writeAudit } from "../services/audit.ts";
import { SYSTEM } from "../services/types.ts";
import type { MailServerConnector } from "./connector.ts";

export interface OutboxOptions {
  now?: () => Date;
  /** Rows per run. */
  limit?: number;
  maxAttempts?: number;
  /** Delay before retry n (1-based): baseDelayMs * 2^(n-1), capped at one hour. */
  baseDelayMs?: number;
}

export interface OutboxReport {
  applied: number;
  failed: number;
  /** Rows that reached maxAttempts in this run. */
  gaveUp: number;
}

interface OutboxRow extends Record<string, unknown> {
  id: number | string;
  address: string;
  action: "kick" | "expunge";
  cause: string;
  mailbox_id: number | string | null;
  attempts: number;
}

export async function applyOutbox(
  database: Database,
  connector: MailServerConnector,
  options: OutboxOptions = {},
): Promise<OutboxReport> {
  const now = options.now ?? (() => new Date());
  const limit = options.limit ?? 100;
  const maxAttempts = options.maxAttempts ?? 10;
  const baseDelayMs = options.baseDelayMs ?? 30_000;
  const report: OutboxReport = { applied: 0, failed: 0, gaveUp: 0 };
  for (let i = 0; i < limit; i++) {
    // One row per transaction: the row lock is held only while its own server call runs.
    const outcome = await database.db.transaction(async (tx) => {
      const at = now().toISOString();
      const [row] = await executeRows<OutboxRow>(
        tx,
        sql`select id, address, action, cause, mailbox_id, attempts from mailserver_outbox
          where applied_at is null and attempts < ${maxAttempts} and next_attempt_at <= ${at}::timestamptz
          order by id limit 1 for update skip locked`,
      );
      if (!row) return "empty" as const;
      try {
        if (row.action === "kick") await connector.kick(row.address);
        else await connector.removeMail(row.address);
      } catch (error) {
        const attempts = row.attempts + 1;
        const delay = Math.min(baseDelayMs * 2 ** (attempts - 1), 3_600_000);
        await tx.execute(sql`update mailserver_outbox set attempts = ${attempts},
            last_error = ${String((error as Error).message).slice(0, 500)},
            next_attempt_at = ${new Date(now().getTime() + delay).toISOString()}::timestamptz
          where id = ${row.id}`);
        return attempts >= maxAttempts ? ("gave_up" as const) : ("failed" as const);
      }
      await tx.execute(sql`update mailserver_outbox set attempts = attempts + 1, applied_at = ${at}::timestamptz,
          last_error = null where id = ${row.id}`);
      await writeAudit(tx, {
        actor: SYSTEM,
        action: `mailserver.${row.action}`,
        entity: "mailbox",
        entityId: row.mailbox_id === null ? null : Number(row.mailbox_id),
        details: { address: row.address, cause: row.cause, outboxId: Number(row.id), server: connector.kind },
      });
      return "applied" as const;
    });
    if (outcome === "empty") break;
    if (outcome === "applied") report.applied++;
    else {
      report.failed++;
      if (outcome === "gave_up") report.gaveUp++;
    }
  }
  return report;
}
