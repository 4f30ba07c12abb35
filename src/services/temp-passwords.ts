/**
 * A temporary password not replaced in time expires (issue: 72 hours; profile
 * `passwords.tempPasswordHours`). The mail server verifies against our stored hash, so expiring
 * means removing that hash: the mailbox keeps must-change, and the owner sets a new password
 * with /doimk (the Telegram link authenticates them) or asks for a reset.
 *
 * One set-based UPDATE plus one audit row per mailbox, in one transaction. Repeating it changes
 * nothing: a mailbox whose hash is already gone no longer matches.
 */
import { sql } from "drizzle-orm";
import { executeRows, type Database } from "../db/client.ts";
import { writeAuditBatch } from "./audit.ts";
import { SYSTEM, type Actor } from "./types.ts";

export interface ExpiredTemporaryPassword {
  mailboxId: number;
  address: string;
}

export async function expireTemporaryPasswords(
  database: Database,
  now: Date,
  actor: Actor = SYSTEM,
): Promise<ExpiredTemporaryPassword[]> {
  const at = now.toISOString();
  return database.db.transaction(async (tx) => {
    const rows = await executeRows<{ id: number; address: string }>(
      tx,
      sql`update mailboxes set password_hash = null, updated_at = ${at}::timestamptz
          where must_change_password and password_hash is not null
            and temp_password_expires_at is not null and temp_password_expires_at <= ${at}::timestamptz
          returning id, address`,
    );
    await writeAuditBatch(
      tx,
      rows.map((row) => ({
        actor,
        action: "mailbox.temp_password_expired",
        entity: "mailbox",
        entityId: row.id,
        details: { address: row.address },
      })),
    );
    return rows.map((row) => ({ mailboxId: Number(row.id), address: row.address }));
  });
}
