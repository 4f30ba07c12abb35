import { expect, it } from "vitest";
import { runDueDeletions } from "../../commands/support.ts";
import { getProfile, registerProfile } from "../../src/policy/profiles/index.ts";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { countRows, dumpAllTables } from "../services/fixtures.ts";
import { mailboxByAddress, makeWorld, TG } from "./world.ts";

describeEachDb(
  "/capmoi and the support desk",
  (getDb) => {
    it("step by step: collision rule, support card, approval, private temporary password deleted later", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const clerkChat = h.privateChat(users.clerk);
      const group = h.group();

      await h.command(users.clerk, clerkChat, "capmoi");
      expect(h.lastReply(TG.clerk)).toContain("Họ và tên người được cấp?");
      await h.text(users.clerk, clerkChat, "Huỳnh Ngọc Đức");
      expect(h.lastReply(TG.clerk)).toContain("Ngày sinh");
      await h.text(users.clerk, clerkChat, "03/12/1985");
      expect(h.lastReply(TG.clerk)).toContain("Đơn vị công tác?");
      const unitButtons = h.buttonsOf(h.lastKeyboardMessage(TG.clerk)!).map((b) => b.text);
      expect(unitButtons).toEqual(["Sở TT&TT", "Trung tâm CNTT&TT", "Phòng CNTT", "« Quay lại"]);
      await h.press(users.clerk, clerkChat, "Trung tâm CNTT&TT");
      await h.press(users.clerk, clerkChat, "Chuyên viên");
      await h.press(users.clerk, clerkChat, "Biên chế");
      const proposal = h.lastReply(TG.clerk)!;
      expect(proposal).toContain("Địa chỉ đề xuất: huynhngocduc85@phuyen.gov.vn");
      expect(proposal).toContain("Điều 4.2b");
      await h.press(users.clerk, clerkChat, "Gửi yêu cầu");
      expect(h.lastReply(TG.clerk)).toMatch(
        /Đã gửi yêu cầu #1 tới Sở Thông tin và Truyền thông\. Hạn xử lý: 17:00 thứ Năm 26\/11\/2026/,
      );

      const card = h.lastReply(SUPPORT_CHAT_ID)!;
      expect(card).toContain("🆕 #1 Cấp mới — huynhngocduc85@phuyen.gov.vn (Trung tâm CNTT&TT)");
      expect(card).toContain("Người yêu cầu: Lê Thị Mai (văn thư)");
      expect(card).toContain("còn 3 ngày làm việc");

      // The clerk pressing a support button: refused, nothing changes.
      await h.press(users.clerk, group, "Duyệt");
      expect(h.callbackAnswers().at(-1)).toContain("không có quyền");
      expect(await mailboxByAddress(w.database, "huynhngocduc85@phuyen.gov.vn")).toBeUndefined();

      h.clearCalls();
      await h.press(users.support, group, "Duyệt");
      const mailbox = await mailboxByAddress(w.database, "huynhngocduc85@phuyen.gov.vn");
      expect(mailbox?.status).toBe("active");
      expect(mailbox?.mustChangePassword).toBe(true);
      const edited = h.callsTo("editMessageText").map((c) => String(c.payload.text));
      expect(edited.at(-1)).toContain("#1 đã duyệt bởi Phạm Văn Hùng");
      expect(edited.at(-1)).toContain("Mật khẩu tạm đã gửi riêng");

      // The new person has no Telegram account: the password goes to the requester, privately.
      const passwordCalls = h
        .callsTo("sendMessage")
        .filter((c) => String(c.payload.text).includes("Mật khẩu tạm:"));
      expect(passwordCalls).toHaveLength(1);
      expect(Number(passwordCalls[0]!.payload.chat_id)).toBe(TG.clerk);
      expect(String(passwordCalls[0]!.payload.text)).toContain("hạn 72 giờ");
      const password = /<code>(.+?)<\/code>/.exec(String(passwordCalls[0]!.payload.text))![1]!;
      expect(password.length).toBeGreaterThanOrEqual(8);
      for (const call of h.calls) {
        if (call === passwordCalls[0]) continue;
        expect(JSON.stringify(call.payload)).not.toContain(password);
      }
      expect(w.logLines.join("\n")).not.toContain(password);
      expect(await dumpAllTables(w.database)).not.toContain(password);

      // The card lost its buttons; a second press of the old "Duyệt" (a double click, another
      // instance) is refused by the state machine and changes nothing.
      await expect(h.press(users.support, group, "Duyệt")).rejects.toThrow(
        /No (message with buttons|button)/,
      );
      const before = await countRows(w.database);
      await h.callback(users.support, group, "rq:1:approve:1");
      expect(h.callbackAnswers().at(-1)).toContain("đã được duyệt");
      expect((await countRows(w.database)).mailboxes).toBe(before.mailboxes);

      // The password message is deleted once its time has come, not before.
      const sent = (passwordCalls[0]!.result as { message_id: number }).message_id;
      expect(await runDueDeletions(h.bot.api, w.services, new Date(w.clock.now.getTime() + 9 * 60_000))).toBe(
        0,
      );
      expect(
        await runDueDeletions(h.bot.api, w.services, new Date(w.clock.now.getTime() + 11 * 60_000)),
      ).toBe(1);
      const deletion = h.callsTo("deleteMessage").at(-1)!;
      expect(Number(deletion.payload.chat_id)).toBe(TG.clerk);
      expect(Number(deletion.payload.message_id)).toBe(sent);
      expect(await w.services.messageDeletions.list()).toEqual([]);
    });

    it("one-line form; reject from the support chat asks a reason and tells the requester", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const clerkChat = h.privateChat(users.clerk);
      const group = h.group();
      await h.command(
        users.clerk,
        clerkChat,
        "capmoi",
        "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; hợp đồng 24 tháng",
      );
      expect(h.lastReply(TG.clerk)).toContain("levantam@phuyen.gov.vn");
      await h.press(users.clerk, clerkChat, "Gửi yêu cầu");
      await h.press(users.support, group, "Nhận xử lý");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("Đang xử lý: Phạm Văn Hùng");
      // The edited card keeps the requester's role.
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("(văn thư)");
      await h.press(users.support, group, "Từ chối");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("Lý do từ chối yêu cầu #1?");
      await h.text(users.support, group, "x");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("quá ngắn");
      await h.text(users.support, group, "Trùng với hồ sơ đã cấp");
      expect(h.replies(SUPPORT_CHAT_ID).join("\n")).toContain("#1 bị từ chối bởi Phạm Văn Hùng");
      expect(h.lastReply(TG.clerk)).toContain(
        "Yêu cầu #1 (levantam@phuyen.gov.vn) đã bị từ chối. Lý do: Trùng với hồ sơ đã cấp",
      );
      expect((await w.services.requests.get(1))?.state).toBe("rejected");
    });

    it("another address: the clerk picks only rule addresses; the support desk may type one, marked as an exception", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      await h.command(
        users.clerk,
        chat,
        "capmoi",
        "Huỳnh Ngọc Đức; 03/12/1985; Phòng CNTT; chuyên viên; biên chế",
      );
      await h.press(users.clerk, chat, "Chọn địa chỉ khác");
      // phuyen gives one rule for this person: no alternative, and no free text for the clerk.
      expect(h.lastReply(TG.clerk)).toContain("không đưa ra địa chỉ thay thế");
      await h.text(users.clerk, chat, "hnduc.pcntt@phuyen.gov.vn");
      expect(h.lastReply(TG.clerk)).toContain("Chỉ chọn được các địa chỉ theo quy tắc đặt tên");
      // The service refuses it too, whoever calls it without the override.
      await expect(
        w.services.requests.createCapmoi(
          {
            fullName: "Huỳnh Ngọc Đức",
            birthDate: "1985-12-03",
            unitId: w.units.pcntt,
            employmentType: "civil_servant",
            address: "hnduc.pcntt@phuyen.gov.vn",
            addressOverride: true,
          },
          { kind: "staff", staffId: w.staffIds.clerk },
        ),
      ).rejects.toThrow("không theo quy tắc đặt tên");
      await h.command(users.clerk, chat, "huy");

      // The support desk types one outside the rules: accepted, and said to be an exception.
      const desk = h.privateChat(users.support);
      await h.command(
        users.support,
        desk,
        "capmoi",
        "Huỳnh Ngọc Đức; 03/12/1985; Phòng CNTT; chuyên viên; biên chế",
      );
      await h.press(users.support, desk, "Chọn địa chỉ khác");
      await h.text(users.support, desk, "khong phai dia chi");
      expect(h.lastReply(TG.support)).toContain("không phải địa chỉ thư hợp lệ");
      await h.text(users.support, desk, "hnduc@gmail.com");
      expect(h.lastReply(TG.support)).toContain("tên miền phuyen.gov.vn");
      await h.text(users.support, desk, "hnduc.pcntt@phuyen.gov.vn");
      expect(h.lastReply(TG.support)).toContain("Địa chỉ đề xuất: hnduc.pcntt@phuyen.gov.vn");
      expect(h.lastReply(TG.support)).toContain("NGOẠI LỆ");
      await h.press(users.support, desk, "Gửi yêu cầu");
      const request = await w.services.requests.get(1);
      expect(request?.address).toBe("hnduc.pcntt@phuyen.gov.vn");
      expect(request?.payload.addressOverride).toBe(true);
      // The confirmation's buttons are gone; pressing an old one is answered as expired.
      await h.callback(users.support, desk, "fl:1:abcdef:3:send");
      expect(h.callbackAnswers().at(-1)).toContain("hết hạn");
      expect((await countRows(w.database)).requests).toBe(1);
    });

    it("a staff member asks for themselves: unit head endorses, then the support desk sees it", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.self);
      await h.command(users.self, chat, "capmoi", "Trần Văn Bình");
      expect(h.lastReply(TG.self)).toContain("chỉ có thể đề nghị cấp hộp thư cho chính mình");
      await h.command(users.self, chat, "capmoi");
      expect(h.lastReply(TG.self)).toContain("dangthibinh@phuyen.gov.vn");
      await h.press(users.self, chat, "Gửi yêu cầu");
      expect(h.lastReply(TG.self)).toContain("chờ Thủ trưởng đơn vị xác nhận");
      expect(h.replies(SUPPORT_CHAT_ID)).toEqual([]);
      const headChat = h.privateChat(users.head);
      expect(h.lastReply(TG.head)).toContain("đề nghị cấp hộp thư cá nhân dangthibinh@phuyen.gov.vn");
      // Someone else's endorsement button: refused.
      await h.callback(users.staff, h.privateChat(users.staff), "rq:1:endorse:1");
      expect(h.callbackAnswers().at(-1)).toContain("không có quyền");
      await h.press(users.head, headChat, "Đồng ý");
      expect(h.lastReply(SUPPORT_CHAT_ID)).toContain("🆕 #1 Cấp mới — dangthibinh@phuyen.gov.vn");
      expect(h.lastReply(TG.self)).toContain("đã được Trần Văn Hùng xác nhận");
      // Approve: the owner is linked, so the password goes to her privately.
      await h.press(users.support, h.group(), "Duyệt");
      const pw = h.callsTo("sendMessage").filter((c) => String(c.payload.text).includes("Mật khẩu tạm:"));
      expect(pw.map((c) => Number(c.payload.chat_id))).toEqual([TG.self]);
    });

    // Issue 10: the contract button asks for the length instead of recording a length nobody stated.
    it("the contract button asks for the length and the profile's minimum judges it", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      const original = getProfile("phuyen");
      registerProfile({ ...original, eligibility: { ...original.eligibility, minContractMonths: 24 } });
      try {
        await h.command(users.clerk, chat, "capmoi");
        await h.text(users.clerk, chat, "Lê Thị Hợp Đồng");
        await h.text(users.clerk, chat, "05/06/1992");
        await h.press(users.clerk, chat, "Phòng CNTT");
        await h.press(users.clerk, chat, "Chuyên viên");
        const labels = h.buttonsOf(h.lastKeyboardMessage(TG.clerk)!).map((b) => b.text);
        expect(labels).toEqual(["Biên chế", "Hợp đồng", "« Quay lại"]);
        await h.press(users.clerk, chat, "Hợp đồng");
        expect(h.lastReply(TG.clerk)).toContain("Hợp đồng bao nhiêu tháng?");
        await h.text(users.clerk, chat, "30");
        expect(h.lastReply(TG.clerk)).toContain("Hình thức: Hợp đồng 30 tháng");
        expect(h.lastReply(TG.clerk)).toContain("Địa chỉ đề xuất:");
      } finally {
        registerProfile(original);
      }
    });

    it("refusals: ineligible contract, existing mailbox, unit outside scope", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      const chat = h.privateChat(users.clerk);
      // QĐ 13/2020 sets no minimum contract: refused only once an operator opts in to one.
      const original = getProfile("phuyen");
      registerProfile({ ...original, eligibility: { ...original.eligibility, minContractMonths: 12 } });
      try {
        await h.command(
          users.clerk,
          chat,
          "capmoi",
          "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; hợp đồng 6 tháng",
        );
      } finally {
        registerProfile(original);
      }
      expect(h.lastReply(TG.clerk)).toContain(
        "Chưa thể gửi yêu cầu: Hợp đồng 6 tháng ngắn hơn mức tối thiểu 12 tháng",
      );
      await h.command(users.clerk, chat, "capmoi", "Lê Văn Tâm; 14/02/1990; Sở Y tế; chuyên viên; biên chế");
      expect(h.lastReply(TG.clerk)).toContain(
        'không có đơn vị "Sở Y tế" trong phạm vi'.replace("không", "Không"),
      );
      const staffChat = h.privateChat(users.staff);
      await h.command(users.staff, staffChat, "capmoi");
      expect(h.lastReply(TG.staff)).toContain("đã có hộp thư");
      expect((await countRows(w.database)).requests).toBe(0);
    });
  },
  { resetEach: true },
);
