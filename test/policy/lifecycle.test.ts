import { describe, expect, it } from "vitest";
import { createCalendar, toVnIso, vnInstant } from "../../src/calendar/index.ts";
import {
  firstLoginLockDue,
  inactivityDates,
  leaverDates,
  passwordChangeReminder,
  passwordExpiry,
  removalDate,
  replyDeadline,
  replyHalfTime,
  requestDeadline,
  serviceDeadline,
  tempPasswordExpiry,
} from "../../src/policy/lifecycle.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";

const cal = createCalendar();
const iso = (d: Date | null): string | null => (d === null ? null : toVnIso(d));
const at = (date: string, time = "00:00"): Date => vnInstant(date, time);
const mic = getProfile("mic");
const phuyen = getProfile("phuyen");
const ninhbinh = getProfile("ninhbinh");
const binhtan = getProfile("binhtan");

// Bộ luật Dân sự 2015 Điều 147–148: a period after an event starts the next day and ends at
// 24:00 of its last day; the date shown stays that last day; months end on the corresponding day
// (or the month's last day).
describe("leaverDates", () => {
  it("mic staff leaving 2026-08-31 (Điều 6.4c 'khóa ngay … thu hồi sau 06 tháng'): send lock that day, revoked at the close of 28/02/2027", () => {
    const r = leaverDates(mic, "staff", "2026-08-31", cal);
    expect(iso(r.sendLockAt)).toBe("2026-08-31T00:00:00+07:00");
    expect(r.sendLockOn).toBe("2026-08-31");
    expect(r.revokeOn).toBe("2027-02-28");
    expect(iso(r.revokeAt)).toBe("2027-03-01T00:00:00+07:00");
    expect(r.article).toBe("Điều 6.4c");
    expect(r.enforce).toBe("act");
  });

  it("mic division head: same as staff", () => {
    expect(leaverDates(mic, "division", "2026-08-31", cal).revokeOn).toBe("2027-02-28");
  });

  it("mic department head (Điều 6.4c 'sau 01 tháng … sau 12 tháng'): send lock after 30/09, revoke after 31/08/2027", () => {
    const r = leaverDates(mic, "department", "2026-08-31", cal);
    expect(r.sendLockOn).toBe("2026-09-30");
    expect(iso(r.sendLockAt)).toBe("2026-10-01T00:00:00+07:00");
    expect(r.revokeOn).toBe("2027-08-31");
    expect(iso(r.revokeAt)).toBe("2027-09-01T00:00:00+07:00");
  });

  it("phuyen follows the same timeline (Điều 5.3b)", () => {
    const r = leaverDates(phuyen, "department", "2024-01-31", cal);
    expect(r.sendLockOn).toBe("2024-02-29");
    expect(r.revokeOn).toBe("2025-01-31");
  });

  it("ninhbinh Điều 7.2: 05 days from the decision for the agency (a Saturday moves to Monday, Điều 148.3), then 03 working days for the Sở", () => {
    const r = leaverDates(ninhbinh, "staff", "2026-08-31", cal);
    expect(r.sendLockAt).toBeNull();
    // Decision 31/8 + 5 days = Sat 5/9 → Mon 7/9; then Tue 8, Wed 9, Thu 10 September.
    expect(r.agencyRequestBy).toBe("2026-09-07");
    expect(iso(r.revokeAt)).toBe("2026-09-10T17:00:00+07:00");
    expect(r.revokeOn).toBe("2026-09-10");
  });

  it("ninhbinh over the National Day holiday", () => {
    // 26/8 + 5 = Mon 31/8 (day off) → Thu 3/9; working days after it: Fri 4/9, Mon 7/9, Tue 8/9.
    const r = leaverDates(ninhbinh, "department", "2026-08-26", cal);
    expect(r.agencyRequestBy).toBe("2026-09-03");
    expect(iso(r.revokeAt)).toBe("2026-09-08T17:00:00+07:00");
  });

  it("binhtan and soctrang set no revocation timeline: remind only", () => {
    expect(leaverDates(binhtan, "staff", "2026-08-31", cal).enforce).toBe("remind");
    expect(leaverDates(getProfile("soctrang"), "staff", "2026-08-31", cal).enforce).toBe("remind");
  });
});

describe("inactivityDates", () => {
  it("mic Điều 7.2a: the 6 months end at the close of 15/07; warnings 30/7/1 days before", () => {
    const r = inactivityDates(mic, at("2026-01-15", "10:00"), cal);
    expect(r.lockOn).toBe("2026-07-15");
    expect(iso(r.lockAt)).toBe("2026-07-16T00:00:00+07:00");
    expect(r.warnAt.map(iso)).toEqual([
      "2026-06-15T00:00:00+07:00",
      "2026-07-08T00:00:00+07:00",
      "2026-07-14T00:00:00+07:00",
    ]);
    expect(r.basis).toBe("sendReceive");
    expect(r.removeAt).toBeNull();
  });

  it("clamps the month: last activity 31 August → last day 28 February", () => {
    const r = inactivityDates(mic, at("2026-08-31", "23:59"), cal);
    expect(r.lockOn).toBe("2027-02-28");
    expect(iso(r.lockAt)).toBe("2027-03-01T00:00:00+07:00");
  });

  it("uses the Vietnam calendar day of the last activity", () => {
    // 2026-01-14T20:00Z is 15 January 03:00 in Vietnam.
    expect(inactivityDates(mic, new Date("2026-01-14T20:00:00Z"), cal).lockOn).toBe("2026-07-15");
  });

  it("ninhbinh Điều 7.1: login basis and removal 15 working days after the notice", () => {
    const r = inactivityDates(ninhbinh, at("2026-01-15", "10:00"), cal);
    expect(r.basis).toBe("login");
    // Suspended (notice) after 15/7, i.e. on Thu 16/7; 15 working days: 17/7 … 6/8.
    expect(iso(r.removeAt)).toBe("2026-08-06T17:00:00+07:00");
  });
});

describe("removalDate", () => {
  it("ninhbinh: 15 working days after the notice, across Tết 2026", () => {
    // Notice Fri 6/2/2026: 9,10,11,12,13 (5), Tết 16–20 off, 23–27 (10), 2–6 March (15).
    expect(iso(removalDate(ninhbinh, at("2026-02-06", "09:00"), cal))).toBe("2026-03-06T17:00:00+07:00");
  });
  it("null where the rule does not exist", () => {
    expect(removalDate(mic, at("2026-02-06"), cal)).toBeNull();
  });
});

describe("serviceDeadline", () => {
  it("restore within 1 working day, across Tết 2026 (Feb 16–20 off)", () => {
    expect(iso(serviceDeadline(mic, "restore", at("2026-02-13", "16:00"), cal))).toBe(
      "2026-02-23T17:00:00+07:00",
    );
    expect(iso(serviceDeadline(phuyen, "restore", at("2026-02-12", "08:00"), cal))).toBe(
      "2026-02-13T17:00:00+07:00",
    );
  });
  it("ninhbinh create within 3 working days, across Tết 2025 (Jan 27–31 off)", () => {
    expect(iso(serviceDeadline(ninhbinh, "create", at("2025-01-24", "10:00"), cal))).toBe(
      "2025-02-05T17:00:00+07:00",
    );
  });
  it("a request received on a Saturday counts from the weekend day", () => {
    expect(iso(serviceDeadline(mic, "reset", at("2026-11-21", "20:00"), cal))).toBe(
      "2026-11-23T17:00:00+07:00",
    );
  });
});

describe("reply deadline and half time", () => {
  it("mic: 2 working days (Điều 12.4)", () => {
    expect(iso(replyDeadline(mic, at("2026-11-23", "09:00"), cal))).toBe("2026-11-25T17:00:00+07:00");
  });
  it("half of the working time left: counts only working sessions", () => {
    // Mon 09:00–11:30 + 13:00–17:00 = 6.5 h, Tue 8 h, Wed 8 h: 22.5 h; half = 11.25 h → Tue 13:45.
    expect(iso(replyHalfTime(mic, at("2026-11-23", "09:00"), cal))).toBe("2026-11-24T13:45:00+07:00");
  });
  it("received outside hours: counting starts with the next session", () => {
    // Received Fri 20:00; deadline Tue 17:00; Mon 8 h + Tue 8 h → half at Mon 17:00.
    expect(iso(replyHalfTime(mic, at("2026-11-20", "20:00"), cal))).toBe("2026-11-23T17:00:00+07:00");
  });
  it("null without a reply limit", () => {
    expect(replyDeadline(ninhbinh, at("2026-11-23"), cal)).toBeNull();
    expect(replyHalfTime(ninhbinh, at("2026-11-23"), cal)).toBeNull();
  });
});

describe("passwords", () => {
  it("phuyen expires after 1 month (Điều 13.3), clamped", () => {
    expect(iso(passwordExpiry(phuyen, "user", at("2026-01-31", "10:00")))).toBe("2026-02-28T00:00:00+07:00");
  });
  it("ninhbinh: users 6 months, admins 3 months (Điều 11.2)", () => {
    expect(iso(passwordExpiry(ninhbinh, "user", at("2026-03-10", "10:00")))).toBe(
      "2026-09-10T00:00:00+07:00",
    );
    expect(iso(passwordExpiry(ninhbinh, "admin", at("2026-03-10", "10:00")))).toBe(
      "2026-06-10T00:00:00+07:00",
    );
  });
  it("no fixed expiry for mic", () => {
    expect(passwordExpiry(mic, "user", at("2026-03-10"))).toBeNull();
  });
  it("temporary passwords expire after tempPasswordHours", () => {
    expect(iso(tempPasswordExpiry(mic, at("2026-03-10", "10:30")))).toBe("2026-03-13T10:30:00+07:00");
  });
  // binhtan Điều 6.2: "Mật khẩu phải được đổi ngay lần đầu tiên … đăng nhập … Nếu không đổi mật
  // khẩu mới hộp thư sẽ bị khóa." The lock follows a login, not a number of days.
  it("binhtan first-login lock: due after a first login without a password change, never by time alone", () => {
    const issued = at("2026-02-13", "10:00");
    expect(firstLoginLockDue(binhtan, issued, null, true)).toBe(false);
    expect(firstLoginLockDue(binhtan, issued, at("2026-02-12", "09:00"), true)).toBe(false); // login before issue
    expect(firstLoginLockDue(binhtan, issued, at("2026-02-23", "08:00"), true)).toBe(true);
    expect(firstLoginLockDue(binhtan, issued, at("2026-02-23", "08:00"), false)).toBe(false); // changed
    expect(firstLoginLockDue(mic, issued, at("2026-02-23", "08:00"), true)).toBe(false);
  });
  it("mic Điều 15.2 'định kỳ thay đổi mật khẩu': a reminder 6 months on (mailbot default), no expiry", () => {
    expect(iso(passwordChangeReminder(mic, "user", at("2026-03-10", "10:00")))).toBe(
      "2026-09-10T00:00:00+07:00",
    );
    expect(passwordExpiry(mic, "user", at("2026-03-10"))).toBeNull();
    expect(passwordChangeReminder(ninhbinh, "user", at("2026-03-10"))).toBeNull(); // has a real maximum age
  });
});

describe("requestDeadline", () => {
  it("binhtan: the unit asks within 2 working days (Điều 8.2)", () => {
    expect(iso(requestDeadline(binhtan, at("2026-04-29", "10:00"), cal))).toBe("2026-05-05T17:00:00+07:00");
    expect(requestDeadline(mic, at("2026-04-29"), cal)).toBeNull();
  });
});
