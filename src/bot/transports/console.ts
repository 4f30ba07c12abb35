/**
 * The local console chat (`npm start` without TELEGRAM_BOT_TOKEN): you type as a demo user, the
 * lines become real Telegram updates fed to the same bot (bot.handleUpdate), and the bot's
 * outgoing calls — answered in-process by LocalBotApi, no network — are printed as text, with
 * buttons as numbered choices: typing the number presses the button (a callback_query update).
 *
 * Console commands (not sent to the bot):
 *   /as <tên | địa chỉ thư | mã>   speak as that staff member; an unlinked one is linked first
 *                                   through the real flow (a link code, then /start <code>)
 *   /as                             list some staff to choose from
 *   /nhom, /rieng                   switch to the support group / back to the private chat
 *   /thoat (or end of input)        quit
 * Works with a TTY and with piped input (tests): lines are handled strictly one after another.
 */
import { createInterface } from "node:readline";
import type { Bot } from "grammy";
import type { Chat, Message, Update, User } from "grammy/types";
import type { Config } from "../../config.ts";
import { CLI, type StaffView } from "../../services/types.ts";
import type { BotContext, BotServices } from "../context.ts";
import { commandOf } from "../create-bot.ts";
import type { LocalBotApi, RecordedCall } from "./local-api.ts";

export interface ConsoleOptions {
  bot: Bot<BotContext>;
  api: LocalBotApi;
  services: BotServices;
  config: Config;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  clock?: () => Date;
}

/** Chat id of the support group when SUPPORT_CHAT_ID is not set. */
export const CONSOLE_SUPPORT_CHAT_ID = -1_000_000_000_001;
/** Synthetic Telegram ids for demo staff: never collide with real ones in a demo database. */
const DEMO_TG_BASE = 800_000_000;
const GUEST: User = { id: 900_000_001, is_bot: false, first_name: "Khách", language_code: "vi" };

const BANNER = `Mailbot — trò chuyện thử trên máy (chưa đặt TELEGRAM_BOT_TOKEN, không kết nối Telegram).
Gõ tin nhắn như trong Telegram. Lệnh của bảng điều khiển:
  /as <tên, địa chỉ thư hoặc mã cán bộ>  nói với tư cách cán bộ đó (tự liên kết tài khoản thử)
  /as                                    liệt kê một số cán bộ mẫu
  /nhom, /rieng                          chuyển sang nhóm hỗ trợ / về chat riêng
  1, 2, …                                bấm nút có số tương ứng
  /thoat                                 thoát
`;

interface Button {
  text: string;
  data: string;
  messageId: number;
}

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { bot, api, services, config, output } = options;
  const clock = options.clock ?? (() => new Date());
  const write = (text: string) => output.write(`${text}\n`);
  const supportChat: Chat = {
    id: config.supportChatId ?? CONSOLE_SUPPORT_CHAT_ID,
    type: "supergroup",
    title: "Nhóm hỗ trợ thư công vụ",
  } as Chat;
  api.registerChat(supportChat);

  let user: User = GUEST;
  let inGroup = false;
  const names = new Map<number, string>([[GUEST.id, GUEST.first_name]]);
  const buttonsByChat = new Map<number, Button[]>();
  // Update ids must not repeat across runs (processed_updates is in the database).
  let nextUpdateId = Date.now() * 100;

  const currentChat = (): Chat =>
    inGroup ? supportChat : ({ id: user.id, type: "private", first_name: user.first_name } as Chat);
  const chatLabel = (chatId: number): string =>
    chatId === supportChat.id ? "nhóm hỗ trợ" : `riêng với ${names.get(chatId) ?? chatId}`;

  const printCall = (call: RecordedCall) => {
    const chatId = Number(call.payload.chat_id);
    const where = Number.isFinite(chatId) && chatId !== currentChat().id ? ` [${chatLabel(chatId)}]` : "";
    if (!call.ok) {
      write(`  (lỗi Bot API ${call.method}: ${call.description ?? ""})`);
      return;
    }
    switch (call.method) {
      case "sendMessage":
      case "editMessageText": {
        const result = call.result as Message;
        const marker = call.method === "sendMessage" ? "🤖" : `✏️ (sửa tin ${result.message_id})`;
        write(`${marker}${where} ${String(call.payload.text).replace(/\n/g, "\n   ")}`);
        const markup = call.payload.reply_markup as
          { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
        const buttons = (markup?.inline_keyboard ?? [])
          .flat()
          .filter((b) => b.callback_data !== undefined)
          .map((b) => ({ text: b.text, data: b.callback_data as string, messageId: result.message_id }));
        if (buttons.length > 0) {
          buttonsByChat.set(chatId, buttons);
          write(`   ${buttons.map((b, i) => `[${i + 1}] ${b.text}`).join("   ")}`);
        } else if (
          call.method === "editMessageText" &&
          buttonsByChat.get(chatId)?.[0]?.messageId === result.message_id
        ) {
          buttonsByChat.delete(chatId);
        }
        break;
      }
      case "editMessageReplyMarkup":
        if (buttonsByChat.get(chatId)?.[0]?.messageId === Number(call.payload.message_id))
          buttonsByChat.delete(chatId);
        break;
      case "deleteMessage":
        write(`🗑${where} (bot đã xóa tin nhắn ${String(call.payload.message_id)})`);
        break;
      case "answerCallbackQuery":
        if (call.payload.text) write(`💬 ${String(call.payload.text)}`);
        break;
      default:
        break;
    }
  };
  api.listeners.push(printCall);

  const date = () => Math.floor(clock().getTime() / 1000);

  const sendText = async (text: string) => {
    const chat = currentChat();
    api.registerChat(chat);
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message = {
      message_id: api.allocateMessageId(chat.id),
      date: date(),
      chat,
      from: user,
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    } as Message;
    api.rememberUserMessage(message);
    await bot.handleUpdate({ update_id: nextUpdateId++, message } as Update);
  };

  const press = async (button: Button) => {
    const chat = currentChat();
    const stored = api.messages.get(`${chat.id}:${button.messageId}`);
    await bot.handleUpdate({
      update_id: nextUpdateId++,
      callback_query: {
        id: String(nextUpdateId),
        from: user,
        chat_instance: String(chat.id),
        data: button.data,
        message: {
          message_id: button.messageId,
          date: date(),
          chat,
          from: { id: api.botInfo.id, is_bot: true, first_name: api.botInfo.first_name },
          text: stored?.text ?? "",
        } as Message,
      },
    } as Update);
  };

  const findStaff = async (query: string): Promise<StaffView | undefined> => {
    if (/^\d+$/.test(query)) return (await services.directory.findStaff({ id: Number(query) }))[0];
    if (query.includes("@")) return (await services.directory.findStaff({ address: query }))[0];
    return (await services.directory.findStaff({ name: query, limit: 5 }))[0];
  };

  const listStaff = async () => {
    const units = await services.directory.listUnits(config.defaultProfile);
    const shown: string[] = [];
    for (const unit of units.slice(0, 8)) {
      for (const person of await services.directory.findStaff({ unitId: unit.id, limit: 3 })) {
        const roles = person.roles.map((r) => r.role).join(", ");
        shown.push(`  ${person.id}. ${person.fullName} — ${unit.name}${roles ? ` (${roles})` : ""}`);
      }
    }
    write(
      shown.length > 0 ? `Một số cán bộ:\n${shown.join("\n")}` : "Chưa có cán bộ nào trong cơ sở dữ liệu.",
    );
  };

  const switchUser = async (query: string) => {
    if (!query) return listStaff();
    let person: StaffView | undefined;
    try {
      person = await findStaff(query);
    } catch (error) {
      write(`(${(error as Error).message})`);
      return;
    }
    if (!person) {
      write(`(Không tìm thấy cán bộ "${query}". Gõ /as để xem danh sách.)`);
      return;
    }
    const telegramId = person.telegramUserId ?? DEMO_TG_BASE + person.id;
    user = { id: telegramId, is_bot: false, first_name: person.fullName, language_code: "vi" };
    names.set(telegramId, person.fullName);
    inGroup = false;
    write(`(Bây giờ bạn là ${person.fullName} — ${person.unitName}, chat riêng với bot.)`);
    if (person.telegramUserId === null) {
      const { code } = await services.identity.createLinkCode({ staffId: person.id }, CLI, 10);
      write(`(Liên kết tài khoản thử: gửi /start với mã một lần.)`);
      await sendText(`/start ${code}`);
    }
  };

  write(BANNER);
  const lines = createInterface({ input: options.input, terminal: false, crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = raw.normalize("NFC").trim();
    if (!line) continue;
    if (!(options.input as { isTTY?: boolean }).isTTY) write(`> ${line}`);
    try {
      const consoleCommand = commandOf(line, undefined);
      if (consoleCommand === "thoat") break;
      if (consoleCommand === "as") {
        await switchUser(line.replace(/^\/as\s*/i, "").trim());
      } else if (consoleCommand === "nhom") {
        inGroup = true;
        write(`(Đang ở nhóm hỗ trợ, chat id ${supportChat.id}.)`);
      } else if (consoleCommand === "rieng") {
        inGroup = false;
        write("(Đang ở chat riêng với bot.)");
      } else if (/^\d{1,2}$/.test(line) && buttonsByChat.get(currentChat().id)?.[Number(line) - 1]) {
        await press(buttonsByChat.get(currentChat().id)![Number(line) - 1]!);
      } else {
        await sendText(line);
      }
    } catch (error) {
      write(`(lỗi: ${(error as Error).message})`);
    }
  }
  lines.close();
  api.listeners.splice(api.listeners.indexOf(printCall), 1);
}
