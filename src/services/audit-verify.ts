/**
 * `mailbot audit verify`: walks the audit hash chain (filled by the `audit_log_chain` trigger,
 * migration 0005) and reports the first broken link. The payload expression below repeats the
 * migration's `audit_log_payload` on purpose, and the sha256 is computed here in Node: a
 * replaced database function cannot make a forged row verify.
 *
 * What it catches: a row inserted without the trigger (session_replication_role = replica, or a
 * disabled trigger), a row changed after the fact, a row deleted from the middle (a gap in
 * chain_seq) or from the end (the head no longer matches). What no hash chain can catch: an
 * owner who rewrites the whole chain consistently — hence `head` in the result, to write down
 * elsewhere (see docs/security.md).
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { executeRows, type DbOrTx } from "../db/client.ts";

export const GENESIS_HASH = "0".repeat(64);
const PAGE = 2000;

export type BrokenReason =
  | "not_chained" // no hash: inserted behind the trigger's back
  | "missing_before" // chain_seq jumps: rows before this one were deleted
  | "prev_mismatch" // prev_hash is not the previous row's hash
  | "content_changed" // the row's hash does not match its content
  | "head_mismatch"; // the last row is not the recorded head: rows at the end were deleted

export interface BrokenLink {
  /** audit_log.id of the first row that does not verify (null: the end of the chain). */
  id: number | null;
  chainSeq: number | null;
  reason: BrokenReason;
}

export type AuditVerifyResult =
  { ok: true; count: number; head: string } | { ok: false; count: number; broken: BrokenLink };

interface ChainRow extends Record<string, unknown> {
  id: number | string;
  chain_seq: number | string;
  prev_hash: string | null;
  hash: string | null;
  payload: string;
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export const REASON_TEXT: Record<BrokenReason, string> = {
  not_chained: "dòng không có mã băm (được ghi vượt qua trigger) / row not chained",
  missing_before: "thiếu dòng ngay trước dòng này (đã bị xóa) / rows before it are missing",
  prev_mismatch: "mã băm trước không khớp dòng liền trước / prev_hash does not match",
  content_changed: "nội dung dòng đã bị sửa / row content changed",
  head_mismatch: "dòng cuối không khớp đầu chuỗi đã ghi (dòng cuối bị xóa) / chain head mismatch",
};

export async function verifyAuditChain(db: DbOrTx): Promise<AuditVerifyResult> {
  const [counts] = await executeRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log`);
  const total = counts?.n ?? 0;
  const [unchained] = await executeRows<{ id: number | string }>(
    db,
    sql`select id from audit_log where chain_seq is null or hash is null or prev_hash is null order by id limit 1`,
  );

  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let checked = 0;
  let chainBreak: BrokenLink | undefined;
  let afterSeq = 0;
  let afterId = 0;
  for (;;) {
    // Keyset pages in chain order; duplicate chain_seq values (a forgery) sort by id.
    const rows = await executeRows<ChainRow>(
      db,
      sql`select id, chain_seq, prev_hash, hash,
            jsonb_build_array(
              prev_hash, chain_seq, id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
              actor, action, entity, entity_id, details
            )::text as payload
          from audit_log
          where chain_seq is not null and hash is not null and prev_hash is not null
            and (chain_seq, id) > (${afterSeq}, ${afterId})
          order by chain_seq, id
          limit ${PAGE}`,
    );
    for (const row of rows) {
      const id = Number(row.id);
      const seq = Number(row.chain_seq);
      const at = { id, chainSeq: seq };
      if (seq !== expectedSeq) chainBreak = { ...at, reason: "missing_before" };
      else if (row.prev_hash !== prev) chainBreak = { ...at, reason: "prev_mismatch" };
      else if (sha256(row.payload) !== row.hash) chainBreak = { ...at, reason: "content_changed" };
      if (chainBreak) break;
      prev = row.hash as string;
      expectedSeq += 1;
      checked += 1;
    }
    if (chainBreak || rows.length < PAGE) break;
    const last = rows[rows.length - 1] as ChainRow;
    afterSeq = Number(last.chain_seq);
    afterId = Number(last.id);
  }

  if (!chainBreak) {
    const [head] = await executeRows<{ seq: number | string; hash: string }>(
      db,
      sql`select seq, hash from audit_chain_head where id = 1`,
    );
    const headSeq = head ? Number(head.seq) : 0;
    const headHash = head?.hash ?? GENESIS_HASH;
    if (headSeq !== checked || headHash !== prev)
      chainBreak = { id: null, chainSeq: headSeq, reason: "head_mismatch" };
  }

  const unchainedLink: BrokenLink | undefined = unchained
    ? { id: Number(unchained.id), chainSeq: null, reason: "not_chained" }
    : undefined;
  // The earlier of the two by id: a forged row usually sits among the rows it was slipped into.
  const first = [chainBreak, unchainedLink]
    .filter((b): b is BrokenLink => b !== undefined)
    .sort((a, b) => (a.id ?? Number.MAX_SAFE_INTEGER) - (b.id ?? Number.MAX_SAFE_INTEGER))[0];
  if (first) return { ok: false, count: checked, broken: first };
  return { ok: true, count: total, head: prev };
}
