// How typed text finds people (pure): the matcher behind `mailbot staff find` and `--staff`.
import { describe, expect, it } from "vitest";
import { editDistance } from "../../src/lib/edit-distance.ts";
import { matchScore, rankStaff, type SearchRow } from "../../src/services/staff-search.ts";

const rows: SearchRow[] = [
  { id: 1, fullName: "Nguyễn Văn An", externalId: "CB12", addresses: ["annv@phuyen.gov.vn"] },
  { id: 2, fullName: "Nguyễn Văn Anh", externalId: "CB120", addresses: [] },
  { id: 3, fullName: "Trần Thị Bích Ngọc", externalId: "CB3", addresses: ["ngocttb@phuyen.gov.vn"] },
  { id: 4, fullName: "Đỗ Đức Độ", externalId: null, addresses: [] },
];
const ids = (typed: string) => rankStaff(typed, rows, 10).map((r) => r.id);

describe("finding people by typed text", () => {
  it("a mã cán bộ or an address is exact and hides looser hits", () => {
    expect(ids("cb12")).toEqual([1]);
    expect(ids("ANNV@phuyen.gov.vn")).toEqual([1]);
  });

  it("names match without diacritics, with đ as d, and with a typo in a long word", () => {
    expect(ids("tran thi bich ngoc")).toEqual([3]);
    expect(ids("do duc do")).toEqual([4]);
    expect(ids("Tran Thi Bihc Ngoc")).toEqual([3]);
    expect(ids("nguyenvanan")).toEqual([1, 2]);
  });

  it("a short word allows no typo; a prefix matches; unrelated text matches nothing", () => {
    expect(matchScore("ban", rows[0] as SearchRow)).toBeNull();
    expect(ids("nguyen van")).toEqual([1, 2]);
    expect(ids("le hoang phuc")).toEqual([]);
    expect(ids("   ")).toEqual([]);
  });

  it("part of an address's local part or of a code finds the person", () => {
    expect(ids("ngocttb")).toEqual([3]);
    expect(ids("CB1")).toEqual([1, 2]);
  });

  it("editDistance stops past the limit", () => {
    expect(editDistance("ngoc", "ngoc", 1)).toBe(0);
    expect(editDistance("ngoc", "ngok", 1)).toBe(1);
    expect(editDistance("ngoc", "binh", 1)).toBe(2);
  });
});
