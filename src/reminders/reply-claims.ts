/**
 * The reply rule in SQL (issue 13): one INSERT … SELECT per REPLY_BATCH unanswered messages
 * selects the due messages, their recipients and the payload, and claims them, straight from
 * the facts; nothing per message comes back to the process (RETURNING feeds a count). The cut
 * instants come from the pure rule (rules/reply.ts replyCuts), the recipients are those of
 * rules/common.ts mailboxRecipients (test/reminders/reply-sql.test.ts holds them to agree),
 * and the Vietnamese line is rendered from the payload when the claims are read back.
 */
import { sql, type SQL } from "drizzle-orm";
import type { IsoDate } from "../calendar/types.ts";
import { executeRows, type Database, type DbOrTx } from "../db/client.ts";
import type { Profile } from "../policy/profile.ts";
import { itemOfRow, type FactRenderer, type OwnedRow } from "./claims.ts";
import { headsCte, notAbsent, ts } from "./facts.ts";
import type { ReplyCuts } from "./rules/reply.ts";
import type { ReminderItem } from "./types.ts";

/**
 * Unanswered messages per statement: bounds one statement's work (a national table at 5%
 * unanswered, 500,000 messages and a million claims, is claimed in 3 statements) while each
 * statement's fixed cost is paid rarely: the unit heads, and above all the claim trigger's
 * update of every delivery row a previous statement of the run opened (an owner's messages are
 * spread over all the statements). Measured at 1,000,000 mailboxes / 5% due on this project's
 * machine, on clones of the bench's generated data in one session: 33.8 s in 10 statements of
 * 50,000, 26.5 s in 3 of 200,000, 32.9 s in one. Statements are cut by the count of unanswered
 * messages, not by id ranges: at 0.5% unanswered, a range of a million ids holds only 5,000.
 */
export const REPLY_BATCH = 200_000;

/** A receipt instant ≤ cut, as `received_at < cut + 1 ms` (JS Dates are whole milliseconds). */
const before = (cut: Date | null): SQL => ts(new Date(cut === null ? 0 : cut.getTime() + 1));

function claimStatement(
  profile: Profile,
  cuts: ReplyCuts,
  today: IsoDate,
  batch: { after: number; size: number },
  claim: { runId: string; at: Date },
): SQL {
  const overdue = sql`t.received_at < ${before(cuts.overdue)}`;
  return sql`${headsCte(profile.id)},
    head_chats as (select distinct unit_id, chat_id from head_rows where depth = best),
    -- The next batch of unanswered messages, in id order on their partial index.
    batch as materialized (
      select t.id, t.mailbox_id, t.sender, t.subject, t.received_at from tracked_messages t
      where t.answered_at is null and t.id > ${batch.after}::int
      order by t.id limit ${batch.size}::int
    ),
    due as materialized (
      select t.id, t.mailbox_id, t.sender, t.subject, t.received_at,
        case when ${overdue} then 'reply-overdue' else 'reply-half' end as rule
      from batch t
      where t.received_at < ${before(cuts.half)}
        and not exists (select 1 from reminder_claims c where c.rule = 'reply-overdue' and c.target = 'tm:' || t.id)
        and (${overdue}
             or not exists (select 1 from reminder_claims c where c.rule = 'reply-half' and c.target = 'tm:' || t.id))
    ),
    facts as (
      select d.id, d.rule, m.unit_id, p.primary_chat,
        -- The payload once per message, shared by its recipients' claims.
        jsonb_build_object(
          'section', d.rule, 'profileId', ${profile.id}::text,
          'reply', jsonb_build_object('trackedId', d.id, 'address', m.address, 'subject', d.subject,
            'sender', d.sender, 'receivedAt', d.received_at),
          'about', jsonb_build_object('person', p.person, 'personChatId', p.primary_chat, 'unit', u.name,
            'mailboxId', m.id)) as payload
      -- Each message's mailbox and people by index probes (OFFSET 0 keeps the planner from
      -- turning them into joins): three probes per message, where hash joins read and hash the
      -- million mailboxes and twice the million staff of a national table for every batch.
      from due d
        cross join lateral (
          select m.id, m.unit_id, m.address, m.kind, m.keeper_staff_id, m.owner_staff_id from mailboxes m
          where m.id = d.mailbox_id and m.profile_id = ${profile.id} and m.status <> 'revoked' offset 0) m
        join units u on u.id = m.unit_id
        left join lateral (
          select s.telegram_user_id, s.full_name from staff s
          where s.id = m.keeper_staff_id and s.employment_status = 'active' offset 0) ks on true
        left join lateral (
          select s.telegram_user_id, s.full_name from staff s
          where s.id = m.owner_staff_id and s.employment_status = 'active' offset 0) os on true
        -- Who acts: the keeper of a unit/group mailbox when linked, else the owner (common.ts primaryChat).
        cross join lateral (
          select case when m.kind <> 'personal' and ks.telegram_user_id is not null then ks.telegram_user_id
                   else coalesce(os.telegram_user_id, ks.telegram_user_id) end as primary_chat,
                 case when m.kind <> 'personal' and ks.telegram_user_id is not null then ks.full_name
                   else coalesce(os.full_name, ks.full_name) end as person) p
      where ${notAbsent(today)}
    ),
    -- The keeper/owner; the unit heads too when overdue, or instead when nobody is linked
    -- (rules/common.ts mailboxRecipients). Joins, not a subquery per message: one hash of heads.
    recipients as (
      select f.*, f.primary_chat as chat from facts f where f.primary_chat is not null
      union all
      select f.*, h.chat_id from facts f join head_chats h on h.unit_id = f.unit_id
      where (f.primary_chat is null or f.rule = 'reply-overdue') and h.chat_id is distinct from f.primary_chat
    ),
    ins as (
      insert into reminder_claims (key, rule, target, recipient_chat_id, claimed_at, claimed_by, attempts, payload)
      select f.rule || ':tm:' || f.id || '@' || f.chat, f.rule, 'tm:' || f.id, f.chat,
        ${ts(claim.at)}, ${claim.runId}, 1, f.payload
      from recipients f
      -- Chats that blocked the bot get nothing until they write again (as claims.ts insertClaims).
      where not exists (select 1 from blocked_chats b where b.chat_id = f.chat)
      -- No order: sorting 100,000 claims cost 10% of the statement. Two runs never claim the same
      -- keys at once (real runs and dry runs alike hold the profile's sweep lock), so the order
      -- in which the keys are locked cannot deadlock.
      on conflict (key) do nothing
      returning 1
    )
    select (select count(*) from facts) as due, (select count(*) from ins) as claimed,
      (select count(*) from batch) as scanned, (select max(id) from batch) as last`;
}

/**
 * Decides and claims the due reply reminders of `profile` for `claim.runId`: the messages due
 * at the cuts, minus absent, revoked and already claimed ones. Returns how many messages were
 * due and how many claims this run won.
 */
export async function claimReplies(
  db: DbOrTx,
  profile: Profile,
  cuts: ReplyCuts,
  today: IsoDate,
  claim: { runId: string; at: Date },
  batch = REPLY_BATCH,
): Promise<{ due: number; claimed: number }> {
  const total = { due: 0, claimed: 0 };
  if (cuts.half === null && cuts.overdue === null) return total;
  for (let after = 0; ;) {
    const [row] = await db.transaction(async (tx) => {
      // One big one-shot statement: compiling it (JIT) costs more than it saves, and its
      // materialized batch and hashes (heads, recipients) should stay in memory where they fit.
      await executeRows(tx, sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
      return executeRows<{
        due: number | string;
        claimed: number | string;
        scanned: number | string;
        last: number | string | null;
      }>(tx, claimStatement(profile, cuts, today, { after, size: batch }, claim));
    });
    total.due += Number(row?.due ?? 0);
    total.claimed += Number(row?.claimed ?? 0);
    if (Number(row?.scanned ?? 0) < batch || row?.last === null || row?.last === undefined) return total;
    after = Number(row.last);
  }
}

class RolledBack extends Error {}

/**
 * The dry run of claimReplies: the same statements in a transaction that is rolled back, with
 * the claims they would make read back and rendered (what the operator previews is what a
 * real run would claim). The caller holds the profile's sweep lock (dryRunSweep), so no real
 * run claims the same keys meanwhile.
 */
export async function previewReplies(
  database: Database,
  profile: Profile,
  cuts: ReplyCuts,
  today: IsoDate,
  claim: { runId: string; at: Date },
  render: FactRenderer,
): Promise<{ due: number; items: ReminderItem[] }> {
  let preview: { due: number; items: ReminderItem[] } = { due: 0, items: [] };
  try {
    await database.db.transaction(async (tx) => {
      const { due } = await claimReplies(tx, profile, cuts, today, claim);
      const rows = await executeRows<OwnedRow>(
        tx,
        sql`select key, rule, target, recipient_chat_id::text as chat, payload from reminder_claims
          where claimed_by = ${claim.runId}`,
      );
      const items: ReminderItem[] = [];
      for (const row of rows) {
        const item = itemOfRow(row, render);
        if (item) items.push(item);
      }
      preview = { due, items };
      throw new RolledBack("dry run");
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
  return preview;
}
