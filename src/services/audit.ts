/**
 * Audit rows: one per state change, written in the same transaction as the change. `details`
 * never carries passwords or hashes; `stripSecrets` is a last line of defence for callers that
 * pass whole objects.
 */
import { auditLog } from "../db/schema.ts";
import type { DbOrTx } from "../db/client.ts";
import { isSecretKey, PHC_PATTERN, REDACTED } from "../redact.ts";
import { sql, type SQL } from "drizzle-orm";
import { bulkInsert } from "./bulk.ts";
import type { Actor } from "./types.ts";

export interface AuditInput {
  actor: Actor | string;
  action: string;
  entity: string;
  entityId?: string | number | null;
  details?: Record<string, unknown> | null;
}

/** "staff:12", "system", "cli": the audit and holiday_overrides format. */
export function actorLabel(actor: Actor | string): string {
  if (typeof actor === "string") return actor;
  return actor.kind === "staff" ? `staff:${actor.staffId}` : actor.kind;
}

/**
 * isSecretKey remembered per key: details use a handful of key names, and an import's batch asks
 * about them tens of thousands of times. Bounded, in case some caller's keys are data.
 */
const secretKeys = new Map<string, boolean>();
function secretKey(key: string): boolean {
  let secret = secretKeys.get(key);
  if (secret === undefined) {
    secret = isSecretKey(key);
    if (secretKeys.size < 1000) secretKeys.set(key, secret);
  }
  return secret;
}

/**
 * Secrets by name (password, hash, token…) and PHC hashes by shape are replaced; innocuous names
 * such as `code` (an imported record's code) are kept. Only the PHC shape is looked for in
 * values: audit details hold names and codes a password heuristic would mangle.
 */
export function stripSecrets(value: unknown): unknown {
  if (typeof value === "string") return value.replace(PHC_PATTERN, REDACTED);
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = secretKey(key) ? REDACTED : stripSecrets(inner);
    }
    return out;
  }
  return value;
}

export async function writeAudit(tx: DbOrTx, input: AuditInput): Promise<void> {
  await tx.insert(auditLog).values({
    actor: actorLabel(input.actor),
    action: input.action,
    entity: input.entity,
    entityId: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    details: input.details ? (stripSecrets(input.details) as Record<string, unknown>) : null,
  });
}

const AUDIT_COLUMNS = [
  ["actor", "text"],
  ["action", "text"],
  ["entity", "text"],
  ["entity_id", "text"],
  ["details", "jsonb"],
] as const;

function auditRecord(input: AuditInput): Record<string, unknown> {
  return {
    actor: actorLabel(input.actor),
    action: input.action,
    entity: input.entity,
    entity_id: input.entityId === undefined || input.entityId === null ? null : String(input.entityId),
    details: input.details ? stripSecrets(input.details) : null,
  };
}

/** Many audit rows in a few statements (imports): see bulk.ts. */
export async function writeAuditBatch(tx: DbOrTx, inputs: readonly AuditInput[]): Promise<void> {
  if (inputs.length === 0) return;
  await bulkInsert(tx, "audit_log", AUDIT_COLUMNS, inputs.map(auditRecord));
}

/**
 * The same rows as a row source, not run, for a caller that inserts them together with other
 * audit rows in one statement: `rows from (…) with ordinality as <alias>(actor, action, entity,
 * entity_id, details, ord)`, ord being each row's position (1, 2, …).
 */
export function auditRowsSql(inputs: readonly AuditInput[], alias: string): SQL {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias)) throw new Error(`auditRowsSql: bad alias ${alias}`);
  return sql`rows from (jsonb_to_recordset(${JSON.stringify(inputs.map(auditRecord))}::jsonb) as (actor text, action text, entity text, entity_id text, details jsonb)) with ordinality as ${sql.raw(alias)}(actor, action, entity, entity_id, details, ord)`;
}
