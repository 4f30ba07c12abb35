import { expect, it } from "vitest";
import { abbreviationOf, matchUnitTyped } from "../../commands/shared/unit-match.ts";

// The demo's units (src/demo/seed.ts).
const UNITS = [
  { id: 1, name: "Văn phòng UBND tỉnh", abbr: "vpubnd" },
  { id: 2, name: "Sở Thông tin và Truyền thông", abbr: "stttt" },
  { id: 3, name: "Trung tâm Công nghệ thông tin và Truyền thông", abbr: "ttcntt" },
  { id: 4, name: "Phòng Công nghệ thông tin", abbr: "pcntt" },
  { id: 5, name: "Văn phòng Sở", abbr: "vp" },
  { id: 6, name: "Sở Nội vụ", abbr: "snv" },
];

const sure = (typed: string) => {
  const m = matchUnitTyped(typed, UNITS);
  return m.kind === "sure" ? m.unit.id : m.kind;
};
const guesses = (typed: string) => {
  const m = matchUnitTyped(typed, UNITS);
  return m.kind === "guess" ? m.candidates.map((u) => u.id) : m.kind;
};

it("the help's own example and other ways of writing the same unit are sure matches", () => {
  expect(abbreviationOf("Trung tâm CNTT&TT")).toBe(
    abbreviationOf("Trung tâm Công nghệ thông tin và Truyền thông"),
  );
  expect(sure("Trung tâm CNTT&TT")).toBe(3);
  expect(sure("trung tam cong nghe thong tin va truyen thong")).toBe(3);
  expect(sure("Sở TT&TT")).toBe(2);
  expect(sure("ttcntt")).toBe(3);
  expect(sure("#4")).toBe(4);
});

it("an abbreviation shared by several units, or a typo, is asked back with the candidates", () => {
  expect(guesses("CNTT")).toEqual(expect.arrayContaining([3, 4]));
  // "VP" is the registered symbol of Văn phòng Sở: sure, not a guess.
  expect(sure("VP")).toBe(5);
  expect(guesses("Van phong")).toEqual(expect.arrayContaining([1, 5]));
  expect(guesses("NV")).toEqual([6]);
  expect(sure("so noi vu")).toBe(6); // no diacritics: the same name
  expect(guesses("Sở Nội vuu")).toEqual([6]);
  expect(guesses("Phong Cong nghe thong tn")).toEqual([4]);
});

it("nothing plausible lists the choices", () => {
  const m = matchUnitTyped("Sở Y tế", UNITS);
  expect(m.kind).toBe("none");
  if (m.kind === "none") expect(m.message).toContain("Văn phòng UBND tỉnh");
});
