import type { ProfileInput } from "../profile.ts";

/**
 * Defaults shared by several profiles. The regulations name the check moments ("đầu buổi
 * sáng", "cuối buổi chiều"…) but not clock times; these windows are our documented reading
 * of a 07:30–11:30 / 13:00–17:00 working day, and every profile can change them.
 */
export const WORKING_HOURS = {
  morning: { start: "07:30", end: "11:30" },
  afternoon: { start: "13:00", end: "17:00" },
  endOfDay: "17:00",
  remindOutsideHours: false,
} as const;

/** Once anywhere in the working day: "hằng ngày" (ninhbinh Điều 8.2), "hàng ngày" (phuyen Điều 13.1). */
export const WHOLE_DAY = { from: "07:30", to: "17:00", label: "trong ngày làm việc", minChecks: 1 } as const;

export const SLOT = {
  startMorning: { from: "07:30", to: "09:00", label: "đầu buổi sáng" },
  endMorning: { from: "10:30", to: "11:30", label: "cuối buổi sáng" },
  startAfternoon: { from: "13:00", to: "14:30", label: "đầu buổi chiều" },
  endAfternoon: { from: "15:30", to: "17:00", label: "cuối buổi chiều" },
} as const;

/** Leaver timeline of mic Điều 6.4c and phuyen Điều 5.3b (identical wording). */
type LeaverRule = ProfileInput["leaver"]["staff"];
const BELOW_DEPARTMENT: LeaverRule = {
  sendLock: [{ value: 0, unit: "days" }],
  revoke: [{ value: 6, unit: "months" }],
};
export const LEAVER_BY_LEVEL: { staff: LeaverRule; division: LeaverRule; department: LeaverRule } = {
  staff: BELOW_DEPARTMENT,
  division: BELOW_DEPARTMENT,
  department: { sendLock: [{ value: 1, unit: "months" }], revoke: [{ value: 12, unit: "months" }] },
};

/** Used where a regulation sets no password rule: a safe floor, not a legal requirement. */
export const BASELINE_PASSWORD = {
  minLength: 8,
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSpecial: true,
  specials: "!@#$%^&*()-_=+[]{};:,.?/~",
  maxAgeMonths: null,
  historyCount: 5,
} as const;

type PasswordPolicyInput = ProfileInput["passwords"]["user"];

/**
 * Where a regulation sets no complexity rule: the baseline for users and two more characters for
 * administrators. `article` says which article asks for passwords at all.
 */
export function baselinePasswords(article: string): {
  user: PasswordPolicyInput;
  admin: PasswordPolicyInput;
} {
  return {
    user: { ...BASELINE_PASSWORD, article },
    admin: { ...BASELINE_PASSWORD, minLength: 10, article },
  };
}

/**
 * What happens to issued passwords unless a regulation says otherwise: a temporary password lives
 * 72 hours; no lock for not changing it at the first login (only binhtan Điều 6.2 has one). Every
 * issued or restored password must be changed at the next login everywhere (a security default,
 * which also matches mic Điều 7.3c, phuyen Điều 6.3c, ninhbinh Điều 6.3).
 */
export const PASSWORD_ISSUE: Omit<ProfileInput["passwords"], "user" | "admin"> = {
  lockAfterFirstLoginWithoutChange: false,
  firstLoginArticle: "",
  tempPasswordHours: 72,
};

/**
 * Who may get a personal mailbox where the document says nothing more: no minimum contract length
 * (only mic Điều 6.3 sets one; refusing elsewhere would be mailbot's own authority — an operator
 * may set `minContractMonths`), one personal mailbox a person, no deadline for the unit's request.
 */
export const ELIGIBILITY: Omit<ProfileInput["eligibility"], "article"> = {
  minContractMonths: 0,
  onePersonalMailboxPerPerson: true,
  requestWithinWorkingDays: null,
};

/**
 * Inactivity, after mic Điều 7.2a: locked after 6 months without sending or receiving, warned
 * 30, 7 and 1 days before; no automatic removal after the notice.
 */
export const INACTIVITY: Omit<ProfileInput["inactivity"], "article"> = {
  months: 6,
  basis: "sendReceive",
  warnDaysBefore: [30, 7, 1],
  removalAfterNoticeWorkingDays: null,
};

/** Restore within 1 working day (mic Điều 7.3b); create in 3 and reset in 1 (mailbot's defaults). */
export const SERVICE_LEVELS: Omit<ProfileInput["serviceLevels"], "article"> = {
  restoreWorkingDays: 1,
  createWorkingDays: 3,
  resetWorkingDays: 1,
};

/**
 * The provinces' unit-address template (phuyen Điều 4.1, ninhbinh Điều 5.1; soctrang's default):
 * agency by its abbreviation, district by its name, commune and division under their parent.
 */
export const PROVINCE_UNIT_NAMING: Omit<ProfileInput["naming"]["unit"], "article"> = {
  agency: "{abbr}",
  district: "{name}",
  commune: "{name}.{parent}",
  division: "{abbr}.{parent}",
  group: "{name}",
  invalidChars: "remove",
  dropWords: [],
};
