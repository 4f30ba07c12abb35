/**
 * After "Duyệt", the support group's card says who actually received the temporary password
 * (the mailbox's user, or the requester on their behalf), or that nobody did and what to do.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { BotApiError } from "../../src/bot/transports/local-api.ts";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { makeWorld, TG, type World } from "./world.ts";

/** `who` files /khoiphuc for nguyenvanan@ in their private chat; returns the request's card. */
async function fileKhoiphuc(w: World, who: "staff" | "head"): Promise<void> {
  const chat = w.h.privateChat(w.users[who]);
  await w.h.command(w.users[who], chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
  await w.h.press(w.users[who], chat, "Gửi");
  expect(w.h.lastReply(SUPPORT_CHAT_ID)).toContain("Khôi phục — nguyenvanan@phuyen.gov.vn");
}

/** The card's text after the desk pressed "Duyệt". */
async function approve(w: World): Promise<string> {
  w.h.clearCalls();
  await w.h.press(w.users.support, w.h.group(), "Duyệt");
  const edits = w.h.callsTo("editMessageText").filter((c) => Number(c.payload.chat_id) === SUPPORT_CHAT_ID);
  return String(edits.at(-1)?.payload.text);
}

const passwordCalls = (w: World) =>
  w.h.callsTo("sendMessage").filter((c) => String(c.payload.text).includes("Mật khẩu tạm:"));

describeEachDb(
  "the support group is told who received the temporary password",
  (getDb) => {
    it("to the mailbox's own user: the card names them", async () => {
      const w = await makeWorld(getDb());
      await fileKhoiphuc(w, "staff");
      const card = await approve(w);
      expect(card).toContain(
        "Mật khẩu tạm đã gửi riêng cho Nguyễn Văn An (người dùng nguyenvanan@phuyen.gov.vn) qua Telegram.",
      );
      expect(passwordCalls(w).map((c) => Number(c.payload.chat_id))).toEqual([TG.staff]);
    });

    it("the user has no Telegram: it goes to the requester, and the card says so and what they must do", async () => {
      const w = await makeWorld(getDb());
      await fileKhoiphuc(w, "head");
      await w.database.execute(sql`update staff set telegram_user_id = null where id = ${w.staffIds.staff}`);
      const card = await approve(w);
      expect(card).toContain(
        "Mật khẩu tạm đã gửi riêng cho Trần Văn Hùng (người gửi yêu cầu, lãnh đạo đơn vị), vì Nguyễn Văn An chưa liên kết Telegram với bot: Trần Văn Hùng cần trao tận tay cho Nguyễn Văn An.",
      );
      expect(passwordCalls(w).map((c) => Number(c.payload.chat_id))).toEqual([TG.head]);
    });

    it("Telegram refuses the message (blocked bot): the card says nobody got it and what the desk must do", async () => {
      const w = await makeWorld(getDb());
      await fileKhoiphuc(w, "staff");
      const api = w.h.api as unknown as {
        overrides: Map<string, (p: Record<string, unknown>) => unknown>;
        botMessage(chatId: number, text: string, markup: unknown): unknown;
      };
      api.overrides.set("sendMessage", (payload) => {
        if (Number(payload.chat_id) === TG.staff)
          throw new BotApiError(403, "Forbidden: bot was blocked by the user");
        return api.botMessage(Number(payload.chat_id), String(payload.text), payload.reply_markup);
      });
      const card = await approve(w);
      api.overrides.delete("sendMessage");
      expect(card).toContain(
        "⚠️ Mật khẩu tạm CHƯA đến tay ai: Telegram không chuyển được tin nhắn cho Nguyễn Văn An (đã chặn bot hoặc chưa từng mở chat với bot).",
      );
      expect(card).toContain("sau đó Nguyễn Văn An gõ /doimk quenmk để được cấp mật khẩu tạm mới.");
      expect(card).not.toContain("đã gửi riêng");
    });

    it("the requester unlinked before the approval: nobody has a chat; the card says so", async () => {
      const w = await makeWorld(getDb());
      await fileKhoiphuc(w, "staff");
      await w.database.execute(sql`update staff set telegram_user_id = null where id = ${w.staffIds.staff}`);
      const card = await approve(w);
      expect(card).toContain(
        "⚠️ Mật khẩu tạm CHƯA đến tay ai: Nguyễn Văn An chưa liên kết Telegram với bot. Mật khẩu không được lưu nên không xem lại được.",
      );
      expect(card).toContain("mailbot link-code --staff nguyenvanan@phuyen.gov.vn");
      expect(passwordCalls(w)).toEqual([]);
    });
  },
  { resetEach: true },
);
