import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { absenceNotices, mailboxes } from "../../src/db/schema.ts";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { countRows, dumpAllTables } from "../services/fixtures.ts";
import { mailboxByAddress, makeWorld, TG } from "./world.ts";

const GOOD = "Xuan#Thu2026vn";
const WEAK = "abc";

describeEachDb(
  "/khoiphuc /doimk /trangthai /hangdoi /baonghi",
  (getDb) => {
    it("/khoiphuc explains the lock, files the request, support approves, temp password to the owner", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.command(users.staff, chat, "khoiphuc", "huynhngocduc@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("Không tìm thấy hộp thư huynhngocduc@phuyen.gov.vn");
      await h.command(users.staff, chat, "khoiphuc", "khong-co@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("Không tìm thấy hộp thư khong-co@phuyen.gov.vn");
      await h.command(users.staff, chat, "khoiphuc", "không phải địa chỉ");
      expect(h.lastReply(TG.staff)).toContain("không phải địa chỉ thư hợp lệ");
      await h.command(users.staff, chat, "khoiphuc", "NguyenVanAn@phuyen.gov.vn");
      const ask = h.lastReply(TG.staff)!;
      expect(ask).toContain("đang bị tạm khóa từ 02/11/2026");
      expect(ask).toContain("không phát sinh gửi, nhận trong 6 tháng — Điều 6.2a");
      expect(ask).toContain("Thư đến vẫn được nhận");
      await h.press(users.staff, chat, "Gửi");
      expect(h.lastReply(TG.staff)).toMatch(
        /Đã gửi yêu cầu #1\. Sở Thông tin và Truyền thông xác minh và kích hoạt trong 01 ngày làm việc \(hạn 17:00 thứ Ba 24\/11\/2026\)/,
      );
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("#1 Khôi phục — nguyenvanan@phuyen.gov.vn");
      // Asking again while it is open: said at once, with the number of the open request.
      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("đã có yêu cầu khôi phục #1");
      await h.press(users.support, h.group(), "Duyệt");
      expect((await mailboxByAddress(w.database, "nguyenvanan@phuyen.gov.vn"))?.status).toBe("active");
      const pw = h.callsTo("sendMessage").filter((c) => String(c.payload.text).includes("Mật khẩu tạm:"));
      expect(pw.map((c) => Number(c.payload.chat_id))).toEqual([TG.staff]);
      expect(String(pw[0]!.payload.text)).toContain("đã được khôi phục");
      // Now active: nothing to restore.
      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("đang hoạt động bình thường");
    });

    it("/khoiphuc refuses revoked mailboxes and ninhbinh-style suspensions past their removal date", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.support);
      await w.database.db
        .update(mailboxes)
        .set({ status: "revoked" })
        .where(eq(mailboxes.id, w.mailboxIds.taken));
      await h.command(users.support, chat, "khoiphuc", "huynhngocduc@phuyen.gov.vn");
      expect(h.lastReply(TG.support)).toContain("đã bị thu hồi");
      await w.database.db
        .update(mailboxes)
        .set({ status: "suspended", removeAfter: new Date("2026-11-20T10:00:00Z") })
        .where(eq(mailboxes.id, w.mailboxIds.lockedAn));
      await h.command(users.support, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.support)).toContain("đã quá hạn đề nghị mở lại (hạn cuối 20/11/2026)");
      expect((await countRows(w.database)).requests).toBe(0);
    });

    it("/doimk: private only, deletes the password message at once, lists violations, never echoes it", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await w.database.db
        .update(mailboxes)
        .set({ status: "active", mustChangePassword: true })
        .where(eq(mailboxes.id, w.mailboxIds.lockedAn));
      await h.command(users.staff, chat, "doimk");
      expect(h.lastReply(TG.staff)).toContain("Gửi mật khẩu mới trong tin nhắn tiếp theo");
      expect(h.lastReply(TG.staff)).toContain("ít nhất 8 ký tự");
      const weak = await h.text(users.staff, chat, WEAK);
      expect(h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id))).toContain(weak.message_id);
      expect(h.lastReply(TG.staff)).toContain("Mật khẩu mới chưa đạt yêu cầu");
      expect(h.lastReply(TG.staff)).toContain("Gửi lại mật khẩu khác");
      const long = await h.text(users.staff, chat, "A1#a".repeat(1100));
      expect(h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id))).toContain(long.message_id);
      expect(h.lastReply(TG.staff)).toContain("quá dài");
      const good = await h.text(users.staff, chat, GOOD);
      expect(h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id))).toContain(good.message_id);
      expect(h.lastReply(TG.staff)).toMatch(
        /Đã đổi mật khẩu cho nguyenvanan@phuyen\.gov\.vn lúc 09:00 23\/11\/2026\. Lần đổi tiếp theo trước 23\/12\/2026\./,
      );
      const row = await mailboxByAddress(w.database, "nguyenvanan@phuyen.gov.vn");
      expect(row?.mustChangePassword).toBe(false);
      expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
      // Reusing it is refused.
      await h.command(users.staff, chat, "doimk");
      await h.text(users.staff, chat, GOOD);
      expect(h.lastReply(TG.staff)).toContain("trùng");
      await h.command(users.staff, chat, "huy");

      for (const secret of [GOOD, WEAK]) {
        const said = h.calls
          .filter((c) => c.method !== "deleteMessage")
          .map((c) => JSON.stringify(c.payload))
          .join("\n");
        expect(said).not.toContain(secret);
        expect(w.logLines.join("\n")).not.toContain(secret);
      }
      expect(await dumpAllTables(w.database)).not.toContain(GOOD);
    });

    it("/doimk in a group: deletes what looks like a password, answers with the private link", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const group = h.group();
      const inline = await h.text(users.staff, group, `/doimk ${GOOD}`);
      expect(h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id))).toContain(
        inline.message_id,
      );
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("https://t.me/mailbot_test_bot?start=doimk");
      await h.command(users.unlinked, group, "doimk", "Abc#12345678");
      expect(h.callsTo("deleteMessage")).toHaveLength(2);
      await h.command(users.staff, group, "doimk");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("chỉ làm trong chat riêng");
      const follow = await h.text(users.staff, group, GOOD);
      expect(h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id))).toContain(
        follow.message_id,
      );
      // The deep link starts the private flow.
      await h.command(users.staff, h.privateChat(users.staff), "start", "doimk");
      expect(h.lastReply(TG.staff)).toContain("Gửi mật khẩu mới");
      expect(h.everythingSaid()).not.toContain(GOOD);
    });

    it("/doimk quenmk files a reset request; the new temporary password goes privately to the owner", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      await w.database.db
        .update(mailboxes)
        .set({ status: "active" })
        .where(eq(mailboxes.id, w.mailboxIds.lockedAn));
      const chat = h.privateChat(users.staff);
      await h.command(users.staff, chat, "doimk", "quenmk");
      expect(h.lastReply(TG.staff)).toContain("Đã gửi yêu cầu cấp lại mật khẩu #1");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("#1 Cấp lại mật khẩu — nguyenvanan@phuyen.gov.vn");
      await h.press(users.support, h.group(), "Duyệt");
      const support = h.replies(SUPPORT_CHAT_ID).join("\n");
      expect(support).not.toContain("Mật khẩu tạm:");
      const pw = h.callsTo("sendMessage").filter((c) => String(c.payload.text).includes("Mật khẩu tạm:"));
      expect(pw.map((c) => Number(c.payload.chat_id))).toEqual([TG.staff]);
    });

    it("/trangthai: own mailboxes and requests; others' only with a role on their unit", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      await h.press(users.staff, chat, "Gửi");
      await h.command(users.staff, chat, "trangthai");
      const mine = h.lastReply(TG.staff)!;
      expect(mine).toContain("nguyenvanan@phuyen.gov.vn (cá nhân): đang bị tạm khóa từ 02/11/2026");
      expect(mine).toContain(
        "#1 Khôi phục — nguyenvanan@phuyen.gov.vn (Phòng CNTT): chờ bộ phận hỗ trợ xử lý",
      );
      expect(mine).toContain("còn 1 ngày làm việc");
      await h.command(users.staff, chat, "trangthai", "#1");
      expect(h.lastReply(TG.staff)).toContain("#1 Khôi phục");
      await h.command(users.staff, chat, "trangthai", "huynhngocduc@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("không được xem");
      await h.command(users.self, h.privateChat(users.self), "trangthai", "1");
      expect(h.lastReply(TG.self)).toContain("không được xem");
      await h.command(users.clerk, h.privateChat(users.clerk), "trangthai", "#1");
      expect(h.lastReply(TG.clerk)).toContain("#1 Khôi phục");
      await h.command(users.staff, chat, "trangthai", "abc");
      expect(h.lastReply(TG.staff)).toContain("Hãy ghi số yêu cầu");
    });

    it("/hangdoi: overdue first with the working-day clock; support only", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const clerk = h.privateChat(users.clerk);
      await h.command(users.staff, h.privateChat(users.staff), "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      await h.press(users.staff, h.privateChat(users.staff), "Gửi"); // Monday: due Tuesday 17:00
      w.advance(24 * 60); // Tuesday 09:00
      await h.command(
        users.clerk,
        clerk,
        "capmoi",
        "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; biên chế",
      );
      await h.press(users.clerk, clerk, "Gửi yêu cầu"); // due Friday 17:00
      w.advance(24 * 60); // Wednesday 09:00
      h.clearCalls();
      await h.command(users.support, h.group(), "hangdoi");
      const said = h.replies(SUPPORT_CHAT_ID);
      const queue = said[0]!;
      expect(queue).toContain("Hàng đợi: 2 yêu cầu, 1 quá hạn.");
      const lines = queue.split("\n");
      expect(lines[1]).toContain("⚠️ #1 Khôi phục");
      expect(lines[1]).toContain("quá hạn 1 ngày làm việc");
      expect(lines[2]).toContain("#2 Cấp mới");
      expect(lines[2]).toContain("còn 2 ngày làm việc");
      // Then each request as a card with the card's buttons, the capmoi one with the person's data.
      expect(said.slice(1).map((t) => t.split("\n")[0])).toEqual([
        expect.stringContaining("#1 Khôi phục"),
        expect.stringContaining("#2 Cấp mới"),
      ]);
      expect(said[2]).toContain("ngày sinh: 14/02/1990");
      expect(said[2]).toMatch(/chức vụ: chuyên viên; hình thức: (biên chế|hợp đồng \d+ tháng)/);
      const card = h.lastKeyboardMessage(SUPPORT_CHAT_ID)!;
      expect(h.buttonsOf(card).map((b) => b.text)).toEqual(["Nhận xử lý", "Duyệt", "Từ chối"]);
      await h.press(users.support, h.group(), "Nhận xử lý");
      const taken = h.lastReply(SUPPORT_CHAT_ID)!;
      expect(taken).toContain("Đang xử lý: Phạm Văn Hùng");
      expect(taken).not.toContain("🆕");
      // /trangthai #2 for the desk: the same card and buttons.
      await h.command(users.support, h.group(), "trangthai", "#2");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("🔧 #2 Cấp mới");
      expect(h.buttonsOf(h.lastKeyboardMessage(SUPPORT_CHAT_ID)!).map((b) => b.text)).toEqual([
        "Duyệt",
        "Từ chối",
      ]);
      await h.command(users.clerk, clerk, "hangdoi");
      expect(h.lastReply(TG.clerk)).toContain("không có quyền");
    });

    it("/baonghi: unit head only; bad dates change nothing", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const head = h.privateChat(users.head);
      await h.command(users.head, head, "baonghi", "nguyenvanan@phuyen.gov.vn 31/02/2027 đi học");
      expect(h.lastReply(TG.head)).toContain("không có thật");
      await h.command(users.head, head, "baonghi", "nguyenvanan@phuyen.gov.vn 01/01/2020 đi học");
      expect(h.lastReply(TG.head)).toContain("đã qua");
      await h.command(users.head, head, "baonghi", "huynhngocduc@phuyen.gov.vn 30/06/2027 đi học");
      expect(h.lastReply(TG.head)).toContain("Chỉ Thủ trưởng đơn vị");
      await h.command(
        users.clerk,
        h.privateChat(users.clerk),
        "baonghi",
        "nguyenvanan@phuyen.gov.vn 30/06/2027 đi học",
      );
      expect(h.lastReply(TG.clerk)).toContain("Chỉ Thủ trưởng đơn vị");
      expect(await w.database.db.select().from(absenceNotices)).toHaveLength(0);
      await h.command(users.head, head, "baonghi", "nguyenvanan@phuyen.gov.vn 30/06/2027 đi học dài hạn");
      expect(h.lastReply(TG.head)).toContain(
        "Đã ghi nhận báo nghỉ cho nguyenvanan@phuyen.gov.vn từ 23/11/2026 đến hết 30/06/2027",
      );
      expect(await w.database.db.select().from(absenceNotices)).toHaveLength(1);
    });
  },
  { resetEach: true },
);
