/**
 * Dovecot through its doveadm HTTP API (`service doveadm { inet_listener http }`,
 * `doveadm_api_key`): JSON commands such as fetch, kick and expunge, several per request.
 */
import { z } from "zod";
import {
  ConnectorError,
  type MailServerConnector,
  type MessageChanges,
  type MessageQuery,
  type ServerMessage,
} from "./connector.ts";

export interface DoveadmOptions {
  /** e.g. http://127.0.0.1:8080/doveadm/v1 */
  url: string;
  apiKey: string;
  /** Folder holding sent mail (replies are matched by In-Reply-To). */
  sentFolder?: string;
  /** Mailboxes per HTTP request. */
  batchSize?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Command = [string, Record<string, unknown>, string];

const ResponseSchema = z.array(z.tuple([z.string(), z.unknown(), z.string()]));
const FetchRowSchema = z.record(z.string(), z.string());

const FIELDS = [
  "uid",
  "flags",
  "date.received.unixtime",
  "hdr.message-id",
  "hdr.from",
  "hdr.subject",
  "hdr.in-reply-to",
  "hdr.auto-submitted",
  "hdr.precedence",
  "hdr.list-id",
];

/** Unix seconds (no time-zone guessing). */
function parseReceived(value: string | undefined): Date {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : new Date(0);
}

function toMessage(row: Record<string, string>): ServerMessage {
  return {
    uid: Number(row.uid ?? 0),
    messageId: (row["hdr.message-id"] ?? "").trim(),
    from: (row["hdr.from"] ?? "").trim(),
    subject: (row["hdr.subject"] ?? "").trim(),
    inReplyTo: (row["hdr.in-reply-to"] ?? "").trim(),
    autoSubmitted: (row["hdr.auto-submitted"] ?? "").trim(),
    precedence: (row["hdr.precedence"] ?? "").trim(),
    listId: (row["hdr.list-id"] ?? "").trim(),
    receivedAt: parseReceived(row["date.received.unixtime"]),
    answered: /\\Answered/i.test(row.flags ?? ""),
  };
}

/** IMAP SEARCH date (SINCE 2-Dec-2026): day granularity, so a day early is the safe side. */
function imapDate(date: Date): string {
  // doveadm dies (Fatal) on a bad date and takes the whole request with it: never send one.
  if (Number.isNaN(date.getTime())) throw new ConnectorError("ngày tìm kiếm không hợp lệ");
  const d = new Date(date.getTime() - 86_400_000);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${d.getUTCDate()}-${months[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

export class DoveadmHttpConnector implements MailServerConnector {
  readonly kind = "dovecot";
  #calls = 0;
  readonly #options: Required<Omit<DoveadmOptions, "fetch">> & { fetch: typeof fetch };

  constructor(options: DoveadmOptions) {
    this.#options = {
      sentFolder: "Sent",
      batchSize: 50,
      timeoutMs: 30_000,
      fetch: globalThis.fetch,
      ...options,
    };
  }

  get calls(): number {
    return this.#calls;
  }

  /** One HTTP request with several commands; returns each command's result by tag. */
  async #run(commands: Command[]): Promise<Map<string, { ok: boolean; body: unknown }>> {
    this.#calls++;
    const { url, apiKey, timeoutMs } = this.#options;
    const post = () =>
      this.#options.fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `X-Dovecot-API ${Buffer.from(apiKey).toString("base64")}`,
        },
        body: JSON.stringify(commands),
        signal: AbortSignal.timeout(timeoutMs),
      });
    let response: Response;
    try {
      response = await post();
    } catch (first) {
      // doveadm closes idle keep-alive connections; a request on a just-closed one fails at once.
      // Every command we send is idempotent (reads, kick, expunge), so one retry is safe.
      try {
        response = await post();
      } catch (error) {
        throw new ConnectorError(`doveadm không trả lời: ${(error as Error).message}`, { cause: first });
      }
    }
    if (!response.ok) throw new ConnectorError(`doveadm trả về HTTP ${response.status}`);
    const parsed = ResponseSchema.safeParse(await response.json());
    if (!parsed.success) throw new ConnectorError("doveadm trả về dữ liệu không đúng dạng");
    return new Map(parsed.data.map(([kind, body, tag]) => [tag, { ok: kind !== "error", body }]));
  }

  async #single(command: Command, okExitCodes: readonly number[] = []): Promise<void> {
    const result = (await this.#run([command])).get(command[2]);
    if (!result) throw new ConnectorError(`doveadm không trả lời lệnh ${command[0]}`);
    if (!result.ok) {
      const code = (result.body as { exitCode?: number }).exitCode;
      if (code === undefined || !okExitCodes.includes(code)) {
        throw new ConnectorError(`doveadm ${command[0]} lỗi (exitCode ${code ?? "?"})`);
      }
    }
  }

  kick(address: string): Promise<void> {
    // 68: nobody was logged in, which is what we wanted.
    return this.#single(["kick", { mask: address }, "kick"], [68]);
  }

  removeMail(address: string): Promise<void> {
    // 67/68: the user or its mail no longer exists (already removed).
    return this.#single(["expunge", { user: address, query: ["mailbox", "*", "all"] }, "expunge"], [67, 68]);
  }

  async readMessages(queries: readonly MessageQuery[]): Promise<MessageChanges[]> {
    const out: MessageChanges[] = [];
    for (let i = 0; i < queries.length; i += this.#options.batchSize) {
      const batch = queries.slice(i, i + this.#options.batchSize);
      const commands: Command[] = [];
      batch.forEach((q, n) => {
        const base = { user: q.address, field: FIELDS };
        commands.push([
          "fetch",
          { ...base, query: ["mailbox", "INBOX", "uid", `${q.afterUid + 1}:*`] },
          `i${n}`,
        ]);
        commands.push([
          "fetch",
          { ...base, query: ["mailbox", this.#options.sentFolder, "uid", `${q.afterSentUid + 1}:*`] },
          `s${n}`,
        ]);
        if (q.answeredSince) {
          commands.push([
            "fetch",
            { ...base, query: ["mailbox", "INBOX", "answered", "since", imapDate(q.answeredSince)] },
            `a${n}`,
          ]);
        }
      });
      const results = await this.#run(commands);
      const rows = (tag: string, afterUid: number): ServerMessage[] => {
        const result = results.get(tag);
        if (!result) return [];
        if (!result.ok) throw new ConnectorError(`doveadm fetch lỗi cho ${tag}`);
        const list = z.array(FetchRowSchema).safeParse(result.body);
        if (!list.success) throw new ConnectorError("doveadm fetch trả về dữ liệu không đúng dạng");
        // "uid N:*" always returns the last message even when N is past it: keep only newer ones.
        return list.data.map(toMessage).filter((m) => m.uid > afterUid);
      };
      batch.forEach((q, n) => {
        out.push({
          address: q.address,
          inbox: rows(`i${n}`, q.afterUid),
          sent: rows(`s${n}`, q.afterSentUid),
          answered: rows(`a${n}`, 0),
        });
      });
    }
    return out;
  }
}
