/**
 * The demo as `npm start` shows it on a fresh machine: the console chat in-process over the
 * seeded embedded database, driven line by line (each line waits for the prompt, an event, not
 * a sleep). The manager persona gets every reminder kind; formatting is readable; the buttons
 * of an earlier card still work.
 */
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { vnInstant } from "../../src/calendar/time.ts";
import { consoleReminders } from "../../src/bot/transports/console-reminders.ts";
import { renderHtml, runConsole } from "../../src/bot/transports/console.ts";
import { seedDemo } from "../../src/demo/seed.ts";
import { createServices } from "../../src/services/index.ts";
import { BotHarness, captureLogger, SUPPORT_CHAT_ID, testConfig } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";

/** Thursday 24 December 2026, 09:00: five working days before phuyen's 6-monthly list is due. */
const NOW = vnInstant("2026-12-24", "09:00");
const FAST_HASH = { memoryCost: 1024, timeCost: 1 };

describe("console rendering of Telegram HTML", () => {
  it("bold, code, links and entities are shown readably, never as tags", () => {
    expect(renderHtml("<b>Sở TT&amp;TT</b>: <code>a&lt;b&gt;c</code> <i>x</i>", false)).toBe(
      "*Sở TT&TT*: `a<b>c` x",
    );
    expect(renderHtml("<b>đậm</b>", true)).toBe("\x1b[1mđậm\x1b[22m");
    expect(renderHtml('<a href="https://x.vn">trang</a> &quot;q&quot;', false)).toBe(
      'trang (https://x.vn) "q"',
    );
  });
});

describeEachDb("npm start demo: the console chat over the demo data", (getDb) => {
  it("the manager persona gets every reminder kind with the XLSX; older cards stay pressable; formatting is readable", async () => {
    const database = getDb();
    await seedDemo(database, { now: NOW, services: { hash: FAST_HASH } });
    const clock = () => new Date(NOW);
    const { logger } = captureLogger();
    const services = createServices(database, { clock, hash: FAST_HASH });
    const h = await BotHarness.create({
      services,
      clock,
      logger,
      config: { supportChatId: SUPPORT_CHAT_ID },
    });

    let out = "";
    const output = new Writable({
      write(chunk, _enc, done) {
        out += String(chunk);
        waiters.splice(0).forEach((w) => w());
        done();
      },
    });
    const waiters: (() => void)[] = [];
    const prompts = () => out.split(" › ").length - 1;
    const input = new PassThrough();
    const finished = runConsole({
      bot: h.bot,
      api: h.api,
      services,
      config: testConfig({ supportChatId: SUPPORT_CHAT_ID }),
      input,
      output,
      clock,
      remind: consoleReminders({
        database,
        services,
        api: h.bot.api,
        logger,
        supportChatId: SUPPORT_CHAT_ID,
      }),
    });
    const waitFor = async (done: () => boolean) => {
      while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    /** Types a line and waits until the console shows its prompt again; returns what it printed. */
    const type = async (line: string): Promise<string> => {
      const from = out.length;
      const before = prompts();
      input.write(`${line}\n`);
      await waitFor(() => prompts() > before);
      return out.slice(from);
    };
    const buttonNumber = (text: string, label: string): string => {
      const match = new RegExp(`\\[(\\d+)\\] ${label.replace(/[()]/g, "\\$&")}`).exec(text);
      expect(match, `button "${label}" in:\n${text}`).not.toBeNull();
      return match![1]!;
    };

    // Ready: the banner, then a prompt.
    await waitFor(() => prompts() >= 1);
    expect(out).toContain("(Sẵn sàng.");
    expect(out.trimEnd().endsWith("Khách ›")).toBe(true);

    // Nguyễn Văn An (there are three: by address) opens the bot once, so he can be pinged.
    await type("/as nguyenvanan@phuyen.gov.vn");
    await type("/as Trần Quốc Bảo");
    const digest = await type("/nhacviec");
    // Bảo's own digest (his private chat is the current one: no "[riêng với …]" label).
    const own = digest.split("\n🤖 ").find((m) => m.startsWith("🔔 Nhắc việc"))!;
    for (const section of [
      "Quá hạn trả lời (",
      "Hộp thư chưa được kiểm tra (",
      "Báo cáo định kỳ theo quy chế (",
      "Sắp bị tạm khóa do không hoạt động (",
    ]) {
      expect(own).toContain(section);
    }
    // Named person and unit on the items about someone else's mailbox.
    expect(own).toContain("(quá hạn 3 ngày làm việc) — Nguyễn Văn An, Phòng Công nghệ thông tin");
    expect(own).toContain("— Lý Thị Phương (chưa liên kết Telegram), Phòng Công nghệ thông tin");
    expect(digest).toMatch(
      /📎 danh-sach-hop-thu-2026-12-24\.xlsx — Danh sách cá nhân, đơn vị đang sử dụng hộp thư/,
    );
    expect(digest).toMatch(/\(Nhắc việc 09:00 24\/12\/2026: đã gửi \d+ tin/);
    const ping = buttonNumber(digest, "🔔 Nhắc cán bộ Nguyễn Văn An");

    // A newer card with buttons, then the older digest's button still works.
    const overview = await type("/tongquan");
    expect(overview).toContain("📊 Tổng quan");
    const newer = await type("/capmoi");
    expect(newer).toMatch(/\[\d+\] /);
    const pressed = await type(ping);
    expect(pressed).toContain("💬 Đã nhắc Nguyễn Văn An.");
    expect(pressed).toMatch(
      /\[riêng với Nguyễn Văn An\] 🔔 Trần Quốc Bảo \(Sở Thông tin và Truyền thông\) nhắc anh\/chị/,
    );

    // The support desk approves the clerk's demo request: the password message is HTML, shown readably.
    await type("/as Đặng Thị Mai");
    await type("/as Lê Minh Tuấn");
    await type("/nhom");
    const queue = await type("/hangdoi");
    // The card of request #1 (the clerk Đặng Thị Mai's /capmoi) and its own "Duyệt".
    const approve = buttonNumber(queue.slice(queue.indexOf("🆕 #1 ")), "Duyệt");
    const approved = await type(approve);
    expect(approved).toMatch(/\[riêng với Đặng Thị Mai\] .*Mật khẩu tạm: `[^`<>]{8,}`/);
    expect(approved).toContain("Mật khẩu tạm đã gửi riêng cho Đặng Thị Mai (người gửi yêu cầu, văn thư)");

    input.end();
    await finished;
    expect(out).not.toMatch(/<\/?(b|code|i|pre)>|&amp;|&lt;|&gt;/);
  }, 300_000);
});
