import { expect, it, describe } from "vitest";
import {
  parseBirthDate,
  parseEmployment as chatEmployment,
  parseLeaderLevel as chatLevel,
} from "../../commands/shared/parse.ts";
import {
  birthDateProblem,
  CONTRACT_MONTHS,
  employmentTypeOf,
  leaderLevelOf,
  parseContractMonths,
  parseEmployment,
  parseRole,
} from "../../src/policy/vocabulary.ts";

describe("vocabulary", () => {
  it("reads the chức vụ people write, with or without diacritics, in chat and CSV spelling alike", () => {
    for (const word of ["Văn thư", "van thu", "Chuyên viên", "nhan_vien", "staff"])
      expect(leaderLevelOf(word)).toBe("staff");
    for (const word of [
      "Phó phòng",
      "PHÓ PHÒNG",
      "Trưởng phòng",
      "truong_phong",
      "lanh-dao-phong",
      "division",
    ])
      expect(leaderLevelOf(word)).toBe("division");
    for (const word of ["Giám đốc", "phó giám đốc", "lanh_dao_so", "Thủ trưởng"])
      expect(leaderLevelOf(word)).toBe("department");
    expect(leaderLevelOf("bảo vệ trưởng")).toBeNull();
    // The chat's parser is the same one.
    expect(chatLevel("Phó phòng")).toEqual({ ok: true, value: "division" });
    expect(chatLevel("tổ trưởng").ok).toBe(false);
  });

  it("employment words and one bound for contracts in chat and services", () => {
    expect(employmentTypeOf("hợp đồng")).toBe("contract");
    expect(employmentTypeOf("bien_che")).toBe("civil_servant");
    expect(employmentTypeOf("thời vụ")).toBeNull();
    expect(parseEmployment("hợp đồng 2 năm")).toEqual({
      ok: true,
      value: { employmentType: "contract", contractMonths: 24 },
    });
    expect(parseEmployment("Hợp đồng không xác định thời hạn")).toEqual({
      ok: true,
      value: { employmentType: "contract", contractMonths: CONTRACT_MONTHS.max },
    });
    expect(parseEmployment(`hợp đồng ${CONTRACT_MONTHS.max + 1} tháng`).ok).toBe(false);
    expect(chatEmployment(`hợp đồng ${CONTRACT_MONTHS.max} tháng`).ok).toBe(true);
    expect(parseContractMonths("0").ok).toBe(false);
    expect(parseContractMonths("18 tháng")).toEqual({ ok: true, value: 18 });
  });

  it("one bound for birth dates: 15 to 100 years old on the given day", () => {
    expect(birthDateProblem("2011-12-01", "2026-12-02")).toBeNull();
    expect(birthDateProblem("2011-12-03", "2026-12-02")).toContain("15 tuổi");
    expect(birthDateProblem("1925-01-01", "2026-12-02")).toContain("trên 100 tuổi");
    expect(parseBirthDate("03/12/2011", "2026-12-02").ok).toBe(false);
    expect(parseBirthDate("01/12/2011", "2026-12-02").ok).toBe(true);
  });

  it("roles by code or Vietnamese word; an unknown one lists the choices", () => {
    expect(parseRole("văn thư")).toEqual({ ok: true, value: "clerk" });
    expect(parseRole("unit_head")).toEqual({ ok: true, value: "unit_head" });
    const bad = parseRole("giám sát");
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toContain("clerk (văn thư)");
  });
});
