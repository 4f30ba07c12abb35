// `remind run` names its recipients (person and unit, or the support group), and without
// SUPPORT_CHAT_ID it warns and counts the support group's items instead of dropping them silently.
// In-process on one embedded PGlite folder: the demo data, one person linked to Telegram, one
// message waiting for their answer.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runCliInProcess, type Run } from "../helpers/cli.ts";
import { seedPgliteDir } from "../helpers/db.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";

let dir = "";
const AT = "2026-12-03T09:00";
// The demo data's own clock, the day before AT: its activity, requests and deadlines count from
// it, so what is due at AT does not depend on the day the test runs.
const SEEDED_AT = "2026-12-02T10:00";

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite"), ...env } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-remind-cli-"));
  await seedPgliteDir(join(dir, "pglite"));
  const seeded = await cli(["seed", "demo", "--at", SEEDED_AT]);
  expect(seeded.code, seeded.stderr).toBe(0);
  // Trần Quốc Bảo links his Telegram account (fixture: what /start <code> writes).
  const database = await openDatabase({ dataDir: join(dir, "pglite") });
  try {
    await database.execute("update staff set telegram_user_id = 800000001 where full_name = 'Trần Quốc Bảo'");
  } finally {
    await database.close();
  }
  const file = join(dir, "thu.jsonl");
  writeFileSync(
    file,
    '{"messageId":"<m1@x>","address":"tranquocbao@phuyen.gov.vn","sender":"vanphong@phuyen.gov.vn","subject":"Báo cáo tháng","receivedAt":"2026-11-20T08:00:00+07:00"}\n',
  );
  const imported = await cli(["activity", "import", file]);
  expect(imported.code, imported.stdout + imported.stderr).toBe(0);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("remind run names recipients", { timeout: 300_000 }, () => {
  it("--dry-run without SUPPORT_CHAT_ID: a warning with the count, the group's items shown, people by name", async () => {
    const r = await cli(["remind", "run", "--dry-run", "--at", AT]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^Cảnh báo: chưa đặt SUPPORT_CHAT_ID \(mã nhóm Telegram của bộ phận hỗ trợ\) nên nhắc việc cho nhóm hỗ trợ .* không gửi được: lượt này sẽ bỏ [1-9]\d* mục\. Đặt biến này trong \.env cho cả bot và lệnh\.$/,
    );
    expect(lines).toContain("→ Trần Quốc Bảo (Sở Thông tin và Truyền thông):");
    expect(lines).toContain("→ nhóm hỗ trợ (CHƯA ĐẶT SUPPORT_CHAT_ID: sẽ không được gửi):");
    expect(r.stdout).not.toMatch(/→ chat \d/);
  });

  it("--dry-run with SUPPORT_CHAT_ID: no warning, the group named as such; --json lists the recipients", async () => {
    const env = { SUPPORT_CHAT_ID: "-1001234567890" };
    const r = await cli(["remind", "run", "--dry-run", "--at", AT], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("Cảnh báo");
    expect(r.stdout.split("\n")).toContain("→ nhóm hỗ trợ:");
    const json = JSON.parse(
      (await cli(["remind", "run", "--dry-run", "--at", AT, "--json"], env)).stdout,
    ) as {
      recipients: { chatId: number; name: string }[];
      warnings: string[];
    };
    expect(json.warnings).toEqual([]);
    expect(json.recipients.map((x) => x.name).sort()).toEqual([
      "Trần Quốc Bảo (Sở Thông tin và Truyền thông)",
      "nhóm hỗ trợ",
    ]);
  });

  it("a real run without SUPPORT_CHAT_ID sends to the people, warns and counts what the group did not get", async () => {
    const api = await new FakeBotApiServer().start();
    try {
      const r = await cli(["remind", "run", "--at", AT, "--json"], {
        TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
        TELEGRAM_API_ROOT: api.apiRoot,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as { warnings: string[]; supportItemsNotSent: number };
      expect(json.supportItemsNotSent).toBeGreaterThan(0);
      expect(json.warnings[0]).toContain(`lượt này đã bỏ ${json.supportItemsNotSent} mục.`);
      const sentTo = api.calls
        .filter((c) => c.method === "sendMessage")
        .map((c) => Number(c.payload.chat_id));
      expect(sentTo).toEqual([800000001]);
    } finally {
      await api.stop();
    }
  });
});
