/**
 * Delivery of digests with Telegram's limits: about 30 messages per second overall and one per
 * second per chat (token bucket; the clock and sleep are injected so tests run instantly).
 * The claims of a batch of digests are fenced (still ours?) in one statement before the first is
 * sent, and again digest by digest once a quarter of the lease has passed; sent messages are
 * confirmed in batches (one UPDATE of reminder_deliveries per CONFIRM_BATCH digests or
 * CONFIRM_DELAY_MS, whichever comes first, and at the end): one row per digest, not one per
 * item nor one statement per message, since at national scale the per-item bookkeeping was
 * most of the sweep (issue 13). The price: a process killed between a send and its batch's
 * confirm resends up to one batch (≈ CONFIRM_DELAY_MS of sends) after the lease, instead of one
 * message. A blocked or deleted chat (403, "chat not found") is recorded in blocked_chats, its
 * digest is settled with the reason, and it is returned for the report to the support chat; it
 * never stops the run. Other errors leave the claims unsent for the next run (after the
 * lease), up to MAX_ATTEMPTS.
 */
import type { Database } from "../db/client.ts";
import {
  confirmDigests,
  DEFAULT_LEASE_MS,
  failClaims,
  fenceDigests,
  recordBlockedChat,
  type Fenced,
} from "./claims.ts";
import { renderDigest, type Digest, type InlineKeyboard } from "./digest.ts";
import type { ReminderItem } from "./types.ts";

/**
 * Sends one digest. `items` are the digest's items as data (rule, target, `about`), for wrappers
 * that act on what a digest contains (the duty attachment) without reading its text.
 */
export type SendFn = (
  chatId: number,
  text: string,
  keyboard?: InlineKeyboard,
  items?: readonly ReminderItem[],
) => Promise<unknown>;

export interface LimiterClock {
  /** Milliseconds, monotonic enough for spacing sends. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiterOptions {
  /** Messages per second overall (bucket size and refill rate). Default 30. */
  perSecond?: number;
  /** Minimum spacing of two messages to one chat. Default 1000 ms. */
  perChatIntervalMs?: number;
  clock?: LimiterClock;
}

/** Token bucket overall + minimum spacing per chat. Reservation is synchronous, so concurrent callers are safe. */
export class RateLimiter {
  readonly clock: LimiterClock;
  private readonly rate: number;
  private readonly interval: number;
  private tokens: number;
  private last: number;
  private readonly chatNext = new Map<number, number>();

  constructor(options: RateLimiterOptions = {}) {
    this.rate = options.perSecond ?? 30;
    this.interval = options.perChatIntervalMs ?? 1000;
    this.clock = options.clock ?? realClock;
    this.tokens = this.rate;
    this.last = this.clock.now();
  }

  async acquire(chatId: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
      const chatWait = (this.chatNext.get(chatId) ?? 0) - now;
      const globalWait = this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
      const wait = Math.max(chatWait, globalWait);
      if (wait <= 0) {
        this.tokens -= 1;
        this.chatNext.set(chatId, now + this.interval);
        if (this.chatNext.size > 10_000) this.prune(now);
        return;
      }
      await this.clock.sleep(Math.ceil(wait));
    }
  }

  private prune(now: number): void {
    for (const [chat, next] of this.chatNext) if (next <= now) this.chatNext.delete(chat);
  }
}

export interface TelegramFailure {
  kind: "blocked" | "retry_after" | "other";
  retryAfterMs?: number;
  description: string;
}

/** grammY's GrammyError has error_code / description / parameters.retry_after; fakes may mimic it. */
export function classifySendError(error: unknown): TelegramFailure {
  const e = (error ?? {}) as {
    error_code?: unknown;
    status?: unknown;
    description?: unknown;
    message?: unknown;
    parameters?: { retry_after?: unknown };
  };
  const code =
    typeof e.error_code === "number" ? e.error_code : typeof e.status === "number" ? e.status : undefined;
  const description = String(e.description ?? e.message ?? error);
  if (code === 403) return { kind: "blocked", description };
  if (
    code === 400 &&
    /chat not found|user is deactivated|bot was kicked|PEER_ID_INVALID/i.test(description)
  ) {
    return { kind: "blocked", description };
  }
  if (code === 429) {
    const seconds = Number(e.parameters?.retry_after ?? 1);
    return { kind: "retry_after", retryAfterMs: Math.min(Math.max(seconds, 1), 60) * 1000, description };
  }
  return { kind: "other", description };
}

/** Digests confirmed by one statement at most. */
export const CONFIRM_BATCH = 200;
/** A sent digest waits at most this long (real time) for its batch's confirm. */
export const CONFIRM_DELAY_MS = 250;

export interface DeliverOptions {
  database: Database;
  send: SendFn;
  limiter: RateLimiter;
  runId: string;
  /** Wall clock for claim timestamps (the sweep's clock). */
  now: () => Date;
  signal?: AbortSignal;
  /** Messages in flight at once (default 4): Telegram latency would otherwise cap us below 30/s. */
  concurrency?: number;
  /** The claims' lease (default DEFAULT_LEASE_MS): fences keep a quarter of it in hand. */
  leaseMs?: number;
}

export interface DeliveryReport {
  messages: number;
  items: number;
  blocked: { chatId: number; reason: string }[];
  failed: { chatId: number; error: string }[];
  /** Keys settled after MAX_ATTEMPTS failures (to report). */
  gaveUp: string[];
  /** Digests skipped because another run had taken their claims over. */
  skipped: number;
  /** True when the signal stopped the delivery early. */
  aborted: boolean;
}

export async function deliverDigests(
  digests: readonly Digest[],
  options: DeliverOptions,
): Promise<DeliveryReport> {
  const { database, send, limiter, runId, now, signal } = options;
  const report: DeliveryReport = {
    messages: 0,
    items: 0,
    blocked: [],
    failed: [],
    gaveUp: [],
    skipped: 0,
    aborted: false,
  };
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  // A claim fenced (or claimed) less than a quarter-lease ago cannot be taken over before the
  // send: no other run takes a claim over before its lease ends.
  const refreshAfterMs = leaseMs / 4;
  const fenceOf = async (batch: readonly Digest[]): Promise<Fenced> => {
    const at = now();
    return fenceDigests(database.db, batch, runId, at, new Date(at.getTime() - refreshAfterMs));
  };
  const owned = await fenceOf(digests);
  // On the delivery's clock (the sweep's), the one leases are judged by.
  const fencedAt = now().getTime();

  // Sent, not yet confirmed: flushed by one statement, one flush at a time.
  let pendingChats: number[] = [];
  let pendingKeys: string[] = [];
  let pendingDigests = 0;
  let pendingSince = 0;
  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (pendingDigests === 0) return flushing;
    const sent = { chats: pendingChats, keys: pendingKeys };
    pendingChats = [];
    pendingKeys = [];
    pendingDigests = 0;
    flushing = flushing.then(() => confirmDigests(database.db, sent, runId, now()));
    return flushing;
  };
  /** A digest that holds all of its recipient's claims is settled by its delivery row. */
  const settling = (digest: Digest, ours: Fenced): { chats: number[]; keys: string[] } =>
    ours.whole.has(digest.chatId) ? { chats: [digest.chatId], keys: [] } : { chats: [], keys: digest.keys };
  const sent = async (digest: Digest, ours: Fenced): Promise<void> => {
    if (pendingDigests === 0) pendingSince = performance.now();
    const settles = settling(digest, ours);
    for (const chat of settles.chats) pendingChats.push(chat);
    for (const key of settles.keys) pendingKeys.push(key);
    pendingDigests++;
    if (pendingDigests >= CONFIRM_BATCH || performance.now() - pendingSince >= CONFIRM_DELAY_MS) {
      await flush();
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) {
        report.aborted = true;
        return;
      }
      const digest = digests[next++];
      if (!digest) return;
      await deliverOne(digest);
    }
  };
  const deliverOne = async (original: Digest): Promise<void> => {
    // A long delivery (rate limits, retry_after): past a quarter of the lease since the batch's
    // fence, each digest's claims are fenced afresh just before it is sent.
    const ours = now().getTime() - fencedAt >= refreshAfterMs ? await fenceOf([original]) : owned;
    const mine = original.keys.filter((key) => ours.keys.has(key));
    if (mine.length === 0) {
      report.skipped++;
      return;
    }
    // A digest counting claims it did not read is sent as built only when its delivery row
    // settles them (whole); otherwise it shows and settles what it read.
    const digest =
      mine.length === original.keys.length && (original.unread === 0 || ours.whole.has(original.chatId))
        ? original
        : renderDigest(
            original.chatId,
            original.items.filter((item) => ours.keys.has(item.key)),
            now(),
          );
    for (let attempt = 0; attempt < 2; attempt++) {
      await limiter.acquire(digest.chatId);
      try {
        await send(digest.chatId, digest.text, digest.keyboard, digest.items);
      } catch (error) {
        const failure = classifySendError(error);
        if (failure.kind === "retry_after" && attempt === 0) {
          await limiter.clock.sleep(failure.retryAfterMs ?? 1000);
          continue;
        }
        if (failure.kind === "blocked") {
          await recordBlockedChat(database.db, digest.chatId, failure.description, now());
          await confirmDigests(
            database.db,
            settling(digest, ours),
            runId,
            now(),
            `blocked: ${failure.description}`.slice(0, 500),
          );
          report.blocked.push({ chatId: digest.chatId, reason: failure.description });
          return;
        }
        report.failed.push({ chatId: digest.chatId, error: failure.description });
        const failed = settling(digest, ours);
        for (const key of await failClaims(database.db, failed, runId, now(), failure.description)) {
          report.gaveUp.push(key);
        }
        return;
      }
      report.messages++;
      report.items += digest.itemCount;
      await sent(digest, ours);
      return;
    }
  };
  const workers = Array.from({ length: Math.max(1, options.concurrency ?? 4) }, () => worker());
  try {
    await Promise.all(workers);
  } finally {
    await flush();
  }
  return report;
}
