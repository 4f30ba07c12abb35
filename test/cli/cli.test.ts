// The CLI's contract (exit codes, stdout discipline, secrecy), run in-process through the router;
// the "real process" block at the end spawns the entry point for what only a process shows.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mic } from "../../src/policy/profiles/mic.ts";
import { runCliInProcess, spawnCli, type Run } from "../helpers/cli.ts";

function cli(args: string[], stdin?: string): Promise<Run> {
  return runCliInProcess(args, stdin === undefined ? {} : { stdin });
}

/** stdout must be exactly one JSON object (one line) and nothing else. */
function oneJson(r: Run): Record<string, unknown> {
  const text = r.stdout.trim();
  expect(text.split("\n")).toHaveLength(1);
  const value: unknown = JSON.parse(text);
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

describe.concurrent("mailbot CLI", () => {
  describe("address", () => {
    it("personal: mic collision takes the unit suffix, alternatives listed", async () => {
      const r = await cli([
        "address",
        "personal",
        "--profile",
        "mic",
        "--name",
        "Đỗ Văn Bê",
        "--unit",
        "cntt",
        "--taken",
        "dvbe@mic.gov.vn",
        "--json",
      ]);
      expect(r.code).toBe(0);
      const j = oneJson(r);
      expect(j).toMatchObject({ address: "dvbe.cntt@mic.gov.vn", localPart: "dvbe.cntt" });
      expect(Object.keys(j).sort()).toEqual(["address", "alternatives", "localPart", "rule", "ruleId"]);
      expect(Array.isArray(j.alternatives)).toBe(true);
    });

    it("personal: phuyen birth-year collision; a bare local part counts as taken", async () => {
      const r = await cli([
        "address",
        "personal",
        "--profile",
        "phuyen",
        "--name",
        "Nguyễn Văn A",
        "--birth",
        "1979-03-05",
        "--taken",
        "nguyenvana",
        "--json",
      ]);
      expect(r.code).toBe(0);
      expect(oneJson(r).address).toBe("nguyenvana79@phuyen.gov.vn");
    });

    it("personal: a rule rejection exits 1 with the reason", async () => {
      const r = await cli(["address", "personal", "--profile", "mic", "--name", "Nguyen 123", "--json"]);
      expect(r.code).toBe(1);
      const j = oneJson(r);
      expect(j.ok).toBe(false);
      expect(j.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    });

    it("personal: missing birth date for a phuyen collision exits 1", async () => {
      const r = await cli([
        "address",
        "personal",
        "--profile",
        "phuyen",
        "--name",
        "Nguyễn Văn A",
        "--taken",
        "nguyenvana",
        "--json",
      ]);
      expect(r.code).toBe(1);
      expect(oneJson(r).error).toMatchObject({ code: "missing_birth_date" });
    });

    it("unit: mic symbol with invalid characters", async () => {
      const r = await cli(["address", "unit", "--profile", "mic", "--abbr", "PTTH&TTĐT", "--json"]);
      expect(r.code).toBe(0);
      const j = oneJson(r);
      expect(j).toMatchObject({ address: "ptth_ttdt@mic.gov.vn", localPart: "ptth_ttdt" });
      expect(Object.keys(j).sort()).toEqual(["address", "localPart", "rule"]);
    });

    it("unit: phuyen commune with --name and --parent", async () => {
      const r = await cli([
        "address",
        "unit",
        "--profile",
        "phuyen",
        "--name",
        "Hòa An",
        "--parent",
        "phuhoa",
        "--json",
      ]);
      expect(oneJson(r).address).toBe("hoan.phuhoa@phuyen.gov.vn");
    });

    it("unit: --abbr and --name together is bad usage", async () => {
      const r = await cli(["address", "unit", "--profile", "mic", "--abbr", "X", "--name", "Y", "--json"]);
      expect(r.code).toBe(2);
      expect(oneJson(r).error).toMatchObject({ code: "usage" });
    });
  });

  describe("password", () => {
    const SECRET = "Zq7#Kp2mWx!v";

    it("check: a good password from stdin; the password appears nowhere", async () => {
      const r = await cli(["password", "check", "--profile", "phuyen", "--json"], `${SECRET}\n`);
      expect(r.code).toBe(0);
      expect(oneJson(r)).toEqual({ ok: true });
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    });

    it("check: only the first line of stdin is the password", async () => {
      const r = await cli(["password", "check", "--profile", "phuyen", "--json"], `${SECRET}\r\nabc\n`);
      expect(r.code).toBe(0);
    });

    it("check: the regulation's own example is rejected with every violation listed", async () => {
      const r = await cli(["password", "check", "--profile", "phuyen", "--json"], "Matkhou@123\n");
      expect(r.code).toBe(1);
      const j = oneJson(r);
      expect(j.ok).toBe(false);
      expect(j.violations).toEqual([{ code: "common_password", message: expect.any(String) }]);
      expect(r.stdout + r.stderr).not.toContain("Matkhou@123");
    });

    it("check: name, address and role are taken into account", async () => {
      const pw = "Annv#Zq7Kp2";
      const r = await cli(
        [
          "password",
          "check",
          "--profile",
          "ninhbinh",
          "--role",
          "admin",
          "--name",
          "Nguyễn Văn An",
          "--address",
          "annv.stttt@ninhbinh.gov.vn",
          "--json",
        ],
        `${pw}\n`,
      );
      expect(r.code).toBe(1);
      const codes = (oneJson(r).violations as { code: string }[]).map((v) => v.code);
      expect(codes).toEqual(expect.arrayContaining(["contains_address"]));
      expect(r.stdout + r.stderr).not.toContain(pw);
    });

    it("check: human output does not echo the password either", async () => {
      const r = await cli(["password", "check", "--profile", "binhtan"], "short\n");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Mật khẩu phải có ít nhất 8 ký tự");
      expect(r.stdout + r.stderr).not.toContain("short");
    });

    it("check: a password given in argv is refused and not echoed", async () => {
      const r = await cli(["password", "check", "--profile", "phuyen", SECRET, "--json"], "");
      expect(r.code).toBe(2);
      expect(oneJson(r).error).toMatchObject({ code: "usage" });
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      const r2 = await cli(
        ["password", "check", "--profile", "phuyen", `--password=${SECRET}`, "--json"],
        "",
      );
      expect(r2.code).toBe(2);
      expect(r2.stdout + r2.stderr).not.toContain(SECRET);
    });

    it("check: empty stdin is bad usage", async () => {
      const r = await cli(["password", "check", "--profile", "phuyen", "--json"], "");
      expect(r.code).toBe(2);
      expect(oneJson(r).error).toMatchObject({ code: "usage" });
    });

    it("generate: a compliant password that passes check", async () => {
      const r = await cli(["password", "generate", "--profile", "ninhbinh", "--role", "admin", "--json"]);
      expect(r.code).toBe(0);
      const { password } = oneJson(r) as { password: string };
      expect(password.length).toBeGreaterThanOrEqual(10);
      const check = await cli(
        ["password", "check", "--profile", "ninhbinh", "--role", "admin", "--json"],
        `${password}\n`,
      );
      expect(check.code).toBe(0);
    });
  });

  describe("workdays", () => {
    it("add: across Tết 2026", async () => {
      const r = await cli([
        "workdays",
        "add",
        "--from",
        "2026-02-13T16:00:00+07:00",
        "--days",
        "1",
        "--json",
      ]);
      expect(r.code).toBe(0);
      expect(oneJson(r)).toEqual({ deadline: "2026-02-23T17:00:00+07:00" });
    });

    it("add: a UTC instant is placed on its Vietnam day", async () => {
      // 2026-02-12T20:00Z = 13/2 03:00 in Vietnam.
      const r = await cli([
        "workdays",
        "add",
        "--from",
        "2026-02-12T20:00:00Z",
        "--days",
        "1",
        "--profile",
        "mic",
        "--json",
      ]);
      expect(oneJson(r)).toEqual({ deadline: "2026-02-23T17:00:00+07:00" });
    });

    it("add: invalid date and missing value are bad usage", async () => {
      for (const args of [
        ["workdays", "add", "--from", "2026-02-30T10:00", "--days", "1", "--json"],
        ["workdays", "add", "--from", "2026-02-13", "--days", "--json"],
        ["workdays", "add", "--from", "2026-02-13", "--days", "-1", "--json"],
      ]) {
        const r = await cli(args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(oneJson(r).error).toMatchObject({ code: "usage" });
      }
    });

    it("is: a Tết day and a swapped working Saturday", async () => {
      const tet = await cli(["workdays", "is", "2026-02-16", "--json"]);
      expect(tet.code).toBe(0);
      expect(oneJson(tet)).toMatchObject({ date: "2026-02-16", working: false, reason: expect.any(String) });
      const swapped = await cli(["workdays", "is", "2026-08-22", "--json"]);
      expect(oneJson(swapped)).toMatchObject({ date: "2026-08-22", working: true });
    });

    it("is: an impossible date is bad usage", async () => {
      const r = await cli(["workdays", "is", "2026-02-30", "--json"]);
      expect(r.code).toBe(2);
      expect(oneJson(r).error).toMatchObject({ code: "usage" });
    });

    it("list: weekdays off and working weekend days", async () => {
      const r = await cli(["workdays", "list", "--year", "2026", "--json"]);
      expect(r.code).toBe(0);
      const j = oneJson(r) as { year: number; days: { date: string; name: string }[] };
      expect(j.year).toBe(2026);
      const dates = j.days.map((d) => d.date);
      expect(dates).toEqual(
        expect.arrayContaining(["2026-01-01", "2026-01-10", "2026-02-16", "2026-08-22", "2026-09-02"]),
      );
      expect(dates).not.toContain("2026-01-03");
      for (const d of j.days) expect(Object.keys(d).sort()).toEqual(["date", "name"]);
    });
  });

  describe("lifecycle", () => {
    it("leaver: mic department head", async () => {
      const r = await cli([
        "lifecycle",
        "leaver",
        "--profile",
        "mic",
        "--level",
        "department",
        "--left",
        "2026-08-31",
        "--json",
      ]);
      expect(r.code).toBe(0);
      // Bộ luật Dân sự Điều 148: the period closes at 24:00 of its last day, which stays the date shown.
      expect(oneJson(r)).toEqual({
        sendLockOn: "2026-09-30",
        sendLockAt: "2026-10-01T00:00:00+07:00",
        revokeOn: "2027-08-31",
        revokeAt: "2027-09-01T00:00:00+07:00",
        enforce: "act",
      });
    });

    it("leaver: mic staff, revoke clamped to 28 February", async () => {
      const r = await cli([
        "lifecycle",
        "leaver",
        "--profile",
        "mic",
        "--level",
        "staff",
        "--left",
        "2026-08-31",
        "--json",
      ]);
      expect(oneJson(r)).toMatchObject({
        sendLockAt: "2026-08-31T00:00:00+07:00",
        revokeOn: "2027-02-28",
        revokeAt: "2027-03-01T00:00:00+07:00",
      });
    });

    it("leaver: ninhbinh has no send lock", async () => {
      const r = await cli([
        "lifecycle",
        "leaver",
        "--profile",
        "ninhbinh",
        "--level",
        "staff",
        "--left",
        "2026-08-31",
        "--json",
      ]);
      // Điều 7.2: 5 days from the decision end Sat 5/9 → Mon 7/9 (Civil Code Art. 148.3), + 3 WD.
      expect(oneJson(r)).toMatchObject({ sendLockAt: null, revokeAt: "2026-09-10T17:00:00+07:00" });
    });

    it("leaver: a wrong level is bad usage", async () => {
      const r = await cli([
        "lifecycle",
        "leaver",
        "--profile",
        "mic",
        "--level",
        "boss",
        "--left",
        "2026-08-31",
        "--json",
      ]);
      expect(r.code).toBe(2);
      expect(oneJson(r).error).toMatchObject({ code: "usage" });
    });

    it("inactivity: lockAt, plus removeAt for ninhbinh only", async () => {
      const m = await cli([
        "lifecycle",
        "inactivity",
        "--profile",
        "mic",
        "--last-activity",
        "2026-01-15",
        "--json",
      ]);
      expect(oneJson(m)).toEqual({
        lockOn: "2026-07-15",
        lockAt: "2026-07-16T00:00:00+07:00",
        enforce: "act",
      });
      const n = await cli([
        "lifecycle",
        "inactivity",
        "--profile",
        "ninhbinh",
        "--last-activity",
        "2026-01-15",
        "--json",
      ]);
      expect(oneJson(n)).toEqual({
        lockOn: "2026-07-15",
        lockAt: "2026-07-16T00:00:00+07:00",
        enforce: "act",
        removeAt: "2026-08-06T17:00:00+07:00",
      });
    });
  });

  describe("profile", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailbot-cli-"));
    const good = join(dir, "good.json");
    const bad = join(dir, "bad.json");
    writeFileSync(good, JSON.stringify({ ...mic, id: "hanoi", domain: "hanoi.gov.vn" }));
    writeFileSync(
      bad,
      JSON.stringify({
        ...mic,
        passwords: { ...mic.passwords, user: { ...mic.passwords.user, minLength: 0 } },
      }),
    );

    it("show: a built-in profile", async () => {
      const r = await cli(["profile", "show", "phuyen", "--json"]);
      expect(r.code).toBe(0);
      expect((oneJson(r).profile as { id: string }).id).toBe("phuyen");
    });

    it("show: an unknown profile is bad usage", async () => {
      const r = await cli(["profile", "show", "hanoi", "--json"]);
      expect(r.code).toBe(2);
    });

    it("check: a valid file", async () => {
      const r = await cli(["profile", "check", good, "--json"]);
      expect(r.code).toBe(0);
      expect(oneJson(r)).toEqual({ ok: true, id: "hanoi" });
    });

    it("check: an invalid file lists each zod path", async () => {
      const r = await cli(["profile", "check", bad, "--json"]);
      expect(r.code).toBe(1);
      const j = oneJson(r) as { ok: boolean; issues: { path: string; message: string }[] };
      expect(j.ok).toBe(false);
      expect(j.issues.map((i) => i.path)).toContain("passwords.user.minLength");
      const human = await cli(["profile", "check", bad]);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain("passwords.user.minLength");
    });

    it("check: a missing file is bad usage", async () => {
      const r = await cli(["profile", "check", join(dir, "nope.json"), "--json"]);
      expect(r.code).toBe(2);
    });

    it("--profile-file loads an operator profile for any command", async () => {
      const r = await cli([
        "--profile-file",
        good,
        "address",
        "unit",
        "--profile",
        "hanoi",
        "--abbr",
        "STTTT",
        "--json",
      ]);
      expect(r.code).toBe(0);
      expect(oneJson(r).address).toBe("stttt@hanoi.gov.vn");
      const implicit = await cli([
        "lifecycle",
        "leaver",
        "--profile-file",
        good,
        "--level",
        "staff",
        "--left",
        "2026-08-31",
        "--json",
      ]);
      expect(implicit.code).toBe(0);
    });

    it("--profile-file with an invalid file is bad usage and lists the issues", async () => {
      const r = await cli(["--profile-file", bad, "workdays", "is", "2026-01-01", "--json"]);
      expect(r.code).toBe(2);
      const j = oneJson(r) as { error: { code: string }; issues: { path: string }[] };
      expect(j.error.code).toBe("usage");
      expect(j.issues.map((i) => i.path)).toContain("passwords.user.minLength");
    });
  });

  describe("usage and help", () => {
    it("unknown command, unknown flag, missing subcommand: exit 2 with one JSON object", async () => {
      for (const args of [
        ["frobnicate", "--json"],
        ["workdays", "is", "2026-01-01", "--bogus", "--json"],
        ["address", "--json"],
        ["--json"],
      ]) {
        const r = await cli(args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(oneJson(r).error).toMatchObject({ code: "usage", message: expect.any(String) });
      }
    });

    it("human usage errors go to stderr, stdout stays empty", async () => {
      const r = await cli(["frobnicate"]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("frobnicate");
    });

    it("--help in Vietnamese and English, on every command", async () => {
      const top = await cli(["--help"]);
      expect(top.code).toBe(0);
      const commands = [
        ["address", "personal"],
        ["address", "unit"],
        ["password", "check"],
        ["password", "generate"],
        ["workdays", "add"],
        ["workdays", "is"],
        ["workdays", "list"],
        ["lifecycle", "leaver"],
        ["lifecycle", "inactivity"],
        ["profile", "show"],
        ["profile", "check"],
      ];
      for (const c of commands) expect(top.stdout).toContain(c.join(" "));
      const helps = await Promise.all(commands.map((c) => cli([...c, "--help"])));
      for (const h of helps) {
        expect(h.code).toBe(0);
        expect(h.stdout).toContain("Cách dùng / Usage");
        expect(h.stdout).toContain("Tùy chọn / Options");
      }
      const json = await cli(["workdays", "is", "--help", "--json"]);
      expect(typeof oneJson(json).help).toBe("string");
    });
  });
});

// A few checks of the real entry point (src/cli.ts): a process, its exit code and its streams.
describe.concurrent("mailbot CLI as a process", { timeout: 120_000 }, () => {
  it("a pure command: exit 0 and exactly one JSON line on stdout", async () => {
    const r = await spawnCli(["workdays", "is", "2026-09-01", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(oneJson(r)).toMatchObject({ date: "2026-09-01", working: false });
  });

  it("a rule rejection exits 1 and the password read from stdin appears nowhere", async () => {
    const r = await spawnCli(["password", "check", "--profile", "phuyen", "--json"], {
      stdin: "Matkhou@123\n",
    });
    expect(r.code).toBe(1);
    expect(oneJson(r).ok).toBe(false);
    expect(r.stdout + r.stderr).not.toContain("Matkhou@123");
  });

  it("a bad configuration variable stops it with exit 2, naming the variable", async () => {
    const r = await spawnCli(["workdays", "is", "2026-09-01"], {
      env: { ...process.env, CULTURE_DAY_FROM: "24/11/2027", LOG_LEVEL: "warn" },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("CULTURE_DAY_FROM");
    expect(r.stdout).toBe("");
  });
});
