// The numbers the profiles take from src/policy/profiles/common.ts (PASSWORD_ISSUE, ELIGIBILITY,
// INACTIVITY, SERVICE_LEVELS, baselinePasswords), written out per profile: changing a shared
// default must show up here as a decision for each regulation, not slip in silently.
import { describe, expect, it } from "vitest";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { PROFILE_IDS } from "../../src/policy/types.ts";

interface Expected {
  /** lockAfterFirstLoginWithoutChange (binhtan Điều 6.2) */
  firstLoginLock: boolean;
  /** eligibility.minContractMonths: only mic Điều 6.3 sets one ("tối thiểu 01 năm"). */
  minContractMonths: number;
  /** inactivity.enforce / leaver.enforce: "act" only where the document sets the step. */
  enforce: "act" | "remind";
  /** [user, admin] minLength and maxAgeMonths */
  minLength: [number, number];
  maxAgeMonths: [number | null, number | null];
  requestWithinWorkingDays: number | null;
  inactivity: { basis: "sendReceive" | "login"; removalAfterNoticeWorkingDays: number | null };
  /** restore, create, reset (working days) */
  serviceLevels: [number, number, number];
}

const EXPECTED: Record<(typeof PROFILE_IDS)[number], Expected> = {
  mic: {
    firstLoginLock: false,
    minContractMonths: 12,
    enforce: "act",
    minLength: [8, 10],
    maxAgeMonths: [null, null],
    requestWithinWorkingDays: null,
    inactivity: { basis: "sendReceive", removalAfterNoticeWorkingDays: null },
    serviceLevels: [1, 3, 1],
  },
  binhtan: {
    firstLoginLock: true,
    minContractMonths: 0,
    enforce: "remind",
    minLength: [8, 8],
    maxAgeMonths: [null, null],
    requestWithinWorkingDays: 2,
    inactivity: { basis: "sendReceive", removalAfterNoticeWorkingDays: null },
    serviceLevels: [1, 3, 1],
  },
  phuyen: {
    firstLoginLock: false,
    minContractMonths: 0,
    enforce: "act",
    minLength: [8, 8],
    maxAgeMonths: [1, 1],
    requestWithinWorkingDays: null,
    inactivity: { basis: "sendReceive", removalAfterNoticeWorkingDays: null },
    serviceLevels: [1, 3, 1],
  },
  soctrang: {
    firstLoginLock: false,
    minContractMonths: 0,
    enforce: "remind",
    minLength: [8, 10],
    maxAgeMonths: [null, null],
    requestWithinWorkingDays: null,
    inactivity: { basis: "sendReceive", removalAfterNoticeWorkingDays: null },
    serviceLevels: [1, 3, 1],
  },
  ninhbinh: {
    firstLoginLock: false,
    minContractMonths: 0,
    enforce: "act",
    minLength: [8, 10],
    maxAgeMonths: [6, 3],
    requestWithinWorkingDays: null,
    inactivity: { basis: "login", removalAfterNoticeWorkingDays: 15 },
    serviceLevels: [3, 3, 3],
  },
};

describe.each([...PROFILE_IDS])("profile %s: shared defaults", (id) => {
  const profile = getProfile(id);
  const want = EXPECTED[id];

  it("passwords", () => {
    const { user, admin, ...issue } = profile.passwords;
    expect(issue).toMatchObject({
      lockAfterFirstLoginWithoutChange: want.firstLoginLock,
      tempPasswordHours: 72,
    });
    expect([user.minLength, admin.minLength]).toEqual(want.minLength);
    expect([user.maxAgeMonths, admin.maxAgeMonths]).toEqual(want.maxAgeMonths);
    for (const policy of [user, admin]) {
      expect(policy).toMatchObject({ requireUpper: true, requireLower: true, requireSpecial: true });
      expect(policy.historyCount).toBe(5);
      expect(policy.article.length).toBeGreaterThan(0);
    }
  });

  it("eligibility, inactivity, service levels", () => {
    const { article: eligibilityArticle, ...eligibility } = profile.eligibility;
    expect(eligibility).toEqual({
      minContractMonths: want.minContractMonths,
      onePersonalMailboxPerPerson: true,
      requestWithinWorkingDays: want.requestWithinWorkingDays,
      // binhtan Điều 8.2 "Chậm nhất 02 ngày làm việc": the article of the deadline, where there is one.
      requestArticle: want.requestWithinWorkingDays === null ? null : "Điều 8.2",
    });
    const { article: inactivityArticle, ...inactivity } = profile.inactivity;
    expect(inactivity).toEqual({
      months: 6,
      warnDaysBefore: [30, 7, 1],
      enforce: want.enforce,
      ...want.inactivity,
    });
    expect(profile.leaver.enforce).toBe(want.enforce);
    const { article: serviceArticle, ...levels } = profile.serviceLevels;
    expect([levels.restoreWorkingDays, levels.createWorkingDays, levels.resetWorkingDays]).toEqual(
      want.serviceLevels,
    );
    for (const article of [eligibilityArticle, inactivityArticle, serviceArticle])
      expect(article.length).toBeGreaterThan(0);
  });
});

describe("the provinces' unit-address template", () => {
  it.each([
    ["phuyen", []],
    ["soctrang", []],
    ["ninhbinh", ["và"]],
  ])("%s", (id, dropWords) => {
    const { article, defaultNote: _note, listed: _listed, ...unit } = getProfile(id).naming.unit;
    expect(unit).toEqual({
      agency: "{abbr}",
      district: "{name}",
      commune: "{name}.{parent}",
      division: "{abbr}.{parent}",
      group: "{name}",
      invalidChars: "remove",
      dropWords,
    });
    expect(article.length).toBeGreaterThan(0);
  });
});
