// binhtan Điều 8.2 "Chậm nhất 02 ngày làm việc kể từ ngày có cán bộ … tuyển mới … hoặc … nghỉ hưu,
// nghỉ việc, chuyển công tác" and ninhbinh Điều 7.2 "Trong thời hạn 05 ngày kể từ ngày có quyết
// định … cơ quan quản lý trực tiếp có trách nhiệm gửi văn bản đề nghị".
import { describe, expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { unitRequestDue, unitRequestEvents } from "../../src/policy/unit-requests.ts";

const calendar = createCalendar();

describe("the unit's deadline to ask after a hire or a departure", () => {
  it("binhtan Điều 8.2: 2 working days after the event day, for a hire and for a departure", () => {
    // Monday 07/12/2026 → Tuesday (1), Wednesday 09/12 (2).
    expect(unitRequestDue(getProfile("binhtan"), "hire", "2026-12-07", "staff", calendar)).toEqual({
      lastDay: "2026-12-09",
      period: "chậm nhất 02 ngày làm việc",
      article: "Điều 8.2",
    });
    // Friday 11/12 → Monday 14/12, Tuesday 15/12.
    expect(unitRequestDue(getProfile("binhtan"), "departure", "2026-12-11", "staff", calendar)?.lastDay).toBe(
      "2026-12-15",
    );
    // Before National Day 2026 (31/08–02/09 off): Friday 28/08 → Thursday 03/09, Friday 04/09.
    expect(unitRequestDue(getProfile("binhtan"), "hire", "2026-08-28", "staff", calendar)?.lastDay).toBe(
      "2026-09-04",
    );
  });
  it("ninhbinh Điều 7.2: 5 days from the decision, off a day off to the next working day (Bộ luật Dân sự Điều 148)", () => {
    // Decision Monday 07/12/2026: + 5 days = Saturday 12/12 → Monday 14/12.
    expect(unitRequestDue(getProfile("ninhbinh"), "departure", "2026-12-07", "staff", calendar)).toEqual({
      lastDay: "2026-12-14",
      period: "trong thời hạn 05 ngày kể từ ngày có quyết định",
      article: "Điều 7.2",
    });
    // Decision Wednesday 02/12 → Monday 07/12 is a working day: stays.
    expect(
      unitRequestDue(getProfile("ninhbinh"), "departure", "2026-12-02", "department", calendar)?.lastDay,
    ).toBe("2026-12-07");
    expect(unitRequestDue(getProfile("ninhbinh"), "hire", "2026-12-07", "staff", calendar)).toBeNull();
  });
  it("the other documents set no such deadline: nothing", () => {
    for (const id of ["mic", "phuyen", "soctrang"]) {
      expect(unitRequestEvents(getProfile(id))).toEqual({ hire: false, departure: false });
      expect(unitRequestDue(getProfile(id), "departure", "2026-12-07", "staff", calendar)).toBeNull();
    }
    expect(unitRequestEvents(getProfile("binhtan"))).toEqual({ hire: true, departure: true });
    expect(unitRequestEvents(getProfile("ninhbinh"))).toEqual({ hire: false, departure: true });
  });
});
