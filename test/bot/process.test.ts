/**
 * `npm start` as a real process: the console chat with piped input, long polling against the
 * fake Bot API server (TELEGRAM_API_ROOT), graceful SIGTERM, and exit code 2 on bad config.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { seedPgliteDir } from "../helpers/db.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { cleanEnv, startNode, stopAllProcesses, type StartedProcess } from "../helpers/process.ts";
import { addStaff, addUnit, grant } from "../services/fixtures.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mailbot-proc-"));
  dirs.push(dir);
  return dir;
}

// A child still running when its test failed or timed out is killed (its whole group), so it
// cannot hold a PGlite lock or a port for the tests after it.
afterEach(stopAllProcesses);

function startMain(env: Record<string, string>, input?: string): StartedProcess {
  return startNode(["--import", "tsx", "src/main.ts"], {
    env: cleanEnv(/^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|DATA_DIR|LOG_LEVEL|SUPPORT_CHAT_ID)/, env),
    ...(input === undefined ? {} : { stdin: input }),
  });
}

describe("npm start", () => {
  it("exits 2 with every bad variable named", async () => {
    const run = startMain({ PORT: "eighty", BOT_MODE: "fax", DATA_DIR: tempDir() }, "");
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(/PORT/);
    expect(run.stderr()).toMatch(/BOT_MODE/);
  });

  it("console chat: piped lines become updates, replies come back in Vietnamese", async () => {
    const dataDir = tempDir();
    // A staff member in the embedded database, so `/as` can link them through the real /start flow.
    await seedPgliteDir(join(dataDir, "pglite"));
    const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
    const unit = await addUnit(database, { name: "Sở Thông tin và Truyền thông" });
    const person = await addStaff(database, { unitId: unit.id, fullName: "Phạm Văn Hùng" });
    await grant(database, person.id, "support", null);
    await database.close();

    const run = startMain(
      { DATA_DIR: dataDir },
      ["/start", "/huy", "xin chào", "/as Phạm Văn Hùng", "/help", "/nhom", "/help", "/thoat", ""].join("\n"),
    );
    expect((await run.exited).code).toBe(0);
    const out = run.stdout();
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
      expect((await run.stop()).code).toBe(0);
      expect(run.stdout()).toContain("long polling stopped");
    } finally {
      await fake.stop();
    }
  }, 300_000);

  it("long polling: killed while starting, no update is lost and the restart answers it once", async () => {
    // An existing embedded database, as on every start but the first.
    const dataDir = tempDir();
    await seedPgliteDir(join(dataDir, "pglite"));
    const fake = await new FakeBotApiServer().start();
    try {
      const user = { id: 650_002, is_bot: false, first_name: "Lan" };
      fake.userSays(user, "/start");
      const repliesTo = () =>
        fake.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === user.id);
      const env = { TELEGRAM_BOT_TOKEN: FAKE_TOKEN, TELEGRAM_API_ROOT: fake.apiRoot, DATA_DIR: dataDir };

      const first = startMain(env);
      // The first getUpdates leaves while the database boots and fetches the waiting /start;
      // the process is killed once the bot is set up (it publishes its commands) but before the
      // batch is handled: Telegram must still hold the update.
      await fake.nextRequest("setMyCommands");
      await first.kill();
      expect(fake.requested.indexOf("getUpdates")).toBeLessThan(fake.requested.indexOf("setMyCommands"));
      expect(repliesTo()).toHaveLength(0);

      const second = startMain(env);
      const reply = await fake.waitFor(
        (c) => c.method === "sendMessage" && c.payload.chat_id === user.id,
        150_000,
      );
      expect(String(reply.payload.text)).toContain("Xin chào! Đây là Mailbot");
      expect((await second.stop()).code).toBe(0);
      expect(repliesTo()).toHaveLength(1);
    } finally {
      await fake.stop();
    }
  }, 300_000);
});
