/**
 * The vocabulary of the reminder sweep. Rules are pure: they receive facts (rows the SQL sweep
 * selected as possibly due) and a context (clock, calendar, profile), and return reminders and
 * enforcement actions. Every reminder and action carries a unique claim key
 * `rule:target:period@recipient`, so the database decides what is sent or applied, exactly once.
 */
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import type { Profile } from "../policy/profile.ts";
import type { MailboxKind } from "../policy/types.ts";
import type { EnforcementKind } from "../services/enforcement.ts";

export const RULE_IDS = [
  "checks",
  "inactivity",
  "reply",
  "service-levels",
  "leavers",
  "passwords",
  "quota",
  "duties",
  "outages",
  "handover",
  "hr-requests",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/**
 * Digest sections, most urgent first (the number is the sort rank). A recipient's digest lists
 * its sections in this order and, inside a section, items by their `sortAt`.
 */
export const SECTIONS = {
  "reply-overdue": { rank: 10, title: "Quá hạn trả lời" },
  "sla-overdue": { rank: 11, title: "Yêu cầu quá hạn xử lý" },
  "check-escalated": { rank: 20, title: "Hộp thư chưa được kiểm tra 2 khung liên tiếp" },
  "check-missed": { rank: 21, title: "Hộp thư chưa được kiểm tra" },
  enforced: { rank: 30, title: "Đã thực hiện theo quy chế" },
  "reply-half": { rank: 40, title: "Sắp hết hạn trả lời" },
  "sla-near": { rank: 41, title: "Yêu cầu đến hạn xử lý hôm nay" },
  outage: { rank: 42, title: "Báo trước lịch tạm ngừng dịch vụ" },
  duty: { rank: 45, title: "Báo cáo định kỳ theo quy chế" },
  handover: { rank: 46, title: "Bàn giao hộp thư của cơ quan, đơn vị" },
  "hr-request": { rank: 47, title: "Văn bản đề nghị cấp mới, hủy bỏ hộp thư" },
  "inactivity-warning": { rank: 50, title: "Sắp bị tạm khóa do không hoạt động" },
  "first-login": { rank: 51, title: "Chưa đổi mật khẩu lần đầu" },
  "leaver-notice": { rank: 55, title: "Sắp thu hồi hộp thư của người đã nghỉ" },
  "password-expiry": { rank: 60, title: "Mật khẩu sắp hết hạn" },
  quota: { rank: 70, title: "Hộp thư sắp đầy" },
  delivery: { rank: 80, title: "Không gửi được nhắc việc" },
} as const;
export type SectionId = keyof typeof SECTIONS;

/**
 * A button under a digest. `data` is `<action>:<id>` with action ans (tracked message), kp
 * (mailbox to restore) or req (request); digest.ts turns it into the bot's callback data.
 */
export interface ReminderButton {
  text: string;
  data: string;
}

/** One line of one recipient's digest. */
export interface ReminderItem {
  /** Unique claim key: `rule:target:period@chatId`. */
  key: string;
  /** Claim rule name (column `rule`), e.g. "reply-overdue". */
  rule: string;
  /** What it is about (column `target`), e.g. "tm:12", "mb:5", "req:7". */
  target: string;
  chatId: number;
  section: SectionId;
  /** The bullet text, Vietnamese, without the bullet. */
  line: string;
  /** ISO instant used to order items inside a section (earliest deadline first). */
  sortAt: string;
  profileId: string;
  button?: ReminderButton;
  /** Whom and what the item is about, as data (the digest names them; buttons act on them). */
  about?: ItemAbout;
}

/**
 * Structured facts of an item, so that nothing downstream parses `line`: the person who must
 * act and their unit (a manager's digest names them, "Nhắc cán bộ" pings them), the mailbox,
 * and for a dated duty its id (the duty attachment decides on it). Every field is optional:
 * a rule fills what it knows; rules that are not about a mailbox (requests, duties) leave the
 * person out.
 */
export interface ItemAbout {
  /** Full name of the person who must act (keeper of a unit mailbox, else its owner); null = nobody linked. */
  person?: string | null;
  /** That person's chat, when linked (a digest does not name recipients to themselves). */
  personChatId?: number | null;
  /** Name of the unit the item belongs to. */
  unit?: string;
  mailboxId?: number;
  /** A dated duty's id in the profile (profile.duties[].id), e.g. "active-list". */
  dutyId?: string;
}

/** The state changes the sweep may apply; defined by the service that applies them. */
export type { EnforcementKind } from "../services/enforcement.ts";

/** A state change the sweep applies through src/services/enforcement.ts, with its notices. */
export interface EnforcementAction {
  key: string;
  rule: string;
  target: string;
  kind: EnforcementKind;
  mailboxId: number;
  address: string;
  profileId: string;
  /** ninhbinh suspension: when the mailbox will be removed (ISO instant). */
  removeAfter?: string;
  /** Article the action applies, for the audit row. */
  article: string;
  /** Claimed in the same transaction as the action, so a crash cannot lose them. */
  notices: ReminderItem[];
}

export interface RuleOutput {
  reminders: ReminderItem[];
  actions: EnforcementAction[];
}

export interface RuleContext {
  now: Date;
  calendar: WorkingDayCalendar;
  profile: Profile;
  /** The support desk's chat (service levels, delivery problems); null = not configured. */
  supportChatId: number | null;
}

/** Who a mailbox's reminders go to. Chat ids are Telegram user ids of linked staff. */
export interface MailboxRef {
  mailboxId: number;
  address: string;
  profileId: string;
  kind: MailboxKind;
  unitId: number;
  unitName: string;
  keeperChatId: number | null;
  ownerChatId: number | null;
  /** Full names of the (active) keeper and owner, null when none. */
  keeperName?: string | null;
  ownerName?: string | null;
  /** Unit heads of the mailbox's unit (nearest ancestor unit with a head). */
  headChatIds: number[];
}

export const emptyOutput = (): RuleOutput => ({ reminders: [], actions: [] });
