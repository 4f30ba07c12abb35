// mic Điều 10.3, phuyen Điều 8.1c: "Thông báo cho các cơ quan, đơn vị, cá nhân biết tối thiểu
// trước 03 ngày làm việc khi bắt buộc phải tạm thời ngừng dịch vụ … vì lý do kỹ thuật."
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { outageNoticeBy, outageNoticeDuty, workingDaysBeforeOutage } from "../../src/policy/outages.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";

const calendar = createCalendar();
const by = (start: string): string => outageNoticeBy(calendar, new Date(start), 3);

describe("the last day to announce a planned outage (03 whole working days in between)", () => {
  it("an outage on Monday 14/12/2026 needs the notice by Tuesday 08/12 (Wed, Thu, Fri in between)", () => {
    expect(by("2026-12-14T08:00:00+07:00")).toBe("2026-12-08");
    expect(workingDaysBeforeOutage(calendar, "2026-12-08", new Date("2026-12-14T08:00:00+07:00"))).toBe(3);
    expect(workingDaysBeforeOutage(calendar, "2026-12-09", new Date("2026-12-14T08:00:00+07:00"))).toBe(2);
  });
  it("the hour does not matter: the outage day itself never counts", () => {
    expect(by("2026-12-14T00:30:00+07:00")).toBe("2026-12-08");
    expect(by("2026-12-14T21:00:00+07:00")).toBe("2026-12-08");
    // 23:30 UTC on 13/12 is already 06:30 on Monday 14/12 in Vietnam.
    expect(by("2026-12-13T23:30:00Z")).toBe("2026-12-08");
  });
  it("a weekend outage: Saturday 12/12/2026 → Tuesday 08/12 as well", () => {
    expect(by("2026-12-12T08:00:00+07:00")).toBe("2026-12-08");
  });
  it("days off in between do not count: National Day 2026 (31/08–02/09 off)", () => {
    // Monday 07/09: Fri 04/09, Thu 03/09 and Fri 28/08 are the working days in between → Thu 27/08.
    expect(by("2026-09-07T08:00:00+07:00")).toBe("2026-08-27");
    expect(workingDaysBeforeOutage(calendar, "2026-08-27", new Date("2026-09-07T08:00:00+07:00"))).toBe(3);
  });
  it("Tết 2027 (05–11/02 off, provisional): an outage on Monday 15/02 → Tuesday 02/02", () => {
    expect(by("2027-02-15T08:00:00+07:00")).toBe("2027-02-02");
  });
  it("an operator's day off (holiday override) moves it too", () => {
    const withOverride = createCalendar({
      overrides: [{ date: "2026-12-10", kind: "off", name: "Nghỉ bù" }],
    });
    expect(outageNoticeBy(withOverride, new Date("2026-12-14T08:00:00+07:00"), 3)).toBe("2026-12-07");
  });
  it("only mic and phuyen have the duty, cited from the document", () => {
    expect(outageNoticeDuty(getProfile("mic"))).toMatchObject({
      beforeOutageWorkingDays: 3,
      article: "Điều 10.3",
    });
    expect(outageNoticeDuty(getProfile("phuyen"))).toMatchObject({
      beforeOutageWorkingDays: 3,
      article: "Điều 8.1c",
    });
    for (const id of ["binhtan", "soctrang", "ninhbinh"]) expect(outageNoticeDuty(getProfile(id))).toBeNull();
  });
});
