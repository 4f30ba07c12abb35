// `mailbot outage add|list|cancel` through the CLI router, in-process, on one embedded PGlite
// folder: mic Điều 10.3 / phuyen Điều 8.1c notices need the outages recorded first. The steps
// share the folder (open once at a time), so they run in order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, type Run } from "../helpers/cli.ts";
import { seedPgliteDir } from "../helpers/db.ts";

let dir = "";
const cli = (args: string[]): Promise<Run> =>
  runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite") } });
const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-outage-cli-"));
  await seedPgliteDir(join(dir, "pglite"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Far enough ahead that the test's real clock is always before it.
const FROM = "2099-12-14T08:00";
const TO = "2099-12-14T12:00";

describe("mailbot outage", { timeout: 180_000 }, () => {
  let id = 0;
  it("add: records it, audited, with the last day to notify under the profile's article", async () => {
    const r = await cli([
      "outage",
      "add",
      "--from",
      FROM,
      "--to",
      TO,
      "--reason",
      "Nâng cấp máy chủ thư",
      "--profile",
      "mic",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { created: boolean; outage: Record<string, unknown> };
    expect(out.created).toBe(true);
    expect(out.outage).toMatchObject({
      profile: "mic",
      from: "2099-12-14T08:00:00+07:00",
      to: "2099-12-14T12:00:00+07:00",
      reason: "Nâng cấp máy chủ thư",
      // Monday 14/12/2099: Wed 09, Thu 10, Fri 11 in between → Tuesday 08/12.
      noticeBy: "2099-12-08",
      article: "Điều 10.3",
      cancelled: false,
    });
    id = out.outage.id as number;
    const text = await cli(["outage", "list"]);
    expect(text.stdout).toContain(`#${id} 14/12/2099 08:00 → 14/12/2099 12:00 (mic): Nâng cấp máy chủ thư`);
    expect(text.stdout).toContain("thông báo chậm nhất 08/12/2099 (Điều 10.3)");
  });

  it("add again (a retry): not recorded twice", async () => {
    const r = await cli([
      "outage",
      "add",
      "--from",
      FROM,
      "--to",
      TO,
      "--reason",
      "Nâng cấp máy chủ thư",
      "--profile",
      "mic",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`đã được ghi nhận trước đó (#${id})`);
    // No SUPPORT_CHAT_ID in this environment: nobody would be reminded, and the operator is told.
    expect(r.stdout).toContain("Chưa đặt SUPPORT_CHAT_ID: bot sẽ không nhắc việc thông báo trước.");
    const list = json(await cli(["outage", "list", "--json"])) as { outages: unknown[] };
    expect(list.outages).toHaveLength(1);
  });

  it("bad input changes nothing: end before start, a start in the past, an unknown profile", async () => {
    const backwards = await cli([
      "outage",
      "add",
      "--from",
      TO,
      "--to",
      FROM,
      "--reason",
      "Bảo trì",
      "--json",
    ]);
    expect(backwards.code).toBe(1);
    expect(JSON.stringify(json(backwards))).toContain("Thời điểm kết thúc phải sau thời điểm bắt đầu");
    const past = await cli([
      "outage",
      "add",
      "--from",
      "2020-01-06T08:00",
      "--to",
      "2020-01-06T09:00",
      "--reason",
      "Bảo trì",
      "--json",
    ]);
    expect(past.code).toBe(1);
    expect(JSON.stringify(json(past))).toContain("Thời điểm bắt đầu đã qua");
    const unknown = await cli([
      "outage",
      "add",
      "--from",
      FROM,
      "--to",
      TO,
      "--reason",
      "Bảo trì",
      "--profile",
      "hanoi",
    ]);
    expect(unknown.code).toBe(2);
    const missing = await cli(["outage", "add", "--to", TO, "--reason", "Bảo trì"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr + missing.stdout).toContain("Thiếu --from");
    const list = json(await cli(["outage", "list", "--json"])) as { outages: unknown[] };
    expect(list.outages).toHaveLength(1);
  });

  it("cancel: once, then it is no longer listed (still with --all); the audit chain holds", async () => {
    const first = await cli(["outage", "cancel", String(id), "--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ cancelled: true });
    const second = await cli(["outage", "cancel", String(id)]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("đã hủy trước đó");
    expect((json(await cli(["outage", "list", "--json"])) as { outages: unknown[] }).outages).toEqual([]);
    const all = json(await cli(["outage", "list", "--all", "--json"])) as {
      outages: { cancelled: boolean }[];
    };
    expect(all.outages.map((o) => o.cancelled)).toEqual([true]);
    const missing = await cli(["outage", "cancel", "9999"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toContain("Không có lịch tạm ngừng #9999");
    const audit = await cli(["audit", "verify", "--json"]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });
});
