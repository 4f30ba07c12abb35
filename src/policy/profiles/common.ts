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
