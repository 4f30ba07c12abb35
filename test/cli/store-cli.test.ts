// The store commands (migrate, import, seed demo, link-code, role, leaver) through the CLI router,
// in-process, on one embedded PGlite folder (PGLITE_DIR). The steps build on each other and share
// the folder, which may be open only once at a time, so they run in order, not concurrently.
// The real entry point is spawned by test/cli/cli.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, type Run } from "../helpers/cli.ts";

let dir = "";

/** The embedded database of this file, never a server the shell happens to point at. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite"), ...env } });
}

/** stdout must be exactly one JSON object (one line) and nothing else. */
function oneJson(r: Run): Record<string, unknown> {
  const text = r.stdout.trim();
  expect(text.split("\n"), r.stderr).toHaveLength(1);
  const value: unknown = JSON.parse(text);
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

interface Report {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  written: boolean;
  errors: { line: number; code?: string; reason: string }[];
}

const ADDRESS = "tnan.cli@phuyen.gov.vn";

// A BOM, Vietnamese text, and one bad row (line 4: unknown unit kind).
const UNITS_CSV =
  "\uFEFFma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so\n" +
  "CLI-SO,Sở Thử Nghiệm Dòng Lệnh,co_quan,sotndl,,phuyen\n" +
  "CLI-P1,Phòng Một,phong,p1,CLI-SO,phuyen\n" +
  "CLI-BAD,Đơn vị Lỗi,khong_ro,loi,,phuyen\n" +
  "CLI-P2,Phòng Hai,phong,p2,CLI-SO,phuyen\n";

const STAFF_CSV =
  "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email\n" +
  `CLI-CB1,Tôn Nữ Ẩn,1988-04-09,CLI-P1,nhan_vien,bien_che,,${ADDRESS}\n` +
  "CLI-CB2,Âu Văn Bê,1979-11-30,CLI-P2,lanh_dao_phong,hop_dong,24,\n";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-store-cli-"));
  writeFileSync(join(dir, "units.csv"), UNITS_CSV);
  writeFileSync(join(dir, "staff.csv"), STAFF_CSV);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mailbot store commands", { timeout: 120_000 }, () => {
  it("migrate: exit 0 and one JSON object; bad usage: exit 2 before opening the database", async () => {
    // The usage error never opens the database, so it may run beside migrate.
    const [migrated, usage] = await Promise.all([
      cli(["migrate", "--json"]),
      cli(["role", "grant", "--staff", "1", "--role", "boss", "--json"]),
    ]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(oneJson(migrated)).toEqual({ migrated: true, database: join(dir, "pglite") });

    expect(usage.code).toBe(2);
    expect(oneJson(usage)).toMatchObject({ ok: false, error: { code: "usage" } });
  });

  it("import units: a bad row writes nothing; --skip-bad writes the rest; re-import changes nothing", async () => {
    const file = join(dir, "units.csv");

    const refused = await cli(["import", "units", file, "--json"]);
    expect(refused.code, refused.stderr).toBe(1);
    const refusal = oneJson(refused) as { ok: boolean; error: { code: string }; report: Report };
    expect(refusal).toMatchObject({ ok: false, error: { code: "bad_rows" } });
    expect(refusal.report).toMatchObject({ rows: 4, written: false, created: 0 });
    expect(refusal.report.errors).toHaveLength(1);
    expect(refusal.report.errors[0]).toMatchObject({ line: 4, code: "CLI-BAD" });
    expect(refusal.report.errors[0]?.reason).toContain("khong_ro");

    // All three good rows are new: the refused run wrote nothing.
    const skipped = await cli(["import", "units", file, "--skip-bad", "--json"]);
    expect(skipped.code, skipped.stderr).toBe(0);
    const written = (oneJson(skipped) as { report: Report }).report;
    expect(written).toMatchObject({ rows: 4, written: true, created: 3, updated: 0, unchanged: 0 });
    expect(written.errors.map((e) => e.line)).toEqual([4]);

    const again = await cli(["import", "units", file, "--skip-bad", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect((oneJson(again) as { report: Report }).report).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 3,
    });
  });

  it("import staff (plain text output)", async () => {
    const r = await cli(["import", "staff", join(dir, "staff.csv")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Đã nhập 2 dòng: 2 mới");
  });

  it("link-code prints a t.me link when BOT_USERNAME is set; an unknown staff member is exit 1", async () => {
    const r = await cli(["link-code", "--staff", ADDRESS, "--ttl-hours", "2"], {
      BOT_USERNAME: "@mailbot_test_bot",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/https:\/\/t\.me\/mailbot_test_bot\?start=[A-Za-z0-9]{12}\b/);

    const unknown = await cli(["link-code", "--staff", "khongco@phuyen.gov.vn", "--json"]);
    expect(unknown.code, unknown.stderr).toBe(1);
    expect(oneJson(unknown)).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  it("role grant then revoke, scoped to a unit by its import code", async () => {
    const granted = await cli([
      "role",
      "grant",
      "--staff",
      ADDRESS,
      "--role",
      "clerk",
      "--unit",
      "CLI-P1",
      "--json",
    ]);
    expect(granted.code, granted.stderr).toBe(0);
    const grant = oneJson(granted);
    expect(grant).toMatchObject({ ok: true, role: "clerk" });
    expect(typeof grant.unitId).toBe("number");

    const revoked = await cli([
      "role",
      "revoke",
      "--staff",
      ADDRESS,
      "--role",
      "clerk",
      "--unit",
      "CLI-P1",
      "--json",
    ]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(oneJson(revoked)).toEqual(grant);
  });

  it("leaver schedules the revocation of the person's mailbox", async () => {
    const r = await cli(["leaver", "--staff", ADDRESS, "--left", "2026-12-31", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = oneJson(r);
    expect(json).toMatchObject({ leftOn: "2026-12-31", mailboxes: [ADDRESS] });
    expect(Date.parse(String(json.revokeAt))).toBeGreaterThan(Date.parse("2026-12-31"));
  });

  it("mover updates the unit; holiday add is idempotent, list shows it, remove takes it away", async () => {
    const moved = await cli(["mover", "--staff", ADDRESS, "--unit", "CLI-P2", "--json"]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(oneJson(moved)).toMatchObject({ ok: true });
    const unknownUnit = await cli(["mover", "--staff", ADDRESS, "--unit", "NOPE", "--json"]);
    expect(unknownUnit.code).toBe(1);

    const day = ["--date", "2027-02-12", "--kind", "off", "--name", "Nghỉ Tết bổ sung", "--json"];
    const first = await cli(["holiday", "add", ...day]);
    expect(first.code, first.stderr).toBe(0);
    expect(oneJson(first)).toMatchObject({ changed: true });
    const again = await cli(["holiday", "add", ...day]);
    expect(oneJson(again)).toMatchObject({ changed: false });
    const listed = oneJson(await cli(["holiday", "list", "--json"])) as { days: { date: string }[] };
    expect(listed.days.map((d) => d.date)).toEqual(["2027-02-12"]);
    const removed = await cli(["holiday", "remove", "--date", "2027-02-12", "--json"]);
    expect(oneJson(removed)).toMatchObject({ removed: true });
    const bad = await cli([
      "holiday",
      "add",
      "--date",
      "2027-02-30",
      "--kind",
      "off",
      "--name",
      "x",
      "--json",
    ]);
    expect(bad.code).toBe(2);
  });

  it("seed demo creates the demo directory beside the imported one", async () => {
    const r = await cli(["seed", "demo", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const json = oneJson(r) as { changed: boolean; staff: number; users: unknown[] };
    expect(json.changed).toBe(true);
    expect(json.staff).toBeGreaterThanOrEqual(50);
    expect(json.users.length).toBeGreaterThan(0);
  });
});
