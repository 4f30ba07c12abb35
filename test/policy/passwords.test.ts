import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMON_PASSWORDS, isCommonPassword } from "../../src/policy/common-passwords.ts";
import {
  checkPassword,
  describePasswordPolicy,
  generateTemporaryPassword,
  type PasswordCheck,
} from "../../src/policy/passwords.ts";
import { builtInProfileIds, getProfile } from "../../src/policy/profiles/index.ts";
import { PASSWORD_ROLES } from "../../src/policy/types.ts";

const codes = (r: PasswordCheck): string[] => (r.ok ? [] : r.violations.map((v) => v.code));

describe("checkPassword", () => {
  const phuyen = getProfile("phuyen");
  const binhtan = getProfile("binhtan");
  const ninhbinh = getProfile("ninhbinh");

  it("never accepts the example password printed in phuyen Điều 9", () => {
    for (const id of builtInProfileIds()) {
      for (const role of PASSWORD_ROLES) {
        expect(codes(checkPassword(getProfile(id), role, "Matkhou@123"))).toContain("common_password");
      }
    }
  });

  it("returns every violated rule at once, with the article cited", () => {
    const r = checkPassword(phuyen, "user", "abc");
    expect(codes(r)).toEqual([
      "too_short",
      "missing_upper",
      "missing_digit",
      "missing_special",
      "common_password",
    ]);
    if (r.ok) throw new Error("expected violations");
    expect(r.violations[0]?.message).toBe("Mật khẩu phải có ít nhất 8 ký tự (Điều 9 QĐ 13/2020/QĐ-UBND).");
  });

  it("accepts a strong password", () => {
    expect(checkPassword(phuyen, "user", "Xk#9mQ2v!r")).toEqual({ ok: true });
  });

  it("binhtan requires no digit (Điều 6.1), phuyen does (Điều 9)", () => {
    expect(checkPassword(binhtan, "user", "Xkq#mQvr!r")).toEqual({ ok: true });
    expect(codes(checkPassword(phuyen, "user", "Xkq#mQvr!r"))).toEqual(["missing_digit"]);
  });

  it("phuyen's special-character list is closed: '^' does not count", () => {
    expect(codes(checkPassword(phuyen, "user", "Xkq9mQvr^r"))).toEqual(["missing_special"]);
    expect(checkPassword(phuyen, "user", "Xkq9mQvr$r")).toEqual({ ok: true });
  });

  it("ninhbinh admins need 10 characters, users 8 (Điều 11.1)", () => {
    expect(checkPassword(ninhbinh, "user", "Xk#9mQ2v")).toEqual({ ok: true });
    expect(codes(checkPassword(ninhbinh, "admin", "Xk#9mQ2v"))).toEqual(["too_short"]);
  });

  it.each([
    "123456",
    "matkhau",
    "Matkhau@123",
    "MATKHAU@2024",
    "@Matkhau2025!",
    "M@tkh@u1",
    "abc@123",
    "Abc@12345",
    "Admin@123",
    "Admin@2026",
    "P@ssw0rd",
    "P@ssw0rd123",
    "Qwerty@123",
    "1qaz@WSX",
    "Anhyeuem@123",
    "Vietnam@2024",
    "Ninhbinh@2025",
    "2024",
    "68686868",
    "qwertyuiop",
  ])("rejects the common password %s", (pw) => {
    expect(codes(checkPassword(phuyen, "user", pw))).toContain("common_password");
  });

  it("compares names folded and case-insensitively", () => {
    const ctx = { fullName: "Nguyễn Văn Ân" };
    for (const pw of [
      "Xq9#NGUYEN!",
      "Xq9#nguyễn!",
      "Tr7#vanZZ",
      "Q7#NguyenVanAn",
      "Q7#An2024z",
      "MyAnPass#9",
    ]) {
      expect(codes(checkPassword(phuyen, "user", pw, ctx)), pw).toContain("contains_name");
    }
    // A 2-letter given name only counts as a word of its own.
    expect(checkPassword(phuyen, "user", "Ocean#42Zq", ctx)).toEqual({ ok: true });
  });

  it("decomposed (NFD) names are folded like NFC ones", () => {
    const nfd = "Đỗ Văn Bê".normalize("NFD");
    expect(codes(checkPassword(phuyen, "user", "Kq9#DoVanBe", { fullName: nfd }))).toContain("contains_name");
  });

  it("rejects the address local part, given alone or as a whole address", () => {
    expect(codes(checkPassword(phuyen, "user", "Zz9#dvbe!", { localPart: "dvbe" }))).toEqual([
      "contains_address",
    ]);
    expect(
      codes(checkPassword(ninhbinh, "user", "Zz9#ANNV!x", { localPart: "annv.stttt@ninhbinh.gov.vn" })),
    ).toEqual(["contains_address"]);
  });

  it("refuses whitespace and non-ASCII characters", () => {
    expect(codes(checkPassword(phuyen, "user", "Xk#9m Q2v!r"))).toEqual(["whitespace"]);
    expect(codes(checkPassword(phuyen, "user", "Xk#9mẬ2v!r"))).toEqual(["non_ascii"]);
    expect(codes(checkPassword(phuyen, "user", "Xk#9m\u0000Q2v!r"))).toEqual(["non_ascii"]);
  });

  it("messages never repeat the password", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 20 }), (pw) => {
        const r = checkPassword(phuyen, "user", pw);
        if (!r.ok) for (const v of r.violations) expect(v.message.includes(pw)).toBe(false);
      }),
    );
  });
});

describe("isCommonPassword", () => {
  it("ships a list of several hundred entries", () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(500);
    for (const w of [
      "123456",
      "matkhau",
      "matkhou@123",
      "abc@123",
      "admin@123",
      "1990",
      "qwerty",
      "1qaz2wsx",
    ]) {
      expect(COMMON_PASSWORDS.has(w), w).toBe(true);
    }
  });
  it("does not flag random strings", () => {
    expect(isCommonPassword("xk#9mq2v!r")).toBe(false);
    expect(isCommonPassword("tuyhoa#xk29zq")).toBe(false);
  });
});

describe("describePasswordPolicy", () => {
  it("states the rules in one Vietnamese sentence with the article", () => {
    expect(describePasswordPolicy(getProfile("phuyen"), "user")).toBe(
      "Mật khẩu phải có ít nhất 8 ký tự, gồm chữ in hoa, chữ thường, chữ số và ký tự đặc biệt (! @ # % $ * &), không dấu, không khoảng trắng, không chứa họ tên hoặc tên hộp thư, không phải mật khẩu phổ biến, và phải đổi ít nhất 1 tháng một lần (Điều 9; Điều 13.3 QĐ 13/2020/QĐ-UBND).",
    );
    expect(describePasswordPolicy(getProfile("ninhbinh"), "admin")).toContain("ít nhất 10 ký tự");
    expect(describePasswordPolicy(getProfile("binhtan"), "user")).not.toContain("chữ số");
  });
});

describe("generateTemporaryPassword", () => {
  it("1,000 generated passwords pass checkPassword for every profile and role", () => {
    for (const id of builtInProfileIds()) {
      const profile = getProfile(id);
      for (const role of PASSWORD_ROLES) {
        const seen = new Set<string>();
        for (let i = 0; i < 1000; i += 1) {
          const pw = generateTemporaryPassword(profile, role);
          expect(checkPassword(profile, role, pw)).toEqual({ ok: true });
          seen.add(pw);
        }
        expect(seen.size).toBe(1000);
      }
    }
  });

  it("avoids look-alike characters and honours the length", () => {
    const profile = getProfile("ninhbinh");
    for (let i = 0; i < 200; i += 1) {
      const pw = generateTemporaryPassword(profile, "admin", 16);
      expect(pw).toHaveLength(16);
      expect(pw).not.toMatch(/[0Oo1lI]/);
    }
  });

  it("uses only phuyen's listed specials", () => {
    for (let i = 0; i < 200; i += 1) {
      const pw = generateTemporaryPassword(getProfile("phuyen"), "user");
      expect(pw.replace(/[A-Za-z0-9]/g, "")).toMatch(/^[!@#%$*&]+$/);
    }
  });

  it("refuses a length below the policy minimum", () => {
    expect(() => generateTemporaryPassword(getProfile("ninhbinh"), "admin", 9)).toThrow(RangeError);
  });
});
