import { matchUnitTyped } from "../../commands/shared/unit-match.ts";
import { describe, expect, it } from "vitest";
import {
  looksLikePasswordCommand,
  parseAbsenceForm,
  parseBirthDate,
  parseCapmoiForm,
  parseContractMonths,
  parseEmployment,
  parseFullName,
  parseKind,
  parseLeaderLevel,
  parseReason,
  parseStatusTarget,
  parseVnDate,
} from "../../commands/shared/parse.ts";

const TODAY = "2026-11-23";

describe("parseFullName", () => {
  it("normalises spacing and capitalisation", () => {
    expect(parseFullName("  huỳnh   ngọc ĐỨC ")).toEqual({ ok: true, value: "Huỳnh Ngọc Đức" });
  });
  it("accepts names with an apostrophe or hyphen inside a word", () => {
    expect(parseFullName("h'hen niê")).toEqual({ ok: true, value: "H'Hen Niê" });
  });
  it("accepts NFD input and returns NFC", () => {
    const r = parseFullName("Nguyễn Văn An".normalize("NFD"));
    expect(r.ok && r.value).toBe("Nguyễn Văn An".normalize("NFC"));
  });
  it.each([
    ["Trần Văn 2", "chữ số"],
    ["Trần", "hai tiếng"],
    ["", "Chưa có"],
    ["Trần <b>Văn</b>", "không hợp lệ"],
    ["a ".repeat(60), "quá dài"],
  ])("refuses %j", (input, fragment) => {
    const r = parseFullName(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(fragment);
  });
});

describe("dates", () => {
  it("parses dd/mm/yyyy and variants", () => {
    expect(parseVnDate("03/12/1985")).toEqual({ ok: true, value: "1985-12-03" });
    expect(parseVnDate("3-2-1990")).toEqual({ ok: true, value: "1990-02-03" });
  });
  it.each(["31/02/1990", "1990-02-03", "hôm qua", "00/01/1990", "12/13/1990"])("refuses %j", (input) => {
    expect(parseVnDate(input).ok).toBe(false);
  });
  it("checks a birth date is plausible", () => {
    expect(parseBirthDate("01/01/2030", TODAY).ok).toBe(false);
    expect(parseBirthDate("01/01/2020", TODAY).ok).toBe(false);
    expect(parseBirthDate("01/01/1900", TODAY).ok).toBe(false);
    expect(parseBirthDate("29/02/1988", TODAY)).toEqual({ ok: true, value: "1988-02-29" });
  });
});

describe("word lists", () => {
  it.each([
    ["chuyên viên", "staff"],
    ["Trưởng phòng", "division"],
    ["lãnh đạo sở trở lên", "department"],
    ["Phó Giám đốc", "department"],
  ])("leader level %j", (input, level) => {
    expect(parseLeaderLevel(input)).toEqual({ ok: true, value: level });
  });
  it("refuses an unknown leader level", () => {
    expect(parseLeaderLevel("bảo vệ").ok).toBe(false);
  });
  it.each([
    ["biên chế", { employmentType: "civil_servant", contractMonths: null }],
    ["Hợp đồng 24 tháng", { employmentType: "contract", contractMonths: 24 }],
    ["HĐ 2 năm", { employmentType: "contract", contractMonths: 24 }],
    ["hợp đồng 6 tháng", { employmentType: "contract", contractMonths: 6 }],
  ])("employment %j", (input, value) => {
    expect(parseEmployment(input)).toEqual({ ok: true, value });
  });
  it("asks for the contract length", () => {
    const r = parseEmployment("hợp đồng");
    expect(!r.ok && r.error).toContain("thời hạn");
    expect(parseEmployment("hợp đồng 999 tháng").ok).toBe(false);
  });
  it("parses contract months typed alone", () => {
    expect(parseContractMonths("18")).toEqual({ ok: true, value: 18 });
    expect(parseContractMonths("18 tháng")).toEqual({ ok: true, value: 18 });
    expect(parseContractMonths("0").ok).toBe(false);
    expect(parseContractMonths("mười tám").ok).toBe(false);
  });
  it("parses kinds", () => {
    expect(parseKind("Đơn vị")).toEqual({ ok: true, value: "unit" });
    expect(parseKind("nhom")).toEqual({ ok: true, value: "group" });
    expect(parseKind("xyz").ok).toBe(false);
  });
});

describe("matchUnitTyped (the same cases as the old matcher)", () => {
  const units = [
    { id: 1, name: "Sở TT&TT", abbr: "stttt" },
    { id: 2, name: "Trung tâm CNTT&TT", abbr: "ttcntttt" },
    { id: 3, name: "Phòng CNTT", abbr: "pcntt" },
    { id: 4, name: "Phòng Kế hoạch", abbr: "pkh" },
  ];
  it("matches by id, abbreviation, name and unique fragment", () => {
    expect(matchUnitTyped("2", units)).toMatchObject({ kind: "sure", unit: { id: 2 } });
    expect(matchUnitTyped("PCNTT", units)).toMatchObject({ kind: "sure", unit: { id: 3 } });
    expect(matchUnitTyped("trung tam cntt&tt", units)).toMatchObject({ kind: "sure", unit: { id: 2 } });
    expect(matchUnitTyped("kế hoạch", units)).toMatchObject({ kind: "sure", unit: { id: 4 } });
  });
  it("asks back on ambiguous units and refuses unknown ones", () => {
    expect(matchUnitTyped("phòng", units)).toMatchObject({ kind: "guess" });
    const r = matchUnitTyped("Sở Y tế", units);
    expect(r.kind === "none" && r.message).toContain("phạm vi");
  });
});

describe("parseCapmoiForm", () => {
  it("parses the documented example", () => {
    expect(
      parseCapmoiForm("Huỳnh Ngọc Đức; 03/12/1985; Trung tâm CNTT&TT; chuyên viên; biên chế", TODAY),
    ).toEqual({
      ok: true,
      value: {
        fullName: "Huỳnh Ngọc Đức",
        birthDate: "1985-12-03",
        unitText: "Trung tâm CNTT&TT",
        leaderLevel: "staff",
        employment: { employmentType: "civil_servant", contractMonths: null },
        kind: "personal",
      },
    });
  });
  it("takes an optional kind", () => {
    const r = parseCapmoiForm(
      "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; hợp đồng 24 tháng; nhóm",
      TODAY,
    );
    expect(r.ok && r.value.kind).toBe("group");
    expect(r.ok && r.value.employment.contractMonths).toBe(24);
  });
  it("lists every bad field at once", () => {
    const r = parseCapmoiForm("Lê Văn 7; 31/02/1990; Phòng CNTT; bảo vệ; biên chế", TODAY);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain("họ và tên");
      expect(r.error).toContain("ngày sinh");
      expect(r.error).toContain("chức vụ");
      expect(r.error).not.toContain("• hình thức");
    }
  });
  it("refuses a wrong field count and a 4,000-character message", () => {
    expect(parseCapmoiForm("Trần Văn Bình", TODAY).ok).toBe(false);
    const r = parseCapmoiForm("x".repeat(4000), TODAY);
    expect(!r.ok && r.error).toContain("quá dài");
  });
});

describe("other forms", () => {
  it("parses status targets", () => {
    expect(parseStatusTarget("#1042")).toEqual({ ok: true, value: { kind: "request", id: 1042 } });
    expect(parseStatusTarget("NguyenVanA@PhuYen.gov.vn")).toEqual({
      ok: true,
      value: { kind: "address", address: "nguyenvana@phuyen.gov.vn" },
    });
    expect(parseStatusTarget("abc").ok).toBe(false);
    expect(parseStatusTarget("a b@c").ok).toBe(false);
  });
  it("parses absence notices", () => {
    expect(parseAbsenceForm("a@phuyen.gov.vn 30/06/2027 đi học dài hạn", TODAY)).toEqual({
      ok: true,
      value: { address: "a@phuyen.gov.vn", until: "2027-06-30", reason: "đi học dài hạn" },
    });
    expect(parseAbsenceForm("a@phuyen.gov.vn 30/06/2020 đi học", TODAY).ok).toBe(false);
    expect(parseAbsenceForm("a@phuyen.gov.vn 30/06/2029 đi học", TODAY).ok).toBe(false);
    expect(parseAbsenceForm("a@phuyen.gov.vn", TODAY).ok).toBe(false);
    expect(parseAbsenceForm("khongphaidiachi 30/06/2027 nghỉ", TODAY).ok).toBe(false);
  });
  it("checks a rejection reason", () => {
    expect(parseReason("  trùng người  ")).toEqual({ ok: true, value: "trùng người" });
    expect(parseReason("x").ok).toBe(false);
    expect(parseReason("x".repeat(4000)).ok).toBe(false);
  });
  it("spots passwords typed after /doimk", () => {
    expect(looksLikePasswordCommand("/doimk Abc@12345")).toBe(true);
    expect(looksLikePasswordCommand("/doimk@mailbot_bot Abc@12345")).toBe(true);
    expect(looksLikePasswordCommand("/doimk")).toBe(false);
    expect(looksLikePasswordCommand("/doimk quenmk")).toBe(false);
    expect(looksLikePasswordCommand("/trangthai")).toBe(false);
  });
});
