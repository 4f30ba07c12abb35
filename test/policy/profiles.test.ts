import { describe, expect, it } from "vitest";
import { ProfileSchema } from "../../src/policy/profile.ts";
import { mic as micInput } from "../../src/policy/profiles/mic.ts";
import {
  builtInProfileIds,
  findProfile,
  getProfile,
  parseProfileJson,
  registerProfile,
} from "../../src/policy/profiles/index.ts";
import { PROFILE_IDS } from "../../src/policy/types.ts";

describe("built-in profiles", () => {
  it("are exactly the five ids and each parses", () => {
    expect(builtInProfileIds().sort()).toEqual([...PROFILE_IDS].sort());
    for (const id of PROFILE_IDS) {
      const profile = getProfile(id);
      expect(profile.id).toBe(id);
      expect(ProfileSchema.safeParse(profile).success).toBe(true);
    }
  });

  it("unknown ids: findProfile undefined, getProfile throws a Vietnamese message listing the ids", () => {
    expect(findProfile("hanoi")).toBeUndefined();
    expect(() => getProfile("hanoi")).toThrow(/Các hồ sơ hiện có: mic/);
  });
});

describe("parseProfileJson", () => {
  it("accepts a round-tripped built-in", () => {
    const r = parseProfileJson(JSON.stringify(getProfile("phuyen")));
    expect(r.ok).toBe(true);
  });

  it("accepts a UTF-8 BOM", () => {
    expect(parseProfileJson(`\uFEFF${JSON.stringify(micInput)}`).ok).toBe(true);
  });

  it("returns every error with its zod path", () => {
    const bad = JSON.parse(JSON.stringify(micInput)) as {
      passwords: { user: { minLength: number } };
      domain: string;
      leaver: { staff: { revoke: unknown[] } };
      inactivity: { months?: number };
    };
    bad.passwords.user.minLength = 0;
    bad.domain = "Not A Domain";
    bad.leaver.staff.revoke = [];
    delete bad.inactivity.months;
    const r = parseProfileJson(JSON.stringify(bad));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.error.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "passwords.user.minLength",
        "domain",
        "leaver.staff.revoke",
        "inactivity.months",
      ]),
    );
    expect(r.error.find((i) => i.path === "domain")?.message).toBe("tên miền không hợp lệ");
  });

  it("reports unreadable JSON", () => {
    const r = parseProfileJson("{ nope");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]?.path).toBe("(tệp)");
  });

  it("a registered custom profile is found by id", () => {
    const r = parseProfileJson(JSON.stringify({ ...micInput, id: "testcustom", domain: "test.gov.vn" }));
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    registerProfile(r.value);
    expect(getProfile("testcustom").domain).toBe("test.gov.vn");
  });
});
