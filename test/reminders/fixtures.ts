/** Seeds a small organisation for reminder tests: one unit with a head, a clerk, staff and mailboxes. */
import { sql } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import type { InlineKeyboard } from "../../src/reminders/digest.ts";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { RateLimiter, type SendFn } from "../../src/reminders/deliver.ts";
import type { SweepDeps } from "../../src/reminders/sweep.ts";

let seq = 0;
const next = (): number => ++seq;

export interface Org {
  profileId: string;
  domain: string;
  unitId: number;
  headStaffId: number;
  headChat: number;
  clerkStaffId: number;
  clerkChat: number;
  ownerStaffId: number;
  ownerChat: number;
}

async function one<T>(database: Database, query: ReturnType<typeof sql>): Promise<T> {
  const rows = await database.execute<Record<string, unknown>>(query);
  return rows[0] as T;
}

export async function seedOrg(database: Database, profileId = "mic", domain = "mic.gov.vn"): Promise<Org> {
  const n = next();
  const chatBase = 100_000 + n * 10;
  const unit = await one<{ id: number }>(
    database,
    sql`insert into units (profile_id, kind, name, abbr) values (${profileId}, 'agency', ${`Vụ Thử nghiệm ${n}`}, ${`vtn${n}`}) returning id`,
  );
  const person = async (name: string, chat: number): Promise<number> =>
    (
      await one<{ id: number }>(
        database,
        sql`insert into staff (full_name, unit_id, employment_type, telegram_user_id) values (${name}, ${unit.id}, 'civil_servant', ${chat}) returning id`,
      )
    ).id;
  const headStaffId = await person(`Trưởng Vụ ${n}`, chatBase + 1);
  const clerkStaffId = await person(`Văn thư ${n}`, chatBase + 2);
  const ownerStaffId = await person(`Chuyên viên ${n}`, chatBase + 3);
  await database.execute(
    sql`insert into role_grants (staff_id, role, unit_id) values (${headStaffId}, 'unit_head', ${unit.id})`,
  );
  return {
    profileId,
    domain,
    unitId: unit.id,
    headStaffId,
    headChat: chatBase + 1,
    clerkStaffId,
    clerkChat: chatBase + 2,
    ownerStaffId,
    ownerChat: chatBase + 3,
  };
}

export interface MailboxOptions {
  kind?: "unit" | "personal" | "group";
  createdAt?: string;
  lastCheckAt?: string | null;
  lastSendAt?: string | null;
  lastReceiveAt?: string | null;
  lastLoginAt?: string | null;
  activityReportedAt?: string | null;
  status?: string;
  storageUsedMb?: number | null;
  quotaMb?: number | null;
  passwordChangedAt?: string | null;
  mustChangePassword?: boolean;
  sendLockAt?: string | null;
  revokeAt?: string | null;
}

export async function addMailbox(
  database: Database,
  org: Org,
  local: string,
  o: MailboxOptions = {},
): Promise<number> {
  const kind = o.kind ?? "unit";
  const row = await one<{ id: number }>(
    database,
    sql`insert into mailboxes (address, local_part, profile_id, kind, owner_staff_id, keeper_staff_id, unit_id, status,
          created_at, last_check_at, last_send_at, last_receive_at, last_login_at, activity_reported_at, storage_used_mb, quota_mb,
          password_changed_at, must_change_password, send_lock_at, revoke_at)
        values (${`${local}@${org.domain}`}, ${local}, ${org.profileId}, ${kind}, ${kind === "personal" ? org.ownerStaffId : null},
          ${kind === "personal" ? null : org.clerkStaffId}, ${org.unitId}, ${o.status ?? "active"}::mailbox_status,
          ${o.createdAt ?? "2025-01-01T00:00:00Z"}::timestamptz, ${o.lastCheckAt ?? null}::timestamptz, ${o.lastSendAt ?? null}::timestamptz,
          ${o.lastReceiveAt ?? null}::timestamptz, ${o.lastLoginAt ?? null}::timestamptz, ${o.activityReportedAt ?? null}::timestamptz,
          ${o.storageUsedMb ?? null}, ${o.quotaMb ?? null}, ${o.passwordChangedAt ?? null}::timestamptz, ${o.mustChangePassword ?? false},
          ${o.sendLockAt ?? null}::timestamptz, ${o.revokeAt ?? null}::timestamptz)
        returning id`,
  );
  return row.id;
}

export async function addTracked(
  database: Database,
  mailboxId: number,
  messageId: string,
  receivedAt: string,
  subject = "V/v báo cáo quý IV",
): Promise<number> {
  const row = await one<{ id: number }>(
    database,
    sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
        values (${messageId}, ${mailboxId}, 'ubnd@phuyen.gov.vn', ${subject}, ${receivedAt}::timestamptz) returning id`,
  );
  return row.id;
}

export interface SentMessage {
  chatId: number;
  text: string;
  keyboard?: InlineKeyboard;
}

/** A fake Telegram: records messages; `fail` decides per chat whether to throw. */
export function fakeTelegram(fail?: (chatId: number) => unknown): { send: SendFn; sent: SentMessage[] } {
  const sent: SentMessage[] = [];
  const send: SendFn = async (chatId, text, keyboard) => {
    const error = fail?.(chatId);
    if (error) throw error;
    sent.push({ chatId, text, ...(keyboard ? { keyboard } : {}) });
    return { message_id: sent.length, chat: { id: chatId }, date: 0 };
  };
  return { send, sent };
}

/** A limiter whose sleeps advance a virtual clock instantly. */
export function instantLimiter(): RateLimiter {
  let t = 0;
  return new RateLimiter({ clock: { now: () => t, sleep: async (ms) => void (t += ms) } });
}

export const at = (iso: string): Date => new Date(iso);

/** A sweep's dependencies in the tests: the mic profile, support chat 999, no rate limit. */
export function sweepDeps(
  database: Database,
  send: SweepDeps["send"],
  extra: Partial<SweepDeps> = {},
): SweepDeps {
  return {
    database,
    send,
    calendar: createCalendar(),
    profiles: ["mic"],
    supportChatId: 999,
    limiter: instantLimiter(),
    ...extra,
  };
}
