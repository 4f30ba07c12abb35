// Issue 10 "Citations": one format everywhere ("Điều 7.2a QĐ 652/QĐ-BTTTT") from one function, and
// every article a profile cites exists in its document (test/policy/regulation-articles.ts lists
// them, read from the seeds article by article).
import { describe, expect, it } from "vitest";
import { proposePersonalAddress, proposeUnitAddress } from "../../src/policy/addresses/index.ts";
import { cite } from "../../src/policy/cite.ts";
import { checkEligibility } from "../../src/policy/eligibility.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { cite as reminderCite } from "../../src/reminders/rules/common.ts";
import { PROFILE_IDS } from "../../src/policy/types.ts";
import { ARTICLES, articleExists, BY_CODE, EXTERNAL_CODES } from "./regulation-articles.ts";

/** Every string in the profile, with its path. */
function strings(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  }
  return [];
}

const TOKEN =
  /Điều\s+(\d+)(?:\.(\d+))?([a-zđ])?(?:\s*[,;]?\s*(?:QĐ|Quyết định)\s+(?:số\s+)?(\d+\/[0-9A-ZĐa-z/-]+))?/gu;

describe("every citation in every profile exists in its document", () => {
  for (const id of PROFILE_IDS) {
    it(id, () => {
      const profile = getProfile(id);
      const checked: string[] = [];
      const missing: string[] = [];
      for (const [path, text] of strings(profile)) {
        for (const m of text.matchAll(TOKEN)) {
          const [whole, a, k, p, code] = m;
          let doc: string = id;
          if (code) {
            if (EXTERNAL_CODES.includes(code)) continue;
            const other = BY_CODE[code];
            if (!other) {
              missing.push(`${path}: ${whole} (văn bản không rõ)`);
              continue;
            }
            doc = other;
          }
          const ok = articleExists(
            ARTICLES[doc]!,
            Number(a),
            k === undefined ? undefined : Number(k),
            p ?? undefined,
          );
          checked.push(whole);
          if (!ok) missing.push(`${path}: ${whole}`);
        }
      }
      expect(missing).toEqual([]);
      expect(checked.length).toBeGreaterThan(5);
    });
  }

  it("the list itself catches a wrong number", () => {
    expect(articleExists(ARTICLES.mic!, 6, 1)).toBe(true);
    expect(articleExists(ARTICLES.mic!, 4, 4)).toBe(false);
    expect(articleExists(ARTICLES.phuyen!, 14, 3, "đ")).toBe(true);
    expect(articleExists(ARTICLES.ninhbinh!, 6, 2, "a")).toBe(false);
    expect(articleExists(ARTICLES.soctrang!, 20)).toBe(false);
  });
});

describe("articles fixed against the documents", () => {
  it("operators: mic Điều 6.1–6.2, phuyen Điều 5.1–5.2, soctrang Điều 10, ninhbinh Điều 6.1 and 15", () => {
    expect(getProfile("mic").operator.article).toBe("Điều 6.1; Điều 6.2");
    expect(getProfile("phuyen").operator.article).toBe("Điều 5.1; Điều 5.2");
    expect(getProfile("soctrang").operator.article).toBe("Điều 10");
    expect(getProfile("ninhbinh").operator.article).toBe("Điều 6.1; Điều 15");
  });
  it("mic group mailbox cites Điều 5.2", () => {
    const p = proposeUnitAddress(getProfile("mic"), { kind: "group", name: "Đoàn thanh niên" }, new Set());
    expect(p.ok && p.value.rule).toContain("Theo Điều 5.2 QĐ 652/QĐ-BTTTT");
  });
  it("ninhbinh restore and reset are not Điều 6.2 (only creation is)", () => {
    const article = getProfile("ninhbinh").serviceLevels.article;
    expect(article).toMatch(/^Điều 6\.2 \(cấp mới/);
    expect(article).toContain("mở lại (Điều 7.1)");
    expect(article).toContain("cấp mật khẩu mới (Điều 14.2)");
  });
});

describe("one citation format, from one function", () => {
  it("'Điều 7.2a QĐ 652/QĐ-BTTTT' and 'Điều 13.6 Quy chế dự thảo 2020'", () => {
    expect(cite(getProfile("mic"), "Điều 7.2a")).toBe("Điều 7.2a QĐ 652/QĐ-BTTTT");
    expect(cite(getProfile("ninhbinh"), "Điều 13.6")).toBe("Điều 13.6 Quy chế dự thảo 2020");
    expect(reminderCite).toBe(cite);
  });
  it("addresses and eligibility cite the same way", () => {
    const mic = getProfile("mic");
    const address = proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê" }, new Set());
    expect(address.ok && address.value.rule).toContain("Điều 5.3 QĐ 652/QĐ-BTTTT");
    const nb = proposeUnitAddress(getProfile("ninhbinh"), { kind: "agency", abbr: "STTTT" }, new Set());
    expect(nb.ok && nb.value.rule).toContain("Điều 5.1 Quy chế dự thảo 2020");
    const refused = checkEligibility(mic, {
      employmentType: "contract",
      contractMonths: 6,
      hasPersonalMailbox: false,
    });
    expect(!refused.ok && refused.error.message).toContain("Điều 6.3 QĐ 652/QĐ-BTTTT");
  });
});

// Issue 10: "Ninh Bình and Sóc Trăng set no minimum contract length for 'người lao động': do not
// refuse a 6-month contract there" (ninhbinh Điều 1.2, 2.4; soctrang Điều 2). Only mic Điều 6.3
// ("hợp đồng thời hạn tối thiểu 01 năm") refuses.
describe("contract minimum only where a document sets one", () => {
  for (const id of ["ninhbinh", "soctrang", "phuyen", "binhtan"]) {
    it(`${id}: a 6-month contract is not refused`, () => {
      expect(
        checkEligibility(getProfile(id), {
          employmentType: "contract",
          contractMonths: 6,
          hasPersonalMailbox: false,
        }).ok,
      ).toBe(true);
    });
  }
  it("mic: refused, citing Điều 6.3", () => {
    const r = checkEligibility(getProfile("mic"), {
      employmentType: "contract",
      contractMonths: 6,
      hasPersonalMailbox: false,
    });
    expect(!r.ok && r.error.code).toBe("contract_too_short");
  });
});
