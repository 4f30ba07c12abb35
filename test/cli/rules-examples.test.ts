// Issue 10 "Done when": `mailbot lifecycle`, `address` and `workdays` give the document's answer
// for each example of the issue. Run in-process through the real router and commands.
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/cli.ts";

async function cli(
  ...args: string[]
): Promise<{ code: number | null; json: Record<string, unknown>; text: string }> {
  const { code, stdout } = await runCliInProcess(args);
  const json = args.includes("--json") ? (JSON.parse(stdout) as Record<string, unknown>) : {};
  return { code, json, text: stdout };
}

describe("mailbot address: the issue's naming examples", () => {
  // phuyen Điều 4.1b–c, ninhbinh Điều 5.1b: "viết liền … không dấu" — no letter dropped.
  it.each([
    ["binhtan", ["--name", "Bình Hưng Hòa", "--kind", "commune"], "ubnd.binhhunghoa.bt@tphcm.gov.vn"],
    ["binhtan", ["--name", "Bình Hưng Hòa A", "--kind", "commune"], "ubnd.binhhunghoaa.bt@tphcm.gov.vn"],
    ["ninhbinh", ["--name", "Ninh Hải", "--parent", "hoalu"], "ninhhai.hoalu@ninhbinh.gov.vn"],
    ["phuyen", ["--name", "Sơn Nguyên", "--parent", "sonhoa"], "sonnguyen.sonhoa@phuyen.gov.vn"],
    // phuyen Điều 4.1c's own example, a listed exception of the profile.
    ["phuyen", ["--name", "Hòa An", "--parent", "phuhoa"], "hoan.phuhoa@phuyen.gov.vn"],
    // ninhbinh Điều 5.1a–b fixed forms.
    ["ninhbinh", ["--name", "Ủy ban nhân dân tỉnh Ninh Bình", "--kind", "agency"], "ubnd@ninhbinh.gov.vn"],
    ["ninhbinh", ["--name", "thành phố Ninh Bình"], "tpb@ninhbinh.gov.vn"],
  ])("%s %j → %s", async (profile, args, address) => {
    const r = await cli("address", "unit", "--profile", profile, ...args, "--json");
    expect(r.code).toBe(0);
    expect(r.json.address).toBe(address);
  });

  it("two units never share an address: refused (exit 1), then an operator override", async () => {
    const refused = await cli(
      "address",
      "unit",
      "--profile",
      "phuyen",
      "--name",
      "Hòa An",
      "--parent",
      "phuhoa",
      "--taken",
      "hoan.phuhoa@phuyen.gov.vn",
      "--json",
    );
    expect(refused.code).toBe(1);
    expect(JSON.stringify(refused.json)).toContain("--override");
    const chosen = await cli(
      "address",
      "unit",
      "--profile",
      "phuyen",
      "--name",
      "Hòa An",
      "--parent",
      "phuhoa",
      "--taken",
      "hoan.phuhoa@phuyen.gov.vn",
      "--override",
      "hoaan.phuhoa",
      "--json",
    );
    expect(chosen.code).toBe(0);
    expect(chosen.json.address).toBe("hoaan.phuhoa@phuyen.gov.vn");
  });

  it("mic Điều 5.4b: a namesake without a unit gets the permutations, not an error", async () => {
    const r = await cli(
      "address",
      "personal",
      "--profile",
      "mic",
      "--name",
      "Đỗ Văn Bê",
      "--taken",
      "dvbe@mic.gov.vn",
      "--json",
    );
    expect(r.code).toBe(0);
    expect(r.json.address).toBe("vdbe@mic.gov.vn");
    expect(r.json.alternatives).toContain("bedv@mic.gov.vn");
  });

  it("look-alike letters are read; a zero-width glue is refused (issue 9 item 7)", async () => {
    const eth = await cli("address", "personal", "--profile", "mic", "--name", "Ðỗ Văn Bê", "--json");
    expect(eth.json.address).toBe("dvbe@mic.gov.vn");
    const glued = await cli(
      "address",
      "personal",
      "--profile",
      "mic",
      "--name",
      "Nguyễn\u200bVăn An",
      "--json",
    );
    expect(glued.code).toBe(1);
    expect(JSON.stringify(glued.json)).toContain("U+200B");
  });
});

describe("mailbot lifecycle: the issue's date examples", () => {
  // Bộ luật Dân sự Điều 147–148: the months end at the close of the last day; the date shown
  // stays that day.
  it("mic department head left 31/08/2026: send lock after 30/09, revoke after 31/08/2027", async () => {
    const r = await cli(
      "lifecycle",
      "leaver",
      "--profile",
      "mic",
      "--level",
      "department",
      "--left",
      "2026-08-31",
      "--json",
    );
    expect(r.json).toEqual({
      sendLockOn: "2026-09-30",
      sendLockAt: "2026-10-01T00:00:00+07:00",
      revokeOn: "2027-08-31",
      revokeAt: "2027-09-01T00:00:00+07:00",
      enforce: "act",
    });
  });

  // ninhbinh Điều 7.2: 05 days from the decision (Sat 05/09 → Mon 07/09, Điều 148.3), then 03
  // working days from receipt.
  it("ninhbinh decision 31/08/2026: the agency asks by 07/09, the Sở terminates by 10/09 17:00", async () => {
    const r = await cli(
      "lifecycle",
      "leaver",
      "--profile",
      "ninhbinh",
      "--level",
      "staff",
      "--left",
      "2026-08-31",
      "--json",
    );
    expect(r.json).toMatchObject({
      agencyRequestBy: "2026-09-07",
      revokeAt: "2026-09-10T17:00:00+07:00",
      sendLockAt: null,
    });
    const text = await cli(
      "lifecycle",
      "leaver",
      "--profile",
      "ninhbinh",
      "--level",
      "staff",
      "--left",
      "2026-08-31",
    );
    expect(text.text).toContain("chậm nhất hết ngày 07/09/2026");
    expect(text.text).toContain("Điều 7.2 Quy chế dự thảo 2020");
  });

  it("binhtan and soctrang: remind only, nothing locked or revoked", async () => {
    for (const profile of ["binhtan", "soctrang"]) {
      const leaver = await cli(
        "lifecycle",
        "leaver",
        "--profile",
        profile,
        "--level",
        "staff",
        "--left",
        "2026-08-31",
        "--json",
      );
      expect(leaver.json.enforce).toBe("remind");
      const idle = await cli(
        "lifecycle",
        "inactivity",
        "--profile",
        profile,
        "--last-activity",
        "2026-05-20",
      );
      expect(idle.text).toContain("chỉ nhắc");
    }
  });

  it("ninhbinh inactivity: last login 20/05/2026 → suspended after 20/11, removal by 11/12 17:00", async () => {
    const r = await cli(
      "lifecycle",
      "inactivity",
      "--profile",
      "ninhbinh",
      "--last-activity",
      "2026-05-20",
      "--json",
    );
    expect(r.json).toEqual({
      lockOn: "2026-11-20",
      lockAt: "2026-11-21T00:00:00+07:00",
      enforce: "act",
      removeAt: "2026-12-11T17:00:00+07:00",
    });
  });
});

describe("mailbot workdays: the issue's working-day examples", () => {
  it("Sat 05/09/2026 is a day off, so ninhbinh's 5 days end on Mon 07/09; +3 working days = 10/09", async () => {
    const sat = await cli("workdays", "is", "2026-09-05", "--json");
    expect(sat.json).toMatchObject({ working: false });
    const add = await cli("workdays", "add", "--from", "2026-09-07T10:00:00+07:00", "--days", "3", "--json");
    expect(add.json).toEqual({ deadline: "2026-09-10T17:00:00+07:00" });
  });
  it("ninhbinh Điều 13.6 'trước ngày 15 tháng 12': 14/12/2026 is a working day", async () => {
    const r = await cli("workdays", "is", "2026-12-14", "--json");
    expect(r.json).toMatchObject({ working: true });
  });
});
