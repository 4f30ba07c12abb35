/**
 * Issue 12, a chuyên viên's walls in /khoiphuc, /doimk and plain messages, through the real bot.
 */
import { expect, it } from "vitest";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox } from "../services/fixtures.ts";
import { makeWorld, TG } from "./world.ts";

describeEachDb(
  "staff: /khoiphuc, /doimk and plain language",
  (getDb) => {
    it("/khoiphuc with no argument offers the person's own locked mailboxes; a bare local part is read in the domain", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await addMailbox(w.database, {
        unitId: w.units.pcntt,
        localPart: "nguyenvanan90",
        ownerStaffId: w.staffIds.staff,
        status: "locked",
        lockReason: "violation",
        lockedAt: new Date("2026-11-10T03:00:00Z"),
      });
      await h.command(users.staff, chat, "khoiphuc");
      expect(h.lastReply(TG.staff)).toBe("Hộp thư nào cần khôi phục?");
      const offered = h.buttonsOf(h.lastKeyboardMessage(TG.staff)!).map((b) => b.text);
      expect(offered).toEqual(["nguyenvanan@phuyen.gov.vn", "nguyenvanan90@phuyen.gov.vn"]);
      await h.press(users.staff, chat, "nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("Hộp thư nguyenvanan@phuyen.gov.vn đang bị tạm khóa");
      await h.command(users.staff, chat, "huy");

      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan90");
      expect(h.lastReply(TG.staff)).toContain("Hộp thư nguyenvanan90@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("Gửi yêu cầu khôi phục");

      // Someone with nothing locked is told so, with the usage.
      await h.command(users.self, h.privateChat(users.self), "khoiphuc");
      expect(h.lastReply(TG.self)).toContain("không có hộp thư nào đang bị khóa");
    });

    it("/khoiphuc answers the same for someone else's mailbox and for one that does not exist", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.self);
      await h.command(users.self, chat, "khoiphuc", "huynhngocduc@phuyen.gov.vn");
      const notYours = h.lastReply(TG.self)!;
      await h.command(users.self, chat, "khoiphuc", "khongcoai@phuyen.gov.vn");
      const missing = h.lastReply(TG.self)!;
      expect(notYours.replace("huynhngocduc", "X")).toBe(missing.replace("khongcoai", "X"));
      // Someone else's locked mailbox in another unit: the same sentence, nothing about its lock.
      await h.command(users.self, chat, "khoiphuc", "nguyenvanan");
      expect(h.lastReply(TG.self)).toBe(missing.replace("khongcoai", "nguyenvanan"));
    });

    it("a second /khoiphuc for the same mailbox says at once that a request is open", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      await h.press(users.staff, chat, "Gửi");
      expect(h.lastReply(TG.staff)).toContain("Đã gửi yêu cầu #1");
      h.clearCalls();
      await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.staff)).toContain("đã có yêu cầu khôi phục #1 đang chờ xử lý");
      expect(h.lastKeyboardMessage(TG.staff)).toBeUndefined();
    });

    it("/doimk on a locked mailbox says it stays locked; a password starting with '/' is a password", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.command(users.staff, chat, "doimk");
      expect(h.lastReply(TG.staff)).toContain("Đổi mật khẩu không mở khóa hộp thư");
      const password = "/Hoa.Sen#2026x";
      h.clearCalls();
      const sent = await h.text(users.staff, chat, password);
      const deleted = h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id));
      expect(deleted).toContain(sent.message_id);
      const answer = h.lastReply(TG.staff)!;
      expect(answer).not.toContain("chưa hiểu");
      expect(answer).toContain("Đã đổi mật khẩu cho nguyenvanan@phuyen.gov.vn");
      expect(answer).toContain("vẫn khóa cho tới khi được khôi phục");
      expect(h.everythingSaid()).not.toContain(password);
      // /huy still cancels while a password is awaited.
      await h.command(users.staff, chat, "doimk");
      await h.command(users.staff, chat, "huy");
      expect(h.lastReply(TG.staff)).not.toContain("Đã đổi mật khẩu");
    });

    it("plain-language messages lead to the right command", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.staff);
      await h.text(users.staff, chat, "em quên mật khẩu ạ");
      expect(h.lastReply(TG.staff)).toContain("/doimk quenmk");
      await h.text(users.staff, chat, "hộp thư của em bị khóa rồi");
      expect(h.lastReply(TG.staff)).toContain("/khoiphuc");
      await h.text(users.staff, chat, "xin cấp hộp thư cho nhân viên mới");
      expect(h.lastReply(TG.staff)).toContain("/capmoi");
      await h.text(users.staff, chat, "thời tiết hôm nay thế nào");
      expect(h.lastReply(TG.staff)).toContain("Bot chưa hiểu");
    });

    it("'cần đổi mật khẩu tạm' only where a temporary password exists", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      await addMailbox(w.database, {
        unitId: w.units.pcntt,
        localPart: "dangthibinh",
        ownerStaffId: w.staffIds.self,
        mustChangePassword: true,
      });
      const chat = h.privateChat(users.self);
      await h.command(users.self, chat, "trangthai");
      expect(h.lastReply(TG.self)).toContain("dangthibinh@phuyen.gov.vn");
      expect(h.lastReply(TG.self)).not.toContain("mật khẩu tạm");
      expect(h.lastReply(TG.self)).toContain("cần đổi mật khẩu ở lần đăng nhập tới");
    });
  },
  { resetEach: true },
);
