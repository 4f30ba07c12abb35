/**
 * A jurisdiction profile: one regulation turned into data. Everything a rule needs to know
 * about a province or ministry lives here, so the code stays the same for all of them and an
 * operator can load their own profile from JSON (validated by this schema).
 */
import { z } from "zod";

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "giờ phải có dạng HH:MM");
const article = z.string().min(1).describe("Where the rule comes from, e.g. 'Điều 5.3'");

/**
 * Templates for local parts. Tokens:
 *   {family} {middle} {given}   name parts, without diacritics, lower case
 *   {f} {m} {g}                 initials: family, every middle name, given
 *   {agency}                    local part of the person's agency (ninhbinh)
 *   {unit}                      the person's unit symbol (mic collisions)
 *   {ward}                      ward/commune short name (binhtan ward staff)
 */
const template = z.string().min(1);

const CollisionStep = z.discriminatedUnion("type", [
  /** Append birth data to the name part, e.g. "{yy}" then "{m}{yy}" (phuyen Điều 4.2b). */
  z.object({ type: z.literal("birth"), format: z.string().regex(/\{(yy|yyyy|m|mm|d|dd)\}/), article }),
  /** `<name part>.<unit symbol>` (mic Điều 5.4). */
  z.object({ type: z.literal("unit-suffix"), article }),
  /** Offer letter-order permutations of the name parts as alternatives (mic Điều 5.4). */
  z.object({ type: z.literal("permutation"), article }),
  /** Sequence number right after the name part: 2, 3, … (ninhbinh Điều 5). */
  z.object({ type: z.literal("sequence"), start: z.number().int().min(1).default(2), article }),
]);
export type CollisionStep = z.infer<typeof CollisionStep>;

const PersonalNaming = z.object({
  /** The name part of the local part, e.g. "{f}{m}{given}" for mic. */
  pattern: template,
  /** What follows the name part (collision numbers go between), e.g. ".{agency}" or ".binhtan". */
  suffix: z.string().default(""),
  /** Suffix for staff of a ward/commune, e.g. ".{ward}.bt" (binhtan Điều 5). */
  wardSuffix: z.string().optional(),
  /** Collision steps tried in order; the first step that yields a free address wins. */
  collisions: z.array(CollisionStep).min(1),
  article,
  /** Set when the regulation defers to another text and this is our documented default. */
  defaultNote: z.string().optional(),
});

/**
 * A name the regulation writes in a fixed or contracted form, listed as the profile's exception
 * to the template: ninhbinh Điều 5.1 (UBND tỉnh → ubnd, UBND thành phố Ninh Bình → tpb), phuyen
 * Điều 4.1c (xã Hòa An, huyện Phú Hòa → hoan.phuhoa). Outside this list a name is written in full
 * ("viết liền, không dấu"): no letter is ever dropped.
 */
const ListedUnitForm = z.object({
  /** The names (or abbreviations) this form is for; compared without case, diacritics or spaces. */
  names: z.array(z.string().min(1)).min(1),
  /** Only under this parent mailbox (local part), e.g. "phuhoa"; any parent when absent. */
  parent: z.string().optional(),
  /** What the name becomes inside the address (the {name}/{abbr} value). */
  localPart: z.string().regex(/^[a-z0-9_]+$/, "chỉ gồm a–z, 0–9 và _"),
  article,
});
export type ListedUnitForm = z.infer<typeof ListedUnitForm>;

const UnitNaming = z.object({
  /** Templates per unit kind. Tokens: {abbr} (symbol/abbreviation), {name} (place name), {parent}. */
  agency: template,
  district: template,
  commune: template,
  division: template,
  group: template.default("{name}"),
  /** What happens to characters outside [a-z0-9]: mic turns them into "_", others drop them. */
  invalidChars: z.enum(["underscore", "remove"]),
  /** Words removed from abbreviations before use, e.g. "và" (ninhbinh Điều 5). */
  dropWords: z.array(z.string()).default([]),
  /** Where the group-mailbox form comes from, when not the unit article (mic Điều 5.2). */
  groupArticle: z.string().optional(),
  /** Fixed and contracted forms the regulation lists (see ListedUnitForm). */
  listed: z.array(ListedUnitForm).default([]),
  article,
  defaultNote: z.string().optional(),
});

const PasswordPolicy = z.object({
  minLength: z.number().int().min(1).max(128),
  requireUpper: z.boolean(),
  requireLower: z.boolean(),
  requireDigit: z.boolean(),
  requireSpecial: z.boolean(),
  /** The special characters the regulation lists; any of them satisfies requireSpecial. */
  specials: z.string(),
  /** Maximum age in calendar months; null = no fixed expiry. */
  maxAgeMonths: z.number().int().positive().nullable(),
  /** How many previous passwords may not be reused. */
  historyCount: z.number().int().min(0).default(5),
  /**
   * A regulation that asks for a periodic change without a period (mic Điều 15.2 "định kỳ thay
   * đổi mật khẩu"): remind after this many months; never locks. null = no such reminder.
   */
  remindChangeMonths: z.number().int().positive().nullable().default(null),
  article,
});

const Period = z.object({
  value: z.number().int().min(0),
  unit: z.enum(["days", "workingDays", "months"]),
});
export type Period = z.infer<typeof Period>;

/**
 * Periods apply in sequence from the official leaving date: ninhbinh revokes "5 days to ask,
 * then 3 working days to act" (Điều 7.2). sendLock null = sending is never locked separately.
 */
const LeaverRule = z.object({ sendLock: z.array(Period).nullable(), revoke: z.array(Period).min(1) });

/**
 * What mailbot does when a date of a rule arrives: "act" (lock, revoke) only where the document
 * gives the rule; "remind" = tell the unit head (and the support desk) that the step is due, and
 * change nothing (binhtan, soctrang: no inactivity lock, no revocation timeline; the head asks for
 * "hủy bỏ", binhtan Điều 8.1). An operator opts in to "act" per profile.
 */
const Enforcement = z.enum(["act", "remind"]);

/** A window of a working day in which the mailbox must be opened at least once. */
const CheckSlot = z.object({
  from: timeOfDay,
  to: timeOfDay,
  label: z.string(),
  /** Checks needed anywhere in the window: soctrang Điều 13.2 "tối thiểu 2 lần/buổi" → 2. */
  minChecks: z.number().int().min(1).max(20).default(1),
});

const Duty = z.object({
  id: z.string(),
  description: z.string(),
  everyMonths: z.number().int().positive().optional(),
  /**
   * Who owes it: "units" = the heads of the top-level units (+ the support chat); "operator" =
   * the operator's own duty (phuyen Điều 14.3đ, soctrang Điều 8.5), the support chat only.
   */
  to: z.enum(["units", "operator"]).default("units"),
  /**
   * A duty owed before each planned outage rather than on a date: notice at least this many
   * working days ahead (mic Điều 10.3, phuyen Điều 8.1c "tối thiểu trước 03 ngày làm việc");
   * reminded for the outages an operator records (`mailbot outage add`), see policy/outages.ts.
   */
  beforeOutageWorkingDays: z.number().int().positive().max(30).optional(),
  /** Fixed yearly date, MM-DD (e.g. Ninh Bình report before 15 December). */
  yearlyBy: z
    .string()
    .regex(/^\d{2}-\d{2}$/)
    .optional(),
  article,
});

export const ProfileSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, "mã hồ sơ chỉ gồm chữ thường, số, - và _"),
  name: z.string().min(1),
  regulation: z.object({ code: z.string(), title: z.string(), year: z.number().int() }),
  domain: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, "tên miền không hợp lệ"),
  operator: z.object({
    name: z.string().min(1),
    email: z.string().email().optional(),
    phone: z.string().optional(),
    article,
  }),
  naming: z.object({ personal: PersonalNaming, unit: UnitNaming }),
  passwords: z.object({
    user: PasswordPolicy,
    admin: PasswordPolicy,
    /**
     * binhtan Điều 6.2: "Mật khẩu phải được đổi ngay lần đầu tiên … đăng nhập … Nếu không đổi
     * mật khẩu mới hộp thư sẽ bị khóa": a first login without a password change locks the mailbox.
     */
    lockAfterFirstLoginWithoutChange: z.boolean().default(false),
    /** The article that rule comes from ("Điều 6.2"). */
    firstLoginArticle: z.string().default(""),
    /** A temporary password not replaced in time expires (hours). */
    tempPasswordHours: z.number().int().positive().default(72),
  }),
  eligibility: z.object({
    /**
     * Contract staff need a contract of at least this many months (mic Điều 6.3: 1 year); 0 =
     * no minimum (ninhbinh Điều 1.2 and soctrang Điều 2 include "người lao động" without one).
     */
    minContractMonths: z.number().int().min(0),
    onePersonalMailboxPerPerson: z.boolean(),
    /**
     * Working days a unit has to ask after a hire or departure (binhtan Điều 8.2); the head is
     * reminded (policy/unit-requests.ts), nothing is refused or locked on it.
     */
    requestWithinWorkingDays: z.number().int().positive().nullable(),
    /** The article of requestWithinWorkingDays (binhtan "Điều 8.2"); null when it is null. */
    requestArticle: article.nullable().default(null),
    article,
  }),
  leaver: z.object({
    staff: LeaverRule,
    division: LeaverRule,
    department: LeaverRule,
    /** "act": lock sending and revoke on the dates; "remind": remind the head to ask (see Enforcement). */
    enforce: Enforcement.default("act"),
    article,
  }),
  inactivity: z.object({
    months: z.number().int().positive(),
    basis: z.enum(["sendReceive", "login"]),
    warnDaysBefore: z.array(z.number().int().positive()).default([30, 7, 1]),
    /** ninhbinh Điều 7.1: removed if no reopen request within N working days of the notice. */
    removalAfterNoticeWorkingDays: z.number().int().positive().nullable(),
    /** "act": lock (suspend) on the date; "remind": remind owner and head, lock nothing. */
    enforce: Enforcement.default("act"),
    article,
  }),
  serviceLevels: z.object({
    restoreWorkingDays: z.number().int().positive(),
    createWorkingDays: z.number().int().positive(),
    resetWorkingDays: z.number().int().positive(),
    article,
  }),
  checks: z.object({
    unit: z.array(CheckSlot),
    personal: z.array(CheckSlot),
    article,
    /** The article for personal mailboxes, when it differs (phuyen Điều 13.1). */
    personalArticle: z.string().optional(),
    /**
     * Kinds the document only encourages (phuyen Điều 13.1 "khuyến khích kiểm tra thư hàng
     * ngày"): a gentle reminder to the owner, never escalated to the head.
     */
    encouragedOnly: z.array(z.enum(["unit", "personal"])).default([]),
  }),
  replyLimitWorkingDays: z.number().int().positive().nullable(),
  /** Where the reply limit comes from (or that it is our default). */
  replyLimitArticle: z.string().default(""),
  limits: z.object({
    quotaMb: z.number().int().positive().nullable(),
    attachmentMaxMb: z.number().int().positive().nullable(),
    quotaWarnPercent: z.number().int().min(1).max(100).default(90),
    blockedExtensions: z.array(z.string().regex(/^\.[a-z0-9]+$/)).default([]),
    autoForwardOutsideGov: z.enum(["allowed", "forbidden"]).default("allowed"),
    /** Where the attachment size and blocked file types come from ("" = the document sets none). */
    article: z.string().default(""),
  }),
  workingHours: z.object({
    morning: z.object({ start: timeOfDay, end: timeOfDay }),
    afternoon: z.object({ start: timeOfDay, end: timeOfDay }),
    /** "Within N working days" ends at this time of the N-th working day. */
    endOfDay: timeOfDay.default("17:00"),
    /** Send reminders outside working hours too. */
    remindOutsideHours: z.boolean().default(false),
  }),
  duties: z.array(Duty).default([]),
  /**
   * The article that makes the keeper of a unit/group mailbox hand it over when the assignment
   * ends (mic Điều 12.3d, binhtan Điều 7.3b, ninhbinh Điều 8.3): when the keeper leaves or moves,
   * the unit head is reminded until a new keeper is named. null: the document is silent, nothing
   * is reminded.
   */
  keeperHandoverArticle: article.nullable().default(null),
});

export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;
export type PasswordPolicy = z.infer<typeof PasswordPolicy>;
export type PersonalNaming = z.infer<typeof PersonalNaming>;
export type UnitNaming = z.infer<typeof UnitNaming>;
export type CheckSlot = z.infer<typeof CheckSlot>;
