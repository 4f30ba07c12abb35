/**
 * A Bot API answered in-process: the console chat and the tests give it to the Bot as its client
 * `fetch`, so the bot runs unchanged (same transformers, same payloads) with no network. It keeps
 * the messages it "sent" per chat so edits and deletes behave like Telegram's (unknown message →
 * 400), numbers messages per chat, and records every call with its result.
 */
import type { Chat, Message, Update, User, UserFromGetMe } from "grammy/types";

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** `result` when ok, else the error description. */
  ok: boolean;
  result?: unknown;
  description?: string;
}

export interface StoredMessage {
  chatId: number;
  messageId: number;
  text: string;
  replyMarkup: unknown;
  fromBot: boolean;
  deleted: boolean;
}

export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
  ) {
    super(description);
  }
}

export type MethodOverride = (payload: Record<string, unknown>) => unknown;

export class LocalBotApi {
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<string, StoredMessage>();
  /** Listeners see each call after it is answered (the console prints them). */
  readonly listeners: ((call: RecordedCall) => void)[] = [];
  /** Replace the answer of a method (tests: simulate 429, 403 blocked…). */
  readonly overrides = new Map<string, MethodOverride>();
  private readonly chats = new Map<number, Chat>();
  private readonly nextMessageId = new Map<number, number>();
  private readonly updateQueue: Update[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    readonly botInfo: UserFromGetMe,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Makes a chat known (type, title) so results carry realistic chat objects. */
  registerChat(chat: Chat): void {
    this.chats.set(chat.id, chat);
  }

  chatOf(chatId: number): Chat {
    const known = this.chats.get(chatId);
    if (known) return known;
    return chatId > 0
      ? ({ id: chatId, type: "private", first_name: `Người dùng ${chatId}` } as Chat)
      : ({ id: chatId, type: "supergroup", title: `Nhóm ${chatId}` } as Chat);
  }

  /** A message id for a user's own message in `chatId`, from the same counter as the bot's. */
  allocateMessageId(chatId: number): number {
    const next = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, next + 1);
    return next;
  }

  rememberUserMessage(message: Message): void {
    this.messages.set(`${message.chat.id}:${message.message_id}`, {
      chatId: message.chat.id,
      messageId: message.message_id,
      text: message.text ?? "",
      replyMarkup: undefined,
      fromBot: false,
      deleted: false,
    });
  }

  /** Queues an update for getUpdates (long polling against the fake server). */
  queueUpdate(update: Update): void {
    this.updateQueue.push(update);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private date(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  private botMessage(chatId: number, text: string, replyMarkup: unknown): Message {
    const messageId = this.allocateMessageId(chatId);
    this.messages.set(`${chatId}:${messageId}`, {
      chatId,
      messageId,
      text,
      replyMarkup,
      fromBot: true,
      deleted: false,
    });
    return {
      message_id: messageId,
      date: this.date(),
      chat: this.chatOf(chatId),
      from: {
        id: this.botInfo.id,
        is_bot: true,
        first_name: this.botInfo.first_name,
        username: this.botInfo.username,
      } as User,
      text,
      ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    } as Message;
  }

  private existing(payload: Record<string, unknown>, action: string): StoredMessage {
    const key = `${Number(payload.chat_id)}:${Number(payload.message_id)}`;
    const message = this.messages.get(key);
    if (!message || message.deleted)
      throw new BotApiError(400, `Bad Request: message to ${action} not found`);
    return message;
  }

  private checkText(text: unknown): string {
    if (typeof text !== "string" || text.trim() === "")
      throw new BotApiError(400, "Bad Request: message text is empty");
    if (text.length > 4096) throw new BotApiError(400, "Bad Request: message is too long");
    return text;
  }

  private answer(method: string, payload: Record<string, unknown>): unknown {
    const override = this.overrides.get(method);
    if (override) return override(payload);
    switch (method) {
      case "getMe":
        return this.botInfo;
      case "sendMessage": {
        const text = this.checkText(payload.text);
        return this.botMessage(Number(payload.chat_id), text, payload.reply_markup);
      }
      case "editMessageText": {
        const message = this.existing(payload, "edit");
        const text = this.checkText(payload.text);
        if (
          text === message.text &&
          JSON.stringify(payload.reply_markup) === JSON.stringify(message.replyMarkup)
        ) {
          throw new BotApiError(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
          );
        }
        message.text = text;
        message.replyMarkup = payload.reply_markup;
        return {
          message_id: message.messageId,
          date: this.date(),
          edit_date: this.date(),
          chat: this.chatOf(message.chatId),
          text,
          ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        };
      }
      case "editMessageReplyMarkup": {
        const message = this.existing(payload, "edit");
        message.replyMarkup = payload.reply_markup;
        return {
          message_id: message.messageId,
          date: this.date(),
          chat: this.chatOf(message.chatId),
          text: message.text,
        };
      }
      case "deleteMessage": {
        this.existing(payload, "delete").deleted = true;
        return true;
      }
      case "getUpdates":
        return this.takeUpdates(payload);
      case "getChat":
        return this.chatOf(Number(payload.chat_id));
      case "getWebhookInfo":
        return { url: "", has_custom_certificate: false, pending_update_count: 0 };
      default:
        // setMyCommands, answerCallbackQuery, sendChatAction, setWebhook, deleteWebhook, close…
        return true;
    }
  }

  private takeUpdates(payload: Record<string, unknown>): Update[] | Promise<Update[]> {
    const offset = Number(payload.offset ?? 0);
    while (this.updateQueue.length > 0 && this.updateQueue[0]!.update_id < offset) this.updateQueue.shift();
    const limit = Number(payload.limit ?? 100);
    if (this.updateQueue.length > 0) return this.updateQueue.slice(0, limit);
    const timeoutSeconds = Math.min(Number(payload.timeout ?? 0), 2);
    if (timeoutSeconds <= 0) return [];
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve([]), timeoutSeconds * 1000);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(this.updateQueue.slice(0, limit));
      });
    });
  }

  /** Answers one call like the Bot API would: `{ ok, result }` or `{ ok: false, error_code, description }`. */
  async call(method: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    let record: RecordedCall;
    let response: Record<string, unknown>;
    try {
      const result = await this.answer(method, payload);
      record = { method, payload, ok: true, result };
      response = { ok: true, result };
    } catch (error) {
      if (!(error instanceof BotApiError)) throw error;
      record = { method, payload, ok: false, description: error.description };
      response = {
        ok: false,
        error_code: error.errorCode,
        description: error.description,
        ...(error.errorCode === 429 ? { parameters: { retry_after: 1 } } : {}),
      };
    }
    if (method !== "getUpdates") {
      this.calls.push(record);
      for (const listener of this.listeners) listener(record);
    }
    return response;
  }

  /** grammY's client `fetch`: `<root>/bot<token>/<method>` with a JSON body. */
  readonly fetch = async (url: string, init: { body?: unknown; headers?: unknown } = {}) => {
    const method = String(url).split("/").pop() ?? "";
    let payload: Record<string, unknown> = {};
    const boundary = multipartBoundary(init.headers);
    if (typeof init.body === "string" && init.body.length > 0) {
      payload = JSON.parse(init.body) as Record<string, unknown>;
    } else if (boundary && isAsyncIterable(init.body)) {
      // sendPhoto / sendDocument with an uploaded file: fields as JSON values, files as Buffers.
      payload = parseMultipart(await collect(init.body), boundary);
    } else if (init.body !== undefined && init.body !== null) {
      return {
        json: async () => ({
          ok: false,
          error_code: 400,
          description: "Bad Request: file uploads are not supported locally",
        }),
      };
    }
    const response = await this.call(method, payload);
    return { json: async () => response };
  };
}

/** getMe of the local bot (console and tests). */
export function localBotInfo(username = "mailbot_local_bot", id = 7_000_000_001): UserFromGetMe {
  return {
    id,
    is_bot: true,
    first_name: "Mailbot",
    username,
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

// --- multipart uploads (InputFile) ------------------------------------------------------------

function multipartBoundary(headers: unknown): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const type = Object.entries(headers as Record<string, unknown>).find(
    ([k]) => k.toLowerCase() === "content-type",
  )?.[1];
  return typeof type === "string" ? /boundary=([^;]+)/.exec(type)?.[1] : undefined;
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array | string> {
  return !!x && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

async function collect(body: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A recorded upload: the file's name and bytes. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

function parseMultipart(raw: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const files: Record<string, UploadedFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split !== -1) {
      const head = part.subarray(0, split).toString("utf8");
      const data = part.subarray(split + 4);
      const name = /name="([^"]*)"/.exec(head)?.[1] ?? "";
      const filename = /filename="?([^";\r\n]*)"?/.exec(head)?.[1];
      if (filename !== undefined) files[name] = { filename, data: Buffer.from(data) };
      else {
        const text = data.toString("utf8");
        try {
          out[name] = JSON.parse(text) as unknown;
        } catch {
          out[name] = text;
        }
      }
    }
    start = next;
  }
  // grammY sends `photo: "attach://<id>"` and the file under <id>: put the file in its place.
  for (const [key, value] of Object.entries(out)) {
    const ref = typeof value === "string" ? /^attach:\/\/(.+)$/.exec(value)?.[1] : undefined;
    if (ref && files[ref]) out[key] = files[ref];
  }
  return out;
}
