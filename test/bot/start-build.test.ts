/**
 * What `npm start` runs: the build in dist/ (`npm run build`, run by `npm ci`), where
 * dist/src/main.js is one esbuild bundle (scripts/bundle-main.mjs) with its lazily loaded chunks.
 * The other tests run src/ under tsx, so only this one shows that the bundle finds what it looks
 * up at run time: the migrations folder, PGlite's WebAssembly, the packages left outside it.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";
import { cleanEnv, ROOT, startNode, stopAllProcesses } from "../helpers/process.ts";

const BUILT = join(ROOT, "dist/src/main.js");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(stopAllProcesses);

describe.skipIf(!existsSync(BUILT))("the built bot (dist/src/main.js)", () => {
  it("creates and migrates a new embedded database, answers a waiting /start, stops on SIGTERM", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "mailbot-build-"));
    dirs.push(dataDir);
    const fake = await new FakeBotApiServer().start();
    try {
      const user = { id: 650_003, is_bot: false, first_name: "Minh" };
      fake.userSays(user, "/start");
      const run = startNode(["dist/src/main.js"], {
        env: cleanEnv(/^(TELEGRAM_|BOT_|WEBHOOK_|DATABASE_URL|DATA_DIR|LOG_LEVEL|SUPPORT_CHAT_ID)/, {
          TELEGRAM_BOT_TOKEN: FAKE_TOKEN,
          TELEGRAM_API_ROOT: fake.apiRoot,
          DATA_DIR: dataDir,
          LOG_LEVEL: "info",
        }),
      });
      // A first start migrates and seeds the database: slow on a busy machine (an event, not a sleep).
      const reply = await fake.waitFor(
        (c) => c.method === "sendMessage" && c.payload.chat_id === user.id,
        240_000,
      );
      expect(String(reply.payload.text)).toContain("Xin chào! Đây là Mailbot");
      expect((await run.stop()).code).toBe(0);
      expect(run.stdout()).toContain("demo data seeded");
      expect(run.stdout()).toContain("long polling stopped");
    } finally {
      await fake.stop();
    }
  }, 300_000);
});
