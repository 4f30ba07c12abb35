/**
 * The local console chat (`npm start` without TELEGRAM_BOT_TOKEN): you type as a demo user, the
 * lines become real Telegram updates fed to the same bot (bot.handleUpdate), and the bot's
 * outgoing calls — answered in-process by LocalBotApi, no network — are printed as text, with
 * buttons as numbered choices: typing the number presses the button (a callback_query update).
 * Numbers run on through the session, so the buttons of an earlier card stay pressable until
 * the bot edits them away (as in Telegram). Text sent with parse_mode HTML is shown readably:
 * bold as bold (on a terminal) or *bold*, code as `code`, entities decoded — never raw tags.
 * A prompt ("Tên ›") shows when the chat is ready for the next line.
 *
 * Console commands (not sent to the bot):
 *   /as <tên | địa chỉ thư | mã>   speak as that staff member; an unlinked one is linked first
 *                                   through the real flow (a link code, then /start <code>)
 *   /as                             list some staff to choose from
 *   /nhom, /rieng                   switch to the support group / back to the private chat
 *   /nhacviec [dd/mm/yyyy]          run the reminder sweep now (or as of that day, 09:00), as the
 *                                   scheduler would: the digests arrive in the chats of linked staff
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
  /**
   * Runs the reminder sweep as of `at` and returns one line saying what it did (main.ts wires
   * the real sweep with its duty attachment); absent = /nhacviec says reminders are off.
   */
  remind?: (at: Date) => Promise<string>;
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
  /nhacviec [dd/mm/yyyy]                 chạy nhắc việc ngay (hoặc như vào ngày đó, 09:00)
  1, 2, …                                bấm nút có số tương ứng (cả nút của tin cũ)
  /thoat                                 thoát
`;

interface Button {
  text: string;
  data: string;
  chatId: number;
  messageId: number;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };

/**
 * Telegram HTML (the subset the bot uses: b, strong, i, em, u, s, code, pre, a) as console text:
 * bold with ANSI on a terminal, else *bold*; code as `code`; links as "text (url)"; entities
 * decoded. Pure.
 */
export function renderHtml(text: string, ansi: boolean): string {
  const bold = (inner: string) => (ansi ? `\x1b[1m${inner}\x1b[22m` : `*${inner}*`);
  return text
    .replace(/<(b|strong)>([\s\S]*?)<\/\1>/g, (_m, _t, inner: string) => bold(inner))
    .replace(/<(code|pre)>([\s\S]*?)<\/\1>/g, (_m, _t, inner: string) => `\`${inner}\``)
    .replace(/<a href="([^"]*)">([\s\S]*?)<\/a>/g, (_m, url: string, inner: string) => `${inner} (${url})`)
    .replace(/<\/?(i|em|u|ins|s|del|strike|tg-spoiler|blockquote)>/g, "")
    .replace(/&(amp|lt|gt|quot|apos|#39);/g, (_m, name: string) => ENTITIES[name] ?? _m);
}

/** "24/12/2026" → that day at 09:00 in Vietnam (UTC+7); null when it is not a date. */
export function parseDemoDay(text: string): Date | null {
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!match) return null;
  const [day, month, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const at = new Date(Date.UTC(year, month - 1, day, 2, 0));
  return at.getUTCDate() === day && at.getUTCMonth() === month - 1 ? at : null;
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
  // Every button shown in this session, by its number; a message's buttons leave when the bot
  // edits or deletes that message.
  const buttons = new Map<number, Button>();
  let nextButton = 1;
  const ansi = Boolean((output as { isTTY?: boolean }).isTTY);
  const dropButtonsOf = (chatId: number, messageId: number) => {
    for (const [n, b] of buttons) if (b.chatId === chatId && b.messageId === messageId) buttons.delete(n);
  };
  // Update ids must not repeat across runs (processed_updates is in the database).
  let nextUpdateId = Date.now() * 100;

  const currentChat = (): Chat =>
    inGroup ? supportChat : ({ id: user.id, type: "private", first_name: user.first_name } as Chat);
  const chatLabel = (chatId: number): string =>
    chatId === supportChat.id ? "nhóm hỗ trợ" : `riêng với ${names.get(chatId) ?? chatId}`;

  /** Numbers the message's buttons anew (an edit replaces them; no keyboard removes them). */
  const showButtons = (chatId: number, messageId: number, markup: unknown) => {
    dropButtonsOf(chatId, messageId);
    const keyboard = (
      markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined
    )?.inline_keyboard;
    const shown: string[] = [];
    for (const b of (keyboard ?? []).flat()) {
      if (b.callback_data === undefined) continue;
      const n = nextButton++;
      buttons.set(n, { text: b.text, data: b.callback_data, chatId, messageId });
      shown.push(`[${n}] ${b.text}`);
    }
    if (shown.length > 0) write(`   ${shown.join("   ")}`);
  };

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
        const raw = String(call.payload.text);
        const text = call.payload.parse_mode === "HTML" ? renderHtml(raw, ansi) : raw;
        write(`${marker}${where} ${text.replace(/\n/g, "\n   ")}`);
        showButtons(chatId, result.message_id, call.payload.reply_markup);
        break;
      }
      case "editMessageReplyMarkup":
        showButtons(chatId, Number(call.payload.message_id), call.payload.reply_markup);
        break;
      case "sendDocument":
      case "sendPhoto": {
        const file = (call.payload.document ?? call.payload.photo) as
          { filename?: string } | string | undefined;
        const name = typeof file === "object" && file?.filename ? file.filename : "tệp";
        const caption = call.payload.caption ? ` — ${String(call.payload.caption)}` : "";
        write(`${call.method === "sendPhoto" ? "🖼" : "📎"}${where} ${name}${caption}`);
        break;
      }
      case "deleteMessage":
        dropButtonsOf(chatId, Number(call.payload.message_id));
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
    if (button.chatId !== chat.id) {
      write(
        `(Nút [${[...buttons].find(([, b]) => b === button)?.[0]}] ở ${chatLabel(button.chatId)}; chuyển sang chat đó rồi bấm.)`,
      );
      return;
    }
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

  const prompt = () => {
    output.write(`${inGroup ? `${user.first_name} @ nhóm hỗ trợ` : user.first_name} › `);
    if (!(options.input as { isTTY?: boolean }).isTTY) output.write("\n");
  };

  const remindNow = async (arg: string) => {
    if (!options.remind) {
      write("(Nhắc việc không có trong phiên này.)");
      return;
    }
    const at = arg ? parseDemoDay(arg) : clock();
    if (!at) {
      write(`(Ngày "${arg}" không hợp lệ: viết dd/mm/yyyy, ví dụ /nhacviec 24/12/2026.)`);
      return;
    }
    write(`(${await options.remind(at)})`);
  };

  write(BANNER);
  write("(Sẵn sàng. Gõ /as để chọn cán bộ, rồi gõ lệnh như trong Telegram, ví dụ /help.)");
  prompt();
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
      } else if (consoleCommand === "nhacviec") {
        await remindNow(line.replace(/^\/nhacviec\s*/i, "").trim());
      } else if (/^\d{1,4}$/.test(line) && buttons.has(Number(line))) {
        await press(buttons.get(Number(line))!);
      } else {
        await sendText(line);
      }
    } catch (error) {
      write(`(lỗi: ${(error as Error).message})`);
    }
    prompt();
  }
  lines.close();
  api.listeners.splice(api.listeners.indexOf(printCall), 1);
}
