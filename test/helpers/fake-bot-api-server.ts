/**
 * A fake Telegram Bot API server on 127.0.0.1 (random port) for end-to-end tests that run the bot
 * as a process with TELEGRAM_API_ROOT pointed here. It answers like the real API (LocalBotApi:
 * getMe, setMyCommands, sendMessage with message ids, edits, deletes, getUpdates long polling…),
 * records every call, and lets the test queue updates as if users had typed them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Chat, Message, Update, User } from "grammy/types";
import { LocalBotApi, localBotInfo, type RecordedCall } from "../../src/bot/transports/local-api.ts";

export const FAKE_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl";

export class FakeBotApiServer {
  readonly api: LocalBotApi;
  private server: Server | undefined;
  private updateId: number;
  private readonly requestWaiters: { method: string; resolve: () => void }[] = [];
  /** Every Bot API method requested over HTTP, in order; getUpdates too (api.calls omits it). */
  readonly requested: string[] = [];
  /**
   * Who sent each request, for tests with several bot processes: a process whose
   * TELEGRAM_API_ROOT is `apiRoot + "/<caller>"` is recorded as `<caller>` ("" without one).
   */
  readonly callers: { caller: string; method: string; chatId: unknown }[] = [];
  port = 0;
  /** How long `waitFor` waits by default: a bot in another process on a loaded machine is slow. */
  waitTimeoutMs = 60_000;

  /** `firstUpdateId`: ids go on from there (a bot restarted on one database ignores ids it saw). */
  constructor(username = "mailbot_e2e_bot", firstUpdateId = 1000) {
    this.api = new LocalBotApi(localBotInfo(username));
    this.updateId = firstUpdateId;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get calls(): RecordedCall[] {
    return this.api.calls;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const match = /^(?:\/([a-z0-9]+))?\/bot([^/]+)\/([A-Za-z]+)$/.exec(
          (req.url ?? "").split("?")[0] ?? "",
        );
        const send = (status: number, body: unknown) =>
          res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
        if (!match) return send(404, { ok: false, error_code: 404, description: "Not Found" });
        const caller = match[1] ?? "";
        const method = match[3]!;
        if (match[2] !== FAKE_TOKEN)
          return send(401, { ok: false, error_code: 401, description: "Unauthorized" });
        this.requested.push(method);
        for (const waiter of this.requestWaiters.filter((w) => w.method === method)) {
          this.requestWaiters.splice(this.requestWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        let payload: Record<string, unknown> = {};
        try {
          payload = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        } catch {
          return send(400, { ok: false, error_code: 400, description: "Bad Request: invalid JSON" });
        }
        this.callers.push({ caller, method, chatId: payload.chat_id });
        this.api.call(method, payload).then(
          (response) => send(response.ok ? 200 : Number(response.error_code ?? 400), response),
          () => send(500, { ok: false, error_code: 500, description: "Internal Server Error" }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Resolves at the first HTTP request for `method` (at once if one came already): an event, not a poll. */
  nextRequest(method: string): Promise<void> {
    if (this.requested.includes(method)) return Promise.resolve();
    return new Promise((resolve) => this.requestWaiters.push({ method, resolve }));
  }

  /**
   * The next update id: increasing, as Telegram's are (getUpdates drops ids below the offset, so
   * an update queued with a smaller id than one already handled would never arrive).
   */
  nextUpdateId(): number {
    return this.updateId++;
  }

  /** Queues a text message from `user` (in a private chat unless `chat` is given). */
  userSays(user: User, text: string, chat?: Chat): Update {
    const where: Chat = chat ?? ({ id: user.id, type: "private", first_name: user.first_name } as Chat);
    this.api.registerChat(where);
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const update = {
      update_id: this.nextUpdateId(),
      message: {
        message_id: this.api.allocateMessageId(where.id),
        date: Math.floor(Date.now() / 1000),
        chat: where,
        from: user,
        text,
        ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      } as Message,
    } as Update;
    this.api.queueUpdate(update);
    return update;
  }

  /** Waits until a call matching `predicate` was recorded (polls every 50 ms). */
  // Generous by default: a bot process on a busy machine answers late, and waiting costs nothing
  // when it answers at once (this polls for an event; it is not a sleep).
  async waitFor(
    predicate: (call: RecordedCall) => boolean,
    timeoutMs = this.waitTimeoutMs,
  ): Promise<RecordedCall> {
    const started = Date.now();
    for (;;) {
      const found = this.api.calls.find(predicate);
      if (found) return found;
      if (Date.now() - started > timeoutMs) {
        throw new Error(`Timed out; calls so far: ${this.api.calls.map((c) => c.method).join(", ")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
