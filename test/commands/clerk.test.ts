/**
 * Issue 12, the clerk's walls in /capmoi, through the real bot: updates in, Bot API calls out.
 */
import { expect, it } from "vitest";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addUnit, countRows } from "../services/fixtures.ts";
import { mailboxByAddress, makeWorld, TG } from "./world.ts";

describeEachDb(
  "/capmoi: what a clerk meets on day one",
  (getDb) => {
    it("units by full name without diacritics, or a guess asked back as 'Có phải …?' with buttons", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      await addUnit(w.database, {
        name: "Trung tâm Công nghệ thông tin và Truyền thông",
        abbr: "ttcnttdemo",
        kind: "division",
        parentId: w.units.so,
      });
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Lê Văn Tâm; 14/02/1990; trung tam cong nghe thong tin va truyen thong; chuyên viên; biên chế",
      );
      expect(h.lastReply(TG.clerk)).toContain("Đơn vị: Trung tâm Công nghệ thông tin và Truyền thông");
      await h.command(users.clerk, chat, "huy");

      await h.command(users.clerk, chat, "capmoi", "Lê Văn Tâm; 14/02/1990; CNTT; chuyên viên; biên chế");
      expect(h.lastReply(TG.clerk)).toContain("Có phải một trong các đơn vị sau?");
      const offered = h.buttonsOf(h.lastKeyboardMessage(TG.clerk)!).map((b) => b.text);
      expect(offered).toEqual(expect.arrayContaining(["Phòng CNTT", "Trung tâm CNTT&TT"]));
      await h.press(users.clerk, chat, "Phòng CNTT");
      // The form already said chức vụ and hình thức: straight to the proposal.
      expect(h.lastReply(TG.clerk)).toContain("Đơn vị: Phòng CNTT");
      expect(h.lastReply(TG.clerk)).toContain("Địa chỉ đề xuất: levantam@phuyen.gov.vn");

      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Lê Văn Tâm; 14/02/1990; Phong CNTTT; chuyên viên; biên chế",
      );
      expect(h.lastReply(TG.clerk)).toContain("Có phải «Phòng CNTT»?");
    });

    it("one person, one request: a second /capmoi shows the open request, a person with a mailbox shows it", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      const form = "Lê Thị Hoa; 05/06/1992; Phòng CNTT; chuyên viên; biên chế";
      await h.command(users.clerk, chat, "capmoi", form);
      await h.press(users.clerk, chat, "Gửi yêu cầu");
      expect(h.lastReply(TG.clerk)).toContain("Đã gửi yêu cầu #1");
      await h.command(users.clerk, chat, "capmoi", form.replace("Lê Thị Hoa", "lê thị hoa"));
      const said = h.lastReply(TG.clerk)!;
      expect(said).toContain("đã có yêu cầu cấp mới #1 (lethihoa@phuyen.gov.vn)");
      expect(said).not.toContain("lethihoa92@");
      expect((await countRows(w.database)).requests).toBe(1);

      // Nguyễn Văn An (01/01/1990, Phòng CNTT) already has a (locked) mailbox.
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Nguyễn Văn An; 01/01/1990; Phòng CNTT; chuyên viên; biên chế",
      );
      expect(h.lastReply(TG.clerk)).toContain("đã có hộp thư cá nhân nguyenvanan@phuyen.gov.vn");
      expect(h.lastReply(TG.clerk)).toContain("/khoiphuc");

      // Step by step, the directory offers the known person; choosing them finds the mailbox.
      await h.command(users.clerk, chat, "capmoi");
      await h.text(users.clerk, chat, "Nguyễn Văn An");
      expect(h.lastReply(TG.clerk)).toContain("Trong danh bạ đã có người trùng tên");
      await h.press(users.clerk, chat, /^Nguyễn Văn An — Phòng CNTT/);
      expect(h.lastReply(TG.clerk)).toContain("đã có hộp thư cá nhân nguyenvanan@phuyen.gov.vn");
      expect((await countRows(w.database)).requests).toBe(1);
    });

    it("a name without diacritics is questioned before it becomes official", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      await h.command(users.clerk, chat, "capmoi");
      await h.text(users.clerk, chat, "Nguyen Van Binh");
      expect(h.lastReply(TG.clerk)).toContain("được viết không dấu");
      await h.press(users.clerk, chat, "Gõ lại");
      expect(h.lastReply(TG.clerk)).toContain("Họ và tên người được cấp?");
      await h.text(users.clerk, chat, "Nguyen Van Binh");
      await h.press(users.clerk, chat, "Giữ nguyên");
      expect(h.lastReply(TG.clerk)).toContain("Ngày sinh");
      // The one-line form asks too.
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Tran Van Ba; 14/02/1990; Phòng CNTT; chuyên viên; biên chế",
      );
      expect(h.lastReply(TG.clerk)).toContain("«Tran Van Ba» được viết không dấu");
      await h.text(users.clerk, chat, "Trần Văn Ba");
      expect(h.lastReply(TG.clerk)).toContain("Họ và tên: Trần Văn Ba");
    });

    it("commas as separators, the missing field named, and a step corrected with « Quay lại", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      await h.command(users.clerk, chat, "capmoi", "Lê Văn Tâm, 14/02/1990, Phòng CNTT");
      expect(h.lastReply(TG.clerk)).toContain("Biểu mẫu còn thiếu: chức vụ, hình thức");
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Lê Văn Tâm, 14/02/1990, Phòng CNTT, phó phòng, hợp đồng 24 tháng",
      );
      expect(h.lastReply(TG.clerk)).toContain("Chức vụ: Lãnh đạo phòng");
      expect(h.lastReply(TG.clerk)).toContain("Địa chỉ đề xuất: levantam@phuyen.gov.vn");
      await h.command(users.clerk, chat, "huy");

      await h.command(users.clerk, chat, "capmoi");
      await h.text(users.clerk, chat, "Lê Văn Tâm");
      await h.text(users.clerk, chat, "14/02/1990");
      await h.press(users.clerk, chat, "Phòng CNTT");
      expect(h.lastReply(TG.clerk)).toBe("Chức vụ?");
      await h.press(users.clerk, chat, "« Quay lại");
      expect(h.lastReply(TG.clerk)).toContain("Đơn vị công tác?");
      await h.press(users.clerk, chat, "Trung tâm CNTT&TT");
      await h.press(users.clerk, chat, "Chuyên viên");
      await h.press(users.clerk, chat, "« Quay lại");
      expect(h.lastReply(TG.clerk)).toBe("Chức vụ?");
      await h.press(users.clerk, chat, "Lãnh đạo phòng");
      await h.press(users.clerk, chat, "Biên chế");
      expect(h.lastReply(TG.clerk)).toContain("Đơn vị: Trung tâm CNTT&TT");
      expect(h.lastReply(TG.clerk)).toContain("Chức vụ: Lãnh đạo phòng");
    });

    it("a unit mailbox asks who keeps it; the keeper is who the mailbox goes to", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      const group = h.group();
      await h.command(users.clerk, chat, "capmoi");
      await h.press(users.clerk, chat, "Hộp thư đơn vị");
      await h.press(users.clerk, chat, "Phòng CNTT");
      expect(h.lastReply(TG.clerk)).toContain("Ai giữ hộp thư của Phòng CNTT?");
      const people = h.buttonsOf(h.lastKeyboardMessage(TG.clerk)!).map((b) => b.text);
      expect(people).toEqual(expect.arrayContaining(["Tôi (Lê Thị Mai)", "Nguyễn Văn An", "Đặng Thị Bình"]));
      await h.press(users.clerk, chat, "Đặng Thị Bình");
      const proposal = h.lastReply(TG.clerk)!;
      const address = /Địa chỉ đề xuất: (\S+)/.exec(proposal)![1]!;
      await h.press(users.clerk, chat, "Gửi yêu cầu");
      await h.press(users.support, group, "Duyệt");
      const mailbox = await mailboxByAddress(w.database, address);
      expect(mailbox?.kind).toBe("unit");
      expect(mailbox?.keeperStaffId).toBe(w.staffIds.self);
    });

    it("a rejected request can be sent again with its data filled in", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      const group = h.group();
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; hợp đồng 24 tháng",
      );
      await h.press(users.clerk, chat, "Gửi yêu cầu");
      await h.press(users.support, group, "Từ chối");
      await h.text(users.support, group, "Sai ngày sinh, kiểm tra lại hồ sơ");
      expect(h.lastReply(TG.clerk)).toContain("đã bị từ chối");
      expect(h.replies(SUPPORT_CHAT_ID).join("\n")).toContain("#1 bị từ chối");
      await h.press(users.clerk, chat, "Gửi lại (sửa thông tin)");
      const refilled = h.lastReply(TG.clerk)!;
      expect(refilled).toContain("Họ và tên: Lê Văn Tâm");
      expect(refilled).toContain("Ngày sinh: 14/02/1990");
      expect(refilled).toContain("Hình thức: Hợp đồng 24 tháng");
      await h.press(users.clerk, chat, "Gửi yêu cầu");
      expect(h.lastReply(TG.clerk)).toContain("Đã gửi yêu cầu #2");
      expect((await w.services.requests.get(2))?.state).toBe("open");
      // Someone else cannot resend it.
      await h.callback(users.staff, h.privateChat(users.staff), "rs:1:1");
      expect(h.callbackAnswers().at(-1)).toContain("Không gửi lại được");
    });
  },
  { resetEach: true },
);
