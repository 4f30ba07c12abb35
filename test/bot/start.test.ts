import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { staff as staffTable } from "../../src/db/schema.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { BotHarness, TestClock } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addStaff, addUnit } from "../services/fixtures.ts";

describeEachDb("/start links an account with a one-time code", (getDb) => {
  const clock = new TestClock();
  let services: Services;
  let h: BotHarness;
  let unitId: number;

  beforeAll(async () => {
    services = createServices(getDb(), { clock: clock.now });
    h = await BotHarness.create({ services, clock: clock.now });
    unitId = (await addUnit(getDb(), { name: "Sở Thông tin và Truyền thông" })).id;
  });

  async function newStaffWithCode(name: string, ttlMinutes = 60) {
    const person = await addStaff(getDb(), { unitId, fullName: name });
    const { code } = await services.identity.createLinkCode({ staffId: person.id }, CLI, ttlMinutes);
    return { person, code };
  }

  it("plain /start greets an unlinked account and explains how to get a code", async () => {
    const u = h.user(610_001, "Lan");
    await h.command(u, h.privateChat(u), "start");
    expect(h.lastReply(u.id)).toMatch(/Xin chào! Đây là Mailbot/);
    expect(h.lastReply(u.id)).toContain("mã liên kết");
  });

  it("a valid code links the account; /start again recognises the person", async () => {
    const { person, code } = await newStaffWithCode("Huỳnh Ngọc Đức");
    const u = h.user(610_002, "Đức");
    await h.command(u, h.privateChat(u), "start", code);
    expect(h.lastReply(u.id)).toBe(
      "Đã liên kết tài khoản Telegram với cán bộ Huỳnh Ngọc Đức (Sở Thông tin và Truyền thông). Gõ /help để xem các lệnh anh/chị có thể dùng.",
    );
    const [row] = await getDb().db.select().from(staffTable).where(eq(staffTable.id, person.id));
    expect(row?.telegramUserId).toBe(u.id);
    await h.command(u, h.privateChat(u), "start");
    expect(h.lastReply(u.id)).toContain("Xin chào Huỳnh Ngọc Đức");
    // Linked now: commands beyond /start and /help are allowed.
    await h.command(u, h.privateChat(u), "huy");
    expect(h.lastReply(u.id)).toBe("Hiện không có thao tác nào đang làm dở.");
  });

  it("a wrong code is refused with what to do", async () => {
    const u = h.user(610_003, "Minh");
    await h.command(u, h.privateChat(u), "start", "ABCDEFGHJKMN");
    expect(h.lastReply(u.id)).toMatch(/^Mã liên kết không đúng, đã dùng hoặc đã hết hạn\./);
    await h.command(u, h.privateChat(u), "start", "x".repeat(70));
    expect(h.lastReply(u.id)).toMatch(/không đúng định dạng/);
  });

  it("an expired code is refused", async () => {
    const { code } = await newStaffWithCode("Trần Thị Bích", 5);
    clock.advance(6 * 60_000);
    const u = h.user(610_004, "Bích");
    await h.command(u, h.privateChat(u), "start", code);
    expect(h.lastReply(u.id)).toMatch(/đã hết hạn/);
  });

  it("a code works once: a second account using it is refused", async () => {
    const { code } = await newStaffWithCode("Lê Văn Cường");
    const first = h.user(610_005, "Cường");
    const second = h.user(610_006, "Kẻ lạ");
    await h.command(first, h.privateChat(first), "start", code);
    expect(h.lastReply(first.id)).toMatch(/^Đã liên kết/);
    await h.command(second, h.privateChat(second), "start", code);
    expect(h.lastReply(second.id)).toMatch(/^Mã liên kết không đúng, đã dùng/);
  });

  it("wrong guesses are rate-limited, even a correct code afterwards", async () => {
    const { code } = await newStaffWithCode("Phạm Văn Hùng");
    const u = h.user(610_007, "Hùng");
    for (let i = 0; i < 5; i++) await h.command(u, h.privateChat(u), "start", `WRONGCODE${i}23`);
    await h.command(u, h.privateChat(u), "start", code);
    expect(h.lastReply(u.id)).toMatch(/quá 5 lần/);
    clock.advance(16 * 60_000);
    await h.command(u, h.privateChat(u), "start", code);
    expect(h.lastReply(u.id)).toMatch(/^Đã liên kết/);
  });

  it("a code posted in a group is deleted at once and not redeemed", async () => {
    const { code } = await newStaffWithCode("Võ Thị Hoa");
    const u = h.user(610_008, "Hoa");
    const group = h.group();
    const message = await h.command(u, group, "start", code);
    const deletion = h.callsTo("deleteMessage").at(-1);
    expect(deletion?.payload).toMatchObject({ chat_id: group.id, message_id: message.message_id });
    expect(h.lastReply(group.id)).toMatch(/trong cuộc trò chuyện riêng với bot/);
    await h.command(u, h.privateChat(u), "start", code);
    expect(h.lastReply(u.id)).toMatch(/^Đã liên kết tài khoản Telegram với cán bộ Võ Thị Hoa/);
  });
});
