/**
 * `npm start` as a real process: the console chat with piped input, long polling against the
 * fake Bot API server (TELEGRAM_API_ROOT), graceful SIGTERM, and exit code 2 on bad config.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { addStaff, addUnit, grant } from "../services/fixtures.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailbot-proc-"));
  dirs.push(dir);
  return dir;
}

// A child still running when its test failed or timed out is killed, so it cannot hold a PGlite
// lock or a port for the tests after it.
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function startMain(env: Record<string, string>): {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
} {
  const base = { ...process.env };
  for (const key of Object.keys(base)) {
    if (/^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|DATA_DIR|LOG_LEVEL|SUPPORT_CHAT_ID)/.test(key))
      delete base[key];
  }
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  children.push(child);
  return { child, out: () => out, err: () => err, exit };
}

describe("npm start", () => {
  it("exits 2 with every bad variable named", async () => {
    const run = startMain({ PORT: "eighty", BOT_MODE: "fax", DATA_DIR: tempDir() });
    run.child.stdin!.end();
    expect(await run.exit).toBe(2);
    expect(run.err()).toMatch(/PORT/);
    expect(run.err()).toMatch(/BOT_MODE/);
  });

  it("console chat: piped lines become updates, replies come back in Vietnamese", async () => {
    const dataDir = tempDir();
    // A staff member in the embedded database, so `/as` can link them through the real /start flow.
    const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
    await migrateDatabase(database);
    const unit = await addUnit(database, { name: "Sở Thông tin và Truyền thông" });
    const person = await addStaff(database, { unitId: unit.id, fullName: "Phạm Văn Hùng" });
    await grant(database, person.id, "support", null);
    await database.close();

    const run = startMain({ DATA_DIR: dataDir });
    run.child.stdin!.end(
      ["/start", "/huy", "xin chào", "/as Phạm Văn Hùng", "/help", "/nhom", "/help", "/thoat", ""].join("\n"),
    );
    expect(await run.exit).toBe(0);
    const out = run.out();
    expect(out).toContain("Xin chào! Đây là Mailbot");
    expect(out).toContain("Tài khoản Telegram này chưa được liên kết");
    expect(out).toContain("Đã liên kết tài khoản Telegram với cán bộ Phạm Văn Hùng");
    expect(out).toMatch(/Phạm Văn Hùng — vai trò: cán bộ, bộ phận hỗ trợ\./);
    expect(out).toContain("(Đang ở nhóm hỗ trợ");
  }, 180_000);

  it("long polling against a fake Bot API: commands registered, updates answered, SIGTERM stops cleanly", async () => {
    const fake = await new FakeBotApiServer().start();
    try {
      const run = startMain({
        TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
        TELEGRAM_API_ROOT: fake.apiRoot,
        DATA_DIR: tempDir(),
        SUPPORT_CHAT_ID: "-1001234567890",
        LOG_LEVEL: "info",
      });
      // Generous: a first start boots and migrates PGlite, slow on a busy machine (an event, not a sleep).
      const commands = await fake.waitFor((c) => c.method === "setMyCommands", 150_000);
      expect(JSON.stringify(commands.payload)).toContain("Các lệnh anh/chị có thể dùng");
      const user = { id: 650_001, is_bot: false, first_name: "Thảo" };
      fake.userSays(user, "/start");
      const reply = await fake.waitFor(
        (c) => c.method === "sendMessage" && c.payload.chat_id === user.id,
        60_000,
      );
      expect(String(reply.payload.text)).toContain("Xin chào! Đây là Mailbot");
      run.child.kill("SIGTERM");
      expect(await run.exit).toBe(0);
      expect(run.out()).toContain("long polling stopped");
    } finally {
      await fake.stop();
    }
  }, 300_000);
});
