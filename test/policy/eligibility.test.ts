import { describe, expect, it } from "vitest";
import { checkEligibility } from "../../src/policy/eligibility.ts";
import { builtInProfileIds, getProfile } from "../../src/policy/profiles/index.ts";

const mic = getProfile("mic");
const codeOf = (r: ReturnType<typeof checkEligibility>): string => (r.ok ? "ok" : r.error.code);

describe("checkEligibility", () => {
  it("civil servants without a mailbox are eligible in every profile", () => {
    for (const id of builtInProfileIds()) {
      expect(
        checkEligibility(getProfile(id), { employmentType: "civil_servant", hasPersonalMailbox: false }),
      ).toEqual({
        ok: true,
        value: undefined,
      });
    }
  });

  it("contract staff need at least 12 months (mic Điều 6.3)", () => {
    expect(
      codeOf(
        checkEligibility(mic, { employmentType: "contract", contractMonths: 12, hasPersonalMailbox: false }),
      ),
    ).toBe("ok");
    const short = checkEligibility(mic, {
      employmentType: "contract",
      contractMonths: 11,
      hasPersonalMailbox: false,
    });
    expect(codeOf(short)).toBe("contract_too_short");
    if (!short.ok) expect(short.error.message).toContain("Điều 6.3 QĐ 652/QĐ-BTTTT");
  });

  it("asks for the contract length instead of guessing", () => {
    for (const contractMonths of [undefined, null]) {
      expect(
        codeOf(
          checkEligibility(mic, { employmentType: "contract", contractMonths, hasPersonalMailbox: false }),
        ),
      ).toBe("missing_contract_length");
    }
  });

  it("one personal mailbox per person (binhtan Điều 7.2)", () => {
    const r = checkEligibility(getProfile("binhtan"), {
      employmentType: "civil_servant",
      hasPersonalMailbox: true,
    });
    expect(codeOf(r)).toBe("already_has_mailbox");
    if (!r.ok) expect(r.error.message).toContain("QĐ 7600/QĐ-UBND");
  });

  it("leavers get no new mailbox, whatever else holds", () => {
    expect(
      codeOf(
        checkEligibility(mic, {
          employmentType: "contract",
          contractMonths: 3,
          employmentStatus: "left",
          hasPersonalMailbox: true,
        }),
      ),
    ).toBe("left");
  });
});
