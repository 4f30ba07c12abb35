/**
 * Step-by-step flows (/capmoi questions, /doimk password, "reason for rejecting") whose state
 * lives in the database (services.chatState), so a restart or another instance continues them.
 *
 * Why not @grammyjs/conversations v2: it persists a replay log of every update the conversation
 * received. In /doimk that log would hold the new password in clear in chat_sessions, which the
 * rules forbid; it also needs every database call wrapped in `conversation.external`, and its
 * own Api instances bypass our transformers. Why not grammY `session`: it reads (and may write)
 * the session on every update, including the hot path (/trangthai, button presses in the support
 * group) where no flow is involved, and it has no notion of "expired: tell the user". The state
 * machine here is explicit instead: a flow is a set of named steps; the saved state is
 * `{ flow, step, data }` with `data` validated by the flow's zod schema every time it is loaded.
 *
 * Lifecycle
 * - `flow.start(ctx, step, data)` begins a run (replacing any other flow of this user in this
 *   chat) and saves it; the step's question is then sent by the caller.
 * - A plain text message (not a command) or a flow button (`fl:1:<nonce>:<seq>:<value>`) from
 *   the same user in the same chat is dispatched to the current step's handler.
 * - The handler validates input and calls `flow.goto(ctx, next, data)`, `ctx.flow.end()`, or
 *   just replies with what is wrong (the step stays; nothing is saved).
 * - Timeout: a run not advanced for FLOW_TIMEOUT_MINUTES is expired. The row is kept a day longer
 *   so that the user's next message is answered "thao tác đã hết hạn" instead of silence.
 * - `/huy` calls `ctx.flow.end()`.
 */
import { randomBytes } from "node:crypto";
import type { MiddlewareFn } from "grammy";
import type { InlineKeyboardButton, Update } from "grammy/types";
import { z } from "zod";
import type { BotContext, Flow, FlowControl as FlowControlApi, FlowInput, StoredFlow } from "./context.ts";
import { t } from "./i18n.ts";
import { flowButton } from "../lib/callbacks.ts";
import { answerStale } from "./keyboards.ts";

export type FlowStepHandler<D> = (ctx: BotContext, data: D, input: FlowInput) => Promise<unknown>;

export interface FlowSpec<D, S extends string> {
  /** Short id, stored with the state: `[a-z][a-z0-9_]{1,15}`. */
  id: string;
  /** Validates `data` on every load: a state saved by an older version that no longer fits expires. */
  schema: z.ZodType<D>;
  /** Input in this flow is secret (passwords): never logged, never echoed by the infrastructure. */
  sensitive?: boolean;
  steps: Record<S, FlowStepHandler<D>>;
}

const StoredFlowSchema = z.object({
  v: z.literal(1),
  flow: z.string(),
  step: z.string(),
  seq: z.number().int().min(0),
  nonce: z.string(),
  data: z.unknown(),
  startedAt: z.string(),
  expiresAt: z.string(),
});

/** How long an expired run is kept so the user can be told it expired. */
const EXPIRED_GRACE_SECONDS = 24 * 3600;

export function defineFlow<D, S extends string>(spec: FlowSpec<D, S>): Flow<D, S> {
  if (!/^[a-z][a-z0-9_]{1,15}$/.test(spec.id)) throw new Error(`Flow id "${spec.id}" is not valid`);
  const stepNames = Object.keys(spec.steps);
  const check = (step: string) => {
    if (!stepNames.includes(step)) throw new Error(`Flow ${spec.id} has no step "${step}"`);
  };
  return {
    id: spec.id,
    sensitive: spec.sensitive === true,
    stepNames,
    async start(ctx, step, data) {
      check(step);
      await ctx.flow.save(spec.id, step, spec.schema.parse(data), { newRun: true });
    },
    async goto(ctx, step, data) {
      check(step);
      await ctx.flow.save(spec.id, step, spec.schema.parse(data), { newRun: false });
    },
    async update(ctx, data) {
      const current = await ctx.flow.current();
      if (!current || current.flow !== spec.id) throw new Error(`Flow ${spec.id} is not active`);
      await ctx.flow.save(spec.id, current.step, spec.schema.parse(data), { newRun: false, keepSeq: true });
    },
    async dispatch(ctx, state, input) {
      const handler = (spec.steps as Record<string, FlowStepHandler<D> | undefined>)[state.step];
      const parsed = spec.schema.safeParse(state.data);
      if (!handler || !parsed.success) return false;
      ctx.sensitive = ctx.sensitive || spec.sensitive === true;
      await handler(ctx, parsed.data, input);
      return true;
    },
  };
}

export interface FlowControlOptions {
  timeoutMinutes: number;
}

export type { Flow, FlowInput, StoredFlow };

const flowKey = (chatId: number, userId: number) => `flow:${chatId}:${userId}`;

/**
 * The flow key an update's handling reads first (the /doimk guard and the router read it for
 * every text message and button press), so the de-duplication claim can fetch it in its own
 * statement; undefined for updates that never look at a flow.
 */
export function flowKeyOfUpdate(update: Update): string | undefined {
  const message = update.message;
  if (message?.text !== undefined && message.from) return flowKey(message.chat.id, message.from.id);
  const query = update.callback_query;
  if (query?.message) return flowKey(query.message.chat.id, query.from.id);
  return undefined;
}

/** `ctx.flow`: the saved flow of (this chat, this user), loaded lazily once per update. */
export class FlowControl implements FlowControlApi {
  private loaded = false;
  private state: StoredFlow | null = null;

  constructor(
    private readonly ctx: BotContext,
    private readonly options: FlowControlOptions,
  ) {}

  /** `flow:<chat>:<user>`, or undefined for updates without both (channel posts). */
  get key(): string | undefined {
    const chatId = this.ctx.chat?.id;
    const userId = this.ctx.from?.id;
    return chatId === undefined || userId === undefined ? undefined : flowKey(chatId, userId);
  }

  /** The saved run, expired or not (see `isExpired`), or null. */
  async current(): Promise<StoredFlow | null> {
    if (this.loaded) return this.state;
    const key = this.key;
    this.accept(key ? await this.ctx.services.chatState.getSession(key) : null);
    return this.state;
  }

  preload(key: string, raw: unknown): void {
    if (!this.loaded && key === this.key) this.accept(raw);
  }

  private accept(raw: unknown): void {
    const parsed = StoredFlowSchema.safeParse(raw);
    this.state = parsed.success ? parsed.data : null;
    this.loaded = true;
  }

  isExpired(state: StoredFlow): boolean {
    return Date.parse(state.expiresAt) <= this.ctx.now().getTime();
  }

  async save(flowId: string, step: string, data: unknown, opts: { newRun: boolean; keepSeq?: boolean }) {
    const key = this.key;
    if (!key) throw new Error("A flow needs a chat and a user");
    const previous = opts.newRun ? null : await this.current();
    if (!opts.newRun && (!previous || previous.flow !== flowId)) {
      throw new Error(`Flow ${flowId} is not active in this chat`);
    }
    const now = this.ctx.now();
    const timeoutMs = this.options.timeoutMinutes * 60_000;
    const state: StoredFlow = {
      v: 1,
      flow: flowId,
      step,
      seq: previous ? (opts.keepSeq ? previous.seq : previous.seq + 1) : 0,
      nonce: previous ? previous.nonce : randomBytes(6).toString("hex").slice(0, 8),
      data,
      startedAt: previous ? previous.startedAt : now.toISOString(),
      expiresAt: new Date(now.getTime() + timeoutMs).toISOString(),
    };
    await this.ctx.services.chatState.setSession(
      key,
      state,
      Math.ceil(timeoutMs / 1000) + EXPIRED_GRACE_SECONDS,
    );
    this.state = state;
    this.loaded = true;
  }

  /** Ends the current run, if any; true when there was a live (not expired) one. */
  async end(): Promise<boolean> {
    const key = this.key;
    if (!key) return false;
    const current = await this.current();
    if (current) await this.ctx.services.chatState.deleteSession(key);
    this.state = null;
    this.loaded = true;
    return current !== null && !this.isExpired(current);
  }

  /** A button for the current step of the current run; `value` is `[A-Za-z0-9_.-]{1,40}`. */
  button(label: string, value: string): InlineKeyboardButton.CallbackButton {
    if (!this.state) throw new Error("No active flow: call flow.start/goto before building its buttons");
    return flowButton.button(label, this.state.nonce, this.state.seq, value);
  }
}

/**
 * Routes plain text and flow buttons to the current step. Commands never reach a step: they
 * are handled by their own composers (a new flow command replaces the run, /huy ends it).
 */
export function flowRouter(flows: readonly Flow[]): MiddlewareFn<BotContext> {
  const byId = new Map(flows.map((flow) => [flow.id, flow]));
  return async (ctx, next) => {
    const message = ctx.message;
    const isPlainText = message?.text !== undefined && !message.text.startsWith("/");
    const data = ctx.callbackQuery?.data;
    const isFlowButton = data !== undefined && flowButton.pattern.test(data);
    if (!isPlainText && !isFlowButton) return next();

    const state = await ctx.flow.current();
    if (!state) {
      if (isFlowButton) return answerStale(ctx);
      return next();
    }
    const flow = byId.get(state.flow);
    if (ctx.flow.isExpired(state) || !flow) {
      await ctx.flow.end();
      // A button pressed in an expired run: the toast plus the explanation, once.
      if (isFlowButton) await ctx.answerCallbackQuery();
      await ctx.reply(t.flowExpired(ctx.config.flowTimeoutMinutes));
      return;
    }
    ctx.sensitive = ctx.sensitive || flow.sensitive;

    let input: FlowInput;
    if (isFlowButton) {
      const decoded = flowButton.decode(data);
      if (!decoded.ok || decoded.args[0] !== state.nonce || decoded.args[1] !== state.seq) {
        return answerStale(ctx);
      }
      input = { kind: "button", value: decoded.args[2], messageId: ctx.callbackQuery?.message?.message_id };
    } else {
      input = { kind: "text", text: message?.text ?? "", messageId: message?.message_id ?? 0 };
    }
    const handled = await flow.dispatch(ctx, state, input);
    if (!handled) {
      await ctx.flow.end();
      await ctx.reply(t.flowExpired(ctx.config.flowTimeoutMinutes));
    }
  };
}
