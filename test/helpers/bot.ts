/**
 * Drives the real bot (createBot) with realistic updates and records every outgoing Bot API call.
 * The Bot gets `client: { fetch }` answered by LocalBotApi (src/bot/transports/local-api.ts), not
 * an api transformer, so nothing can leak to the network and every layer of the bot (throttler,
 * auto-retry, payload building) runs as in production.
 *
 *   const h = await BotHarness.create({ services });
 *   const anna = h.user(1001, "Anna");
 *   await h.command(anna, h.privateChat(anna), "start", code);
 *   expect(h.lastReply(anna.id)).toContain("Đã liên kết");
 *   await h.press(anna, chat, "Duyệt");          // a button of the latest message with a keyboard
 *   await h.callback(anna, chat, "rq:1:approve:9"); // raw data (stale/garbage tests)
 *   h.callsTo("sendMessage")
 */
import { Writable } from "node:stream";
import type { Bot } from "grammy";
import type { Chat, Message, Update, User } from "grammy/types";
import { parseConfig, type Config } from "../../src/config.ts";
import { createLogger, type Logger } from "../../src/logger.ts";
import type { BotContext, BotFeature, BotServices } from "../../src/bot/context.ts";
import { ALL_FEATURES } from "../../commands/index.ts";
import { createBot } from "../../src/bot/create-bot.ts";
import {
  LocalBotApi,
  localBotInfo,
  type RecordedCall,
  type StoredMessage,
} from "../../src/bot/transports/local-api.ts";

export type { RecordedCall };

export const TEST_BOT_USERNAME = "mailbot_test_bot";
export const SUPPORT_CHAT_ID = -1001234567890;

/** Config as from an empty environment, plus overrides. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...parseConfig({}), botUsername: TEST_BOT_USERNAME, supportChatId: SUPPORT_CHAT_ID, ...overrides };
}

/** A pino logger writing into `lines` (JSON strings), to assert what reaches the logs. */
export function captureLogger(level: Config["logLevel"] = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      callback();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

export interface HarnessOptions {
  services: BotServices;
  config?: Partial<Config>;
  clock?: () => Date;
  features?: readonly BotFeature[];
  logger?: Logger;
  throttle?: boolean;
  identityCacheMs?: number;
}

/** Shared by every harness in the process: a "restarted" bot sees fresh update ids, as in production. */
let lastUpdateId = 0;

export class BotHarness {
  private constructor(
    readonly bot: Bot<BotContext>,
    readonly api: LocalBotApi,
    readonly clock: () => Date,
    readonly logLines: string[],
  ) {}

  static async create(options: HarnessOptions): Promise<BotHarness> {
    const clock = options.clock ?? (() => new Date());
    const botInfo = localBotInfo(TEST_BOT_USERNAME);
    const api = new LocalBotApi(botInfo, clock);
    const captured = options.logger ? { logger: options.logger, lines: [] } : captureLogger();
    const bot = createBot({
      config: testConfig({ telegramBotToken: "123456:TEST-token-for-the-harness-only", ...options.config }),
      services: options.services,
      logger: captured.logger,
      clock,
      botInfo,
      fetch: api.fetch,
      throttle: options.throttle ?? false,
      features: options.features ?? ALL_FEATURES,
      ...(options.identityCacheMs !== undefined ? { identityCacheMs: options.identityCacheMs } : {}),
    });
    await bot.init();
    return new BotHarness(bot, api, clock, captured.lines);
  }

  // --- actors --------------------------------------------------------------------------------

  user(id: number, firstName: string, lastName?: string): User {
    return {
      id,
      is_bot: false,
      first_name: firstName,
      ...(lastName ? { last_name: lastName } : {}),
      language_code: "vi",
    };
  }

  privateChat(user: User): Chat.PrivateChat {
    const chat: Chat.PrivateChat = { id: user.id, type: "private", first_name: user.first_name };
    this.api.registerChat(chat);
    return chat;
  }

  group(id = SUPPORT_CHAT_ID, title = "Hỗ trợ thư công vụ"): Chat.SupergroupChat {
    const chat: Chat.SupergroupChat = { id, type: "supergroup", title };
    this.api.registerChat(chat);
    return chat;
  }

  // --- updates -------------------------------------------------------------------------------

  nextUpdateId(): number {
    return ++lastUpdateId;
  }

  /** Feeds one raw update (fixed update_id allowed, for de-duplication tests). */
  async send(update: Update): Promise<void> {
    await this.bot.handleUpdate(update);
  }

  message(user: User, chat: Chat, text: string): Message.TextMessage {
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message = {
      message_id: this.api.allocateMessageId(chat.id),
      date: Math.floor(this.clock().getTime() / 1000),
      chat,
      from: user,
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
    } as Message.TextMessage;
    this.api.rememberUserMessage(message);
    return message;
  }

  /** A text message (commands get their bot_command entity, as Telegram adds it). */
  async text(
    user: User,
    chat: Chat,
    text: string,
    updateId = this.nextUpdateId(),
  ): Promise<Message.TextMessage> {
    const message = this.message(user, chat, text);
    await this.send({ update_id: updateId, message } as Update);
    return message;
  }

  async command(user: User, chat: Chat, name: string, args = ""): Promise<Message.TextMessage> {
    return this.text(user, chat, args ? `/${name} ${args}` : `/${name}`);
  }

  /** A button press with raw `data` on `message` (default: the latest bot message in the chat). */
  async callback(user: User, chat: Chat, data: string, message?: Message | StoredMessage): Promise<void> {
    const stored = message && "messageId" in message ? message : undefined;
    const target = stored ?? (message as Message | undefined);
    const latest = this.lastBotMessage(chat.id);
    const messageId =
      stored?.messageId ?? (target as Message | undefined)?.message_id ?? latest?.messageId ?? 1;
    await this.send({
      update_id: this.nextUpdateId(),
      callback_query: {
        id: `cq${lastUpdateId}`,
        from: user,
        chat_instance: `ci${chat.id}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(this.clock().getTime() / 1000),
          chat,
          from: { id: this.api.botInfo.id, is_bot: true, first_name: this.api.botInfo.first_name },
          text: stored?.text ?? latest?.text ?? "",
        } as Message,
      },
    });
  }

  /** Presses the button labelled `label` on the latest bot message with a keyboard in `chat`. */
  async press(user: User, chat: Chat, label: string | RegExp): Promise<void> {
    const message = this.lastKeyboardMessage(chat.id);
    if (!message) throw new Error(`No message with buttons in chat ${chat.id}`);
    const button = this.buttonsOf(message).find((b) =>
      typeof label === "string" ? b.text === label : label.test(b.text),
    );
    if (!button) {
      throw new Error(
        `No button "${String(label)}"; have: ${this.buttonsOf(message)
          .map((b) => b.text)
          .join(", ")}`,
      );
    }
    await this.callback(user, chat, button.data, message);
  }

  // --- assertions ----------------------------------------------------------------------------

  get calls(): RecordedCall[] {
    return this.api.calls;
  }

  callsTo(method: string): RecordedCall[] {
    return this.api.calls.filter((call) => call.method === method);
  }

  clearCalls(): void {
    this.api.calls.length = 0;
  }

  /** Texts the bot sent (sendMessage) or edited into (editMessageText) in `chatId`, in order. */
  replies(chatId: number): string[] {
    return this.api.calls
      .filter(
        (c) =>
          (c.method === "sendMessage" || c.method === "editMessageText") &&
          Number(c.payload.chat_id) === chatId,
      )
      .map((c) => String(c.payload.text));
  }

  lastReply(chatId: number): string | undefined {
    return this.replies(chatId).at(-1);
  }

  /** Toast/alert texts of answerCallbackQuery calls. */
  callbackAnswers(): (string | undefined)[] {
    return this.callsTo("answerCallbackQuery").map((c) => c.payload.text as string | undefined);
  }

  lastBotMessage(chatId: number): StoredMessage | undefined {
    return [...this.api.messages.values()]
      .filter((m) => m.chatId === chatId && m.fromBot && !m.deleted)
      .at(-1);
  }

  lastKeyboardMessage(chatId: number): StoredMessage | undefined {
    return [...this.api.messages.values()]
      .filter((m) => m.chatId === chatId && m.fromBot && !m.deleted && this.buttonsOf(m).length > 0)
      .at(-1);
  }

  buttonsOf(message: StoredMessage): { text: string; data: string }[] {
    const markup = message.replyMarkup as
      { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
    return (markup?.inline_keyboard ?? [])
      .flat()
      .filter((b) => b.callback_data !== undefined)
      .map((b) => ({ text: b.text, data: b.callback_data as string }));
  }

  /** Everything the bot wrote anywhere (texts, payloads) and every log line, for "no password leaks" checks. */
  everythingSaid(): string {
    return [...this.api.calls.map((c) => JSON.stringify(c.payload)), ...this.logLines].join("\n");
  }
}

/** A controllable clock: `clock.now()` for deps, `advance(ms)` to move time. */
export class TestClock {
  constructor(private current = new Date("2026-11-23T02:00:00Z")) {}
  readonly now = (): Date => new Date(this.current.getTime());
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
