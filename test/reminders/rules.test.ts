import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { vnDateOf } from "../../src/calendar/time.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { checksRule, latestClosedWindows } from "../../src/reminders/rules/checks.ts";
import { inactivityRule, removalRule } from "../../src/reminders/rules/inactivity.ts";
import { leaverRule } from "../../src/reminders/rules/leavers.ts";
import { firstLoginRule, passwordExpiryRule } from "../../src/reminders/rules/passwords.ts";
import { quotaRule } from "../../src/reminders/rules/quota.ts";
import { replyRule } from "../../src/reminders/rules/reply.ts";
import { serviceLevelRule } from "../../src/reminders/rules/service-levels.ts";
import type { MailboxRef, RuleContext } from "../../src/reminders/types.ts";

const calendar = createCalendar();
const at = (s: string): Date => new Date(s);
const ctx = (profileId: string, now: string, supportChatId: number | null = 9): RuleContext => ({
  now: at(now),
  calendar,
  profile: getProfile(profileId),
  supportChatId,
});
const ref = (over: Partial<MailboxRef> = {}): MailboxRef => ({
  mailboxId: 7,
  address: "cntt@mic.gov.vn",
  profileId: "mic",
  kind: "unit",
  unitId: 1,
  unitName: "Vụ CNTT",
  keeperChatId: 11,
  ownerChatId: null,
  headChatIds: [22],
  ...over,
});

describe("check windows (mic Điều 12.3a, binhtan Điều 7.3c)", () => {
  const mic = getProfile("mic");
  it("Monday before the first window closes judges Friday's last window, with Friday's previous one", () => {
    const [w1, w0] = latestClosedWindows(at("2026-11-23T08:00:00+07:00"), calendar, mic.checks.unit);
    expect([w1?.date, w1?.slot.label, w0?.date, w0?.slot.label]).toEqual([
      "2026-11-20",
      "cuối buổi chiều",
      "2026-11-20",
      "cuối buổi sáng",
    ]);
  });
  it("skips Tết 2026 (16–20/02): Monday 23/02 at 08:00 looks back to Friday 13/02", () => {
    const [w1] = latestClosedWindows(at("2026-02-23T08:00:00+07:00"), calendar, mic.checks.unit);
    expect(w1?.date).toBe("2026-02-13");
  });
  it("skips provisional Tết 2027 too", () => {
    // Provisional 2027: 05–11/02 off; Friday 12/02 at 08:00 looks back to Thursday 04/02.
    const [w1] = latestClosedWindows(at("2027-02-12T08:00:00+07:00"), calendar, mic.checks.unit);
    expect(w1?.date).toBe("2027-02-04");
  });
  it("binhtan personal mailboxes have 3 windows, unit mailboxes 4", () => {
    const binhtan = getProfile("binhtan");
    expect(binhtan.checks.personal.length).toBe(3);
    expect(binhtan.checks.unit.length).toBe(4);
  });
  it("pings the keeper; two missed windows in a row also the unit head", () => {
    const c = ctx("mic", "2026-11-23T11:30:00+07:00");
    const [w1] = latestClosedWindows(c.now, calendar, c.profile.checks.unit);
    const once = checksRule([{ ...ref(), missedPrevious: false }], w1!, c);
    expect(once.reminders.map((r) => r.chatId)).toEqual([11]);
    const twice = checksRule([{ ...ref(), missedPrevious: true }], w1!, c);
    expect(twice.reminders.map((r) => [r.chatId, r.section])).toEqual([
      [11, "check-escalated"],
      [22, "check-escalated"],
    ]);
    expect(twice.reminders[0]?.key).toBe("check:mb:7:2026-11-23T11:30@11");
  });
});

describe("reply limit (mic Điều 12.4: 02 working days)", () => {
  const fact = {
    ...ref(),
    trackedId: 5,
    sender: "a@b.gov.vn",
    subject: "V/v họp",
    receivedAt: at("2026-02-13T10:00:00+07:00"),
  };
  it("counts across Tết 2026: received Fri 13/02, due Tue 24/02 17:00", () => {
    expect(replyRule([fact], ctx("mic", "2026-02-23T09:00:00+07:00")).reminders).toEqual([]);
    const half = replyRule([fact], ctx("mic", "2026-02-23T14:30:00+07:00")).reminders;
    expect(half.map((r) => [r.rule, r.chatId])).toEqual([["reply-half", 11]]);
    expect(half[0]?.line).toContain("17:00 24/02/2026");
    const overdue = replyRule([fact], ctx("mic", "2026-02-25T08:00:00+07:00")).reminders;
    expect(overdue.map((r) => [r.rule, r.chatId])).toEqual([
      ["reply-overdue", 11],
      ["reply-overdue", 22],
    ]);
  });
  it("over a weekend: received Fri 20/11/2026, overdue after Tue 24/11 17:00", () => {
    const f = { ...fact, receivedAt: at("2026-11-20T15:00:00+07:00") };
    expect(replyRule([f], ctx("mic", "2026-11-24T16:59:00+07:00")).reminders[0]?.rule).toBe("reply-half");
    expect(replyRule([f], ctx("mic", "2026-11-25T07:30:00+07:00")).reminders[0]?.rule).toBe("reply-overdue");
  });
  it("across provisional Tết 2027 the deadline lands on a working day after the break", () => {
    const f = { ...fact, receivedAt: at("2027-02-04T10:00:00+07:00") };
    const r = replyRule([f], ctx("mic", "2027-03-01T08:00:00+07:00")).reminders[0];
    expect(r?.rule).toBe("reply-overdue");
    const due = /hạn (\d\d:\d\d \d\d\/\d\d\/\d{4})/.exec(r?.line ?? "")?.[1];
    expect(due?.endsWith("/02/2027")).toBe(true);
    // Received Thu 04/02; 05–11/02 off: WD1 = Fri 12/02, WD2 = Mon 15/02.
    expect(due).toBe("17:00 15/02/2027");
  });
  it("profiles without a reply limit produce nothing", () => {
    expect(replyRule([fact], ctx("soctrang", "2026-03-02T09:00:00+07:00")).reminders).toEqual([]);
  });
});

describe("inactivity (mic Điều 7.2a; ninhbinh Điều 7.1)", () => {
  const fact = {
    ...ref({ kind: "personal", ownerChatId: 33, keeperChatId: null }),
    lastActivityAt: at("2026-05-23T10:00:00+07:00"),
    lastAbsenceEndsOn: null,
  };
  const warn = (now: string) => inactivityRule([fact], ctx("mic", now)).reminders.map((r) => r.key);
  it("warns 30, 7 and 1 days before the lock date, the nearest threshold only", () => {
    expect(warn("2026-10-20T09:00:00+07:00")).toEqual([]);
    expect(warn("2026-10-24T09:00:00+07:00")).toEqual([
      "inactivity-warn:mb:7:2026-11-23:30@33",
      "inactivity-warn:mb:7:2026-11-23:30@22",
    ]);
    expect(warn("2026-11-16T09:00:00+07:00")[0]).toBe("inactivity-warn:mb:7:2026-11-23:7@33");
    // After downtime, 3 days left: still the 7-day key (already sent → nothing new).
    expect(warn("2026-11-20T09:00:00+07:00")[0]).toBe("inactivity-warn:mb:7:2026-11-23:7@33");
    expect(warn("2026-11-22T09:00:00+07:00")[0]).toBe("inactivity-warn:mb:7:2026-11-23:1@33");
  });
  // "trong khoảng thời gian 06 tháng": the last day is 23/11 and the period closes at its end
  // (Bộ luật Dân sự Điều 148.4); the lock comes after it, the key keeps the last day.
  it("locks after the close of the last day and tells owner and head how to restore", () => {
    expect(inactivityRule([fact], ctx("mic", "2026-11-23T16:59:00+07:00")).actions).toEqual([]);
    const out = inactivityRule([fact], ctx("mic", "2026-11-24T09:00:00+07:00"));
    expect(out.actions.map((a) => [a.kind, a.key])).toEqual([
      ["lock_inactivity", "inactivity-lock:mb:7:2026-11-23"],
    ]);
    expect(out.actions[0]?.notices.map((n) => n.chatId)).toEqual([33, 22]);
    expect(out.actions[0]?.notices[0]?.line).toContain("/khoiphuc");
  });
  it("a past absence notice counts as a notified reason up to its end date", () => {
    const out = inactivityRule(
      [{ ...fact, lastAbsenceEndsOn: "2026-08-31" }],
      ctx("mic", "2026-11-24T09:00:00+07:00"),
    );
    expect(out.actions).toEqual([]);
  });
  it("ninhbinh suspends, with removal 15 working days after the notice", () => {
    const out = inactivityRule(
      [{ ...fact, profileId: "ninhbinh" }],
      ctx("ninhbinh", "2026-11-24T09:00:00+07:00"),
    );
    expect(out.actions[0]?.kind).toBe("suspend_inactivity");
    // 15 working days after the notice on Tue 24/11/2026 = Tue 15/12/2026, 17:00.
    expect(out.actions[0]?.removeAfter).toBe(at("2026-12-15T17:00:00+07:00").toISOString());
    const removal = (reopen: boolean, now: string) =>
      removalRule(
        [
          {
            ...fact,
            suspendedAt: at("2026-11-23T09:00:00+07:00"),
            removeAfter: at("2026-12-14T17:00:00+07:00"),
            reopenRequested: reopen,
          },
        ],
        ctx("ninhbinh", now),
      ).actions.map((a) => a.kind);
    expect(removal(false, "2026-12-14T16:00:00+07:00")).toEqual([]);
    expect(removal(false, "2026-12-15T08:00:00+07:00")).toEqual(["remove_suspended"]);
    expect(removal(true, "2026-12-15T08:00:00+07:00")).toEqual([]);
  });
});

describe("leavers (mic Điều 6.4c)", () => {
  const leaver = (o: {
    sendLockAt?: string | null;
    revokeAt?: string | null;
    status?: "active" | "send_locked";
  }) => ({
    ...ref({ kind: "personal", ownerChatId: 33, keeperChatId: null }),
    status: o.status ?? "active",
    sendLockAt: o.sendLockAt ? at(o.sendLockAt) : null,
    revokeAt: o.revokeAt ? at(o.revokeAt) : null,
  });
  it("locks sending on the date, notifies the head a week before revocation, then revokes", () => {
    const c = ctx("mic", "2026-11-23T09:00:00+07:00");
    expect(
      leaverRule(
        [leaver({ sendLockAt: "2026-11-23T00:00:00+07:00", revokeAt: "2027-05-23T00:00:00+07:00" })],
        c,
      ).actions[0]?.kind,
    ).toBe("send_lock_leaver");
    const notice = leaverRule(
      [leaver({ status: "send_locked", revokeAt: "2026-11-28T00:00:00+07:00" })],
      c,
    ).reminders;
    expect(notice.map((r) => [r.rule, r.chatId])).toEqual([["leaver-notice", 22]]);
    expect(
      leaverRule([leaver({ status: "send_locked", revokeAt: "2026-11-23T00:00:00+07:00" })], c).actions[0]
        ?.kind,
    ).toBe("revoke_leaver");
  });
});

describe("passwords (phuyen Điều 13.3, ninhbinh Điều 11.2, binhtan Điều 6.2)", () => {
  it("phuyen: 1 month; warns 7 days before, 1 day before and on the day", () => {
    const f = {
      ...ref({ kind: "personal", ownerChatId: 33 }),
      changedAt: at("2026-10-20T09:00:00+07:00"),
      isAdmin: false,
    };
    const keys = (now: string) => passwordExpiryRule([f], ctx("phuyen", now)).reminders.map((r) => r.key);
    expect(keys("2026-11-10T09:00:00+07:00")).toEqual([]);
    expect(keys("2026-11-13T09:00:00+07:00")).toEqual(["password-expiry:mb:7:2026-11-20:7@33"]);
    expect(keys("2026-11-20T09:00:00+07:00")).toEqual(["password-expiry:mb:7:2026-11-20:0@33"]);
  });
  it("ninhbinh: admins expire after 3 months, users after 6", () => {
    const base = {
      ...ref({ kind: "personal", ownerChatId: 33 }),
      changedAt: at("2026-08-20T09:00:00+07:00"),
    };
    const c = ctx("ninhbinh", "2026-11-19T09:00:00+07:00");
    expect(passwordExpiryRule([{ ...base, isAdmin: true }], c).reminders.length).toBe(1);
    expect(passwordExpiryRule([{ ...base, isAdmin: false }], c).reminders.length).toBe(0);
    expect(
      passwordExpiryRule([{ ...base, isAdmin: true }], ctx("mic", "2026-11-19T09:00:00+07:00")).reminders,
    ).toEqual([]);
  });
  // binhtan Điều 6.2: "Mật khẩu phải được đổi ngay lần đầu tiên … đăng nhập vào hộp thư. Nếu không
  // đổi mật khẩu mới hộp thư sẽ bị khóa": a first login without a change locks; days alone never do.
  it("binhtan: warns at once, locks only after a first login without a change (and after the warning)", () => {
    const f = {
      ...ref({ kind: "personal", ownerChatId: 33, profileId: "binhtan" }),
      issuedAt: at("2026-11-20T10:00:00+07:00"),
      warnedAt: null,
      lastLoginAt: null,
    };
    const fresh = firstLoginRule([f], ctx("binhtan", "2026-11-20T10:30:00+07:00"));
    expect(fresh.reminders.map((r) => r.rule)).toEqual(["first-login-warn"]);
    expect(fresh.reminders[0]?.line).toContain("Điều 6.2 QĐ 7600/QĐ-UBND");
    // Weeks later with no login reported: still no lock.
    const warnedAt = at("2026-11-20T10:31:00+07:00");
    expect(firstLoginRule([{ ...f, warnedAt }], ctx("binhtan", "2026-12-20T09:00:00+07:00")).actions).toEqual(
      [],
    );
    // A login before the warning went out cannot lock.
    const early = { ...f, lastLoginAt: at("2026-11-20T10:20:00+07:00") };
    expect(firstLoginRule([early], ctx("binhtan", "2026-11-20T10:30:00+07:00")).actions).toEqual([]);
    // A first login after the issue, password unchanged, warned: locked.
    const logged = { ...f, warnedAt, lastLoginAt: at("2026-11-23T08:00:00+07:00") };
    const out = firstLoginRule([logged], ctx("binhtan", "2026-11-23T08:15:00+07:00"));
    expect(out.actions.map((a) => a.kind)).toEqual(["lock_first_login"]);
    expect(out.actions[0]?.notices[0]?.line).toContain("đã đăng nhập lần đầu lúc 08:00 23/11/2026");
  });
  it("mic Điều 15.2 'định kỳ thay đổi mật khẩu': one gentle reminder after 6 months, no expiry", () => {
    const base = {
      ...ref({ kind: "personal", ownerChatId: 33 }),
      changedAt: at("2026-03-10T09:00:00+07:00"),
      isAdmin: false,
    };
    expect(passwordExpiryRule([base], ctx("mic", "2026-09-09T09:00:00+07:00")).reminders).toEqual([]);
    const out = passwordExpiryRule([base], ctx("mic", "2026-09-10T09:00:00+07:00"));
    expect(out.reminders.map((r) => r.key)).toEqual(["password-change:mb:7:2026-09-10@33"]);
    expect(out.reminders[0]?.line).toContain("Điều 15.2 QĐ 652/QĐ-BTTTT");
    expect(out.reminders[0]?.line).toContain("vẫn dùng được");
  });
});

// Issue 10: where a document sets no inactivity lock and no revocation timeline (QĐ 7600 Bình
// Tân, QĐ 48 Sóc Trăng), mailbot reminds the unit head (Bình Tân Điều 8.1: the head asks for
// "hủy bỏ") and never locks or revokes on its own authority.
describe("enforcement only with a legal basis", () => {
  const idle = {
    ...ref({ kind: "personal", ownerChatId: 33, keeperChatId: null }),
    lastActivityAt: at("2026-05-23T10:00:00+07:00"),
    lastAbsenceEndsOn: null,
  };
  for (const profileId of ["binhtan", "soctrang"]) {
    it(`${profileId}: an idle mailbox is reminded to owner and head, never locked`, () => {
      const out = inactivityRule([{ ...idle, profileId }], ctx(profileId, "2026-11-24T09:00:00+07:00"));
      expect(out.actions).toEqual([]);
      expect(out.reminders.map((r) => [r.rule, r.chatId])).toEqual([
        ["inactivity-idle", 33],
        ["inactivity-idle", 22],
      ]);
      expect(out.reminders[0]?.line).toContain("mailbot không tự khóa");
    });
    it(`${profileId}: a leaver's dates remind the head and the desk, nothing is locked or revoked`, () => {
      const leaver = {
        ...ref({ kind: "personal", ownerChatId: 33, profileId }),
        status: "active" as const,
        sendLockAt: at("2026-08-31T00:00:00+07:00"),
        revokeAt: at("2027-03-01T00:00:00+07:00"),
      };
      const out = leaverRule([leaver], ctx(profileId, "2027-03-01T09:00:00+07:00"));
      expect(out.actions).toEqual([]);
      expect(out.reminders.map((r) => r.rule)).toEqual([
        "leaver-remind-send-lock",
        "leaver-remind-send-lock",
        "leaver-remind-revoke",
        "leaver-remind-revoke",
      ]);
      expect(out.reminders.find((r) => r.rule === "leaver-remind-revoke")?.line).toContain(
        "hết ngày 28/02/2027",
      );
    });
  }
  it("mic keeps acting (Điều 6.4c, 7.2a)", () => {
    expect(inactivityRule([idle], ctx("mic", "2026-11-24T09:00:00+07:00")).actions.length).toBe(1);
  });
});

describe("quota and service levels", () => {
  it("warns the owner at 90% of the quota, once a month", () => {
    const f = (used: number) => ({
      ...ref({ kind: "personal", ownerChatId: 33 }),
      usedMb: used,
      quotaMb: 1024,
    });
    const out = quotaRule([f(950), f(900)], ctx("mic", "2026-11-23T09:00:00+07:00")).reminders;
    expect(out.map((r) => r.key)).toEqual(["quota:mb:7:2026-11@33"]);
  });
  it("requests due today and overdue go to the support chat", () => {
    const req = (due: string, id: number) => ({
      requestId: id,
      kind: "khoiphuc" as const,
      state: "open",
      address: "a@mic.gov.vn",
      unitName: "Vụ A",
      dueAt: at(due),
    });
    const out = serviceLevelRule(
      [
        req("2026-11-23T17:00:00+07:00", 1),
        req("2026-11-20T17:00:00+07:00", 2),
        req("2026-11-24T17:00:00+07:00", 3),
      ],
      ctx("mic", "2026-11-23T09:00:00+07:00"),
    ).reminders;
    expect(out.map((r) => [r.rule, r.target, r.chatId])).toEqual([
      ["sla-near", "req:1", 9],
      ["sla-overdue", "req:2", 9],
    ]);
    expect(
      serviceLevelRule([req("2026-11-20T17:00:00+07:00", 2)], ctx("mic", "2026-11-23T09:00:00+07:00", null))
        .reminders,
    ).toEqual([]);
    expect(vnDateOf(at("2026-11-23T09:00:00+07:00"))).toBe("2026-11-23");
  });
});
