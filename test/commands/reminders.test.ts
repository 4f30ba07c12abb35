import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import { staffActor } from "../../src/services/types.ts";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { instantLimiter } from "../reminders/fixtures.ts";
import { makeWorld, TG, type World } from "./world.ts";

const calendar = createCalendar();

/** A message to nguyenvanan@ received Wednesday 18/11: overdue on Monday 23/11 (2 working days). */
async function trackedMessage(w: World, subject = "V/v báo cáo quý IV"): Promise<number> {
  const [row] = await w.database.execute<{ id: number }>(
    sql`insert into tracked_messages (message_id, mailbox_id, sender, subject, received_at)
        values (${`<${subject.length}-${Date.now()}@ubnd>`}, ${w.mailboxIds.lockedAn}, 'vanthu@ubnd.phuyen.gov.vn', ${subject},
          '2026-11-18T09:00:00+07:00'::timestamptz) returning id`,
  );
  return Number(row!.id);
}

/** A sweep that delivers through the harness's bot, as main.ts wires it. */
async function sweep(w: World) {
  return runSweep(
    {
      database: w.database,
      calendar,
      profiles: ["phuyen"],
      supportChatId: SUPPORT_CHAT_ID,
      limiter: instantLimiter(),
      send: (chatId, text, keyboard) =>
        w.h.bot.api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {}),
    },
    { now: w.clock.now, rules: ["reply"] },
  );
}

async function answeredAt(w: World, id: number): Promise<unknown> {
  const [row] = await w.database.execute<{ answered_at: unknown }>(
    sql`select answered_at from tracked_messages where id = ${id}`,
  );
  return row?.answered_at ?? null;
}

describeEachDb(
  "reminder digest buttons",
  (getDb) => {
    it("'Đã xử lý': the owner marks it answered once; a second press says it is done; no reminder after", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const id = await trackedMessage(w);
      const report = await sweep(w);
      expect(report.digests.map((d) => d.chatId).sort()).toEqual([TG.head, TG.staff].sort());
      const digest = h.lastKeyboardMessage(TG.staff)!;
      expect(digest.text).toContain("Quá hạn trả lời");
      // The digest's button goes through the bot's validated scheme.
      expect(h.buttonsOf(digest)).toEqual([{ text: "✅ Đã xử lý", data: `rem:1:ans:${id}` }]);

      await h.press(users.staff, h.privateChat(users.staff), "✅ Đã xử lý");
      expect(h.lastReply(TG.staff)).toBe(
        'Đã ghi nhận: thư "V/v báo cáo quý IV" gửi nguyenvanan@phuyen.gov.vn đã được xử lý. Bot sẽ không nhắc thư này nữa.',
      );
      expect(await answeredAt(w, id)).not.toBeNull();
      // The unit head presses the same button in their own digest: already done, nothing changes.
      const replies = h.replies(TG.head).length;
      await h.press(users.head, h.privateChat(users.head), "✅ Đã xử lý");
      expect(h.callbackAnswers().at(-1)).toContain("đã được ghi nhận là đã xử lý từ trước");
      expect(h.replies(TG.head)).toHaveLength(replies);
      const audits = await w.database.execute<{ n: number }>(
        sql`select count(*)::int as n from audit_log where action = 'message.handled' and entity_id = ${String(id)}`,
      );
      expect(audits[0]?.n).toBe(1);
      w.advance(30);
      expect((await sweep(w)).digests).toEqual([]);
    });

    it("'Đã xử lý': the unit head over the unit may; a clerk, the support desk, another staff member may not", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const id = await trackedMessage(w, "V/v kế hoạch năm 2027");
      for (const who of ["clerk", "support", "self"] as const) {
        await h.callback(users[who], h.privateChat(users[who]), `rem:1:ans:${id}`);
        expect(h.callbackAnswers().at(-1)).toMatch(/không có quyền|không được/i);
      }
      await h.callback(users.unlinked, h.privateChat(users.unlinked), `rem:1:ans:${id}`);
      expect(await answeredAt(w, id)).toBeNull();
      await h.callback(users.head, h.privateChat(users.head), `rem:1:ans:${id}`);
      expect(h.lastReply(TG.head)).toContain("đã được xử lý");
      expect(await answeredAt(w, id)).not.toBeNull();
      // Unknown message; raw data of the old format; a forged action: nothing happens.
      await h.callback(users.head, h.privateChat(users.head), "rem:1:ans:999999");
      expect(h.callbackAnswers().at(-1)).toContain("Không còn thư này");
      for (const data of [`rem:ans:${id}`, "rem:1:drop:1", "rem:1:ans:-1", "rem:1:ans:abc"]) {
        await h.callback(users.head, h.privateChat(users.head), data);
        expect(h.callbackAnswers().at(-1)).toMatch(/hết hạn/);
      }
    });

    it("'Khôi phục': starts the /khoiphuc flow for that mailbox, with the command's checks", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.callback(users.staff, chat, `rem:1:kp:${w.mailboxIds.lockedAn}`);
      const ask = h.lastReply(TG.staff)!;
      expect(ask).toContain("nguyenvanan@phuyen.gov.vn đang bị tạm khóa từ 02/11/2026");
      expect(ask).toContain("Gửi yêu cầu khôi phục");
      await h.press(users.staff, chat, "Gửi");
      expect(h.lastReply(TG.staff)).toMatch(/^Đã gửi yêu cầu #\d+\./);
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("Khôi phục — nguyenvanan@phuyen.gov.vn");
      // Someone else's mailbox: the same refusal as /khoiphuc.
      await h.callback(users.self, h.privateChat(users.self), `rem:1:kp:${w.mailboxIds.taken}`);
      expect(h.lastReply(TG.self)).toContain("Không tìm thấy hộp thư huynhngocduc@phuyen.gov.vn");
      await h.callback(users.self, h.privateChat(users.self), "rem:1:kp:999999");
      expect(h.lastReply(TG.self)).toContain("Không còn hộp thư này");
    });

    it("'Mở #id': shows the request like /trangthai <id>, to those who may see it", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const request = await w.services.requests.createKhoiphuc(
        { address: "nguyenvanan@phuyen.gov.vn" },
        staffActor(w.staffIds.staff),
      );
      await h.command(users.staff, h.privateChat(users.staff), "trangthai", String(request.id));
      const viaCommand = h.lastReply(TG.staff);
      await h.callback(users.staff, h.privateChat(users.staff), `rem:1:req:${request.id}`);
      expect(h.lastReply(TG.staff)).toBe(viaCommand);
      expect(viaCommand).toContain(`#${request.id}`);
      await h.callback(users.support, h.group(), `rem:1:req:${request.id}`);
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain(`#${request.id}`);
      await h.callback(users.self, h.privateChat(users.self), `rem:1:req:${request.id}`);
      expect(h.lastReply(TG.self)).toBe(
        `Không có yêu cầu #${request.id}, hoặc anh/chị không được xem yêu cầu này. Kiểm tra lại số yêu cầu.`,
      );
    });

    it("a manager's digest names the person and the unit; 'Nhắc cán bộ' pings them once a day, audited; 'Đã xử lý' says whose reminder stops", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const id = await trackedMessage(w, "V/v số liệu tháng 11");
      await sweep(w);
      const own = h.lastKeyboardMessage(TG.staff)!;
      // The owner is not named to himself, and gets no "Nhắc cán bộ".
      expect(own.text).not.toContain("Nguyễn Văn An");
      const digest = h.lastKeyboardMessage(TG.head)!;
      expect(digest.text).toContain(
        'nguyenvanan@phuyen.gov.vn — "V/v số liệu tháng 11" từ vanthu@ubnd.phuyen.gov.vn',
      );
      expect(digest.text).toMatch(/\) — Nguyễn Văn An, Phòng CNTT$/m);
      expect(h.buttonsOf(digest)).toEqual([
        { text: "✅ Đã xử lý", data: `rem:1:ans:${id}` },
        { text: "🔔 Nhắc cán bộ Nguyễn Văn An", data: `rem:1:pt:${id}` },
      ]);

      // Neither a clerk nor the support desk may ping.
      for (const who of ["clerk", "support"] as const) {
        await h.callback(users[who], h.privateChat(users[who]), `rem:1:pt:${id}`);
        expect(h.callbackAnswers().at(-1)).toMatch(/không có quyền|không được/i);
      }
      const before = h.replies(TG.staff).length;
      await h.press(users.head, h.privateChat(users.head), "🔔 Nhắc cán bộ Nguyễn Văn An");
      expect(h.lastReply(TG.head)).toBe(
        "Đã gửi nhắc việc cho Nguyễn Văn An (nguyenvanan@phuyen.gov.vn). Bấm lại trong hôm nay sẽ không gửi thêm.",
      );
      expect(h.replies(TG.staff)).toHaveLength(before + 1);
      const ping = h.lastKeyboardMessage(TG.staff)!;
      expect(ping.text).toContain(
        "🔔 Trần Văn Hùng (Sở TT&TT) nhắc anh/chị về hộp thư nguyenvanan@phuyen.gov.vn:",
      );
      expect(ping.text).toContain('"V/v số liệu tháng 11" từ vanthu@ubnd.phuyen.gov.vn, hạn');
      expect(h.buttonsOf(ping)).toEqual([{ text: "✅ Đã xử lý", data: `rem:1:ans:${id}` }]);
      // Pinging does not mark anything handled.
      expect(await answeredAt(w, id)).toBeNull();

      // The same day, a second press sends nothing more; the next day it may ping again.
      await h.callback(users.head, h.privateChat(users.head), `rem:1:pt:${id}`);
      expect(h.callbackAnswers().at(-1)).toContain("Hôm nay Nguyễn Văn An đã được nhắc về mục này rồi");
      expect(h.replies(TG.staff)).toHaveLength(before + 1);
      const audits = async () =>
        (
          await w.database.execute<{ n: number }>(
            sql`select count(*)::int as n from audit_log where action = 'reminder.ping' and entity_id = ${String(id)}`,
          )
        )[0]?.n;
      expect(await audits()).toBe(1);
      w.advance(24 * 60);
      await h.callback(users.head, h.privateChat(users.head), `rem:1:pt:${id}`);
      expect(h.replies(TG.staff)).toHaveLength(before + 2);
      expect(await audits()).toBe(2);

      // The manager's "Đã xử lý" says that it stops An's reminder too.
      await h.callback(users.head, h.privateChat(users.head), `rem:1:ans:${id}`);
      expect(h.lastReply(TG.head)).toBe(
        'Đã ghi nhận: thư "V/v số liệu tháng 11" gửi nguyenvanan@phuyen.gov.vn đã được xử lý. Bot sẽ không nhắc thư này nữa. ' +
          'Nguyễn Văn An cũng sẽ không còn được nhắc thư này. Nếu chỉ muốn nhắc Nguyễn Văn An trả lời, hãy bấm "Nhắc cán bộ" thay vì "Đã xử lý".',
      );
      // Once handled, there is nothing to ping about.
      await h.callback(users.head, h.privateChat(users.head), `rem:1:pt:${id}`);
      expect(h.callbackAnswers().at(-1)).toContain("không cần nhắc nữa");
      expect(h.replies(TG.staff)).toHaveLength(before + 2);
    });

    it("'Nhắc cán bộ' about a mailbox whose owner has no Telegram says what to do instead", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      await w.database.execute(sql`update staff set telegram_user_id = null where id = ${w.staffIds.staff}`);
      await h.callback(users.head, h.privateChat(users.head), `rem:1:pm:${w.mailboxIds.lockedAn}`);
      expect(h.callbackAnswers().at(-1)).toBe(
        "Nguyễn Văn An (nguyenvanan@phuyen.gov.vn) chưa liên kết Telegram với bot, nên bot không nhắn được. Hãy nhắc trực tiếp và đề nghị Nguyễn Văn An gõ /start để liên kết.",
      );
      // Outside the head's units (Sở Y tế): refused.
      await h.callback(users.head, h.privateChat(users.head), `rem:1:pm:${w.mailboxIds.taken}`);
      expect(h.callbackAnswers().at(-1)).toMatch(/không có quyền|không được/i);
    });
  },
  { resetEach: true },
);
