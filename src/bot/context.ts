/**
 * The bot's context type and the dependencies createBot takes. Every handler gets the same
 * `BotContext`: the grammY context plus who is asking (`staff`), the services, the clock, a
 * per-update logger and the flow controller.
 */
import type { Composer, Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { Role } from "../policy/types.ts";
import type { Services } from "../services/index.ts";
import type { StaffView } from "../services/types.ts";
import type { InlineKeyboardButton } from "grammy/types";

/** The parts of the services the bot uses (all of them, today). */
export type BotServices = Services;

/** grammY's client `fetch` option (typed as node-fetch in grammY's Node shim). */
export type ClientFetch = (
  url: string,
  init: { method?: string; body?: unknown; headers?: unknown },
) => Promise<{
  json(): Promise<unknown>;
}>;

export interface BotDeps {
  config: Config;
  services: BotServices;
  logger: Logger;
  /** Injected clock (tests); default `() => new Date()`. */
  clock?: () => Date;
  /** Skips getMe (tests, console). */
  botInfo?: UserFromGetMe;
  /** Custom HTTP client for Bot API calls (tests and the console transport answer locally). */
  fetch?: ClientFetch;
  /** The features to mount, in order (main.ts: ALL_FEATURES of commands/index.ts). */
  features: readonly BotFeature[];
  /** Throttle outgoing calls to Telegram's limits (default true; benches may turn it off). */
  throttle?: boolean;
  /** How long a telegram-id → staff lookup is cached (default 30 s). */
  identityCacheMs?: number;
}

/** Where a command makes sense, for the command menu and the private-chat check. */
export type CommandPlace = "private" | "any" | "support";

export interface CommandInfo {
  /** Without the slash: "capmoi". */
  command: string;
  /** Vietnamese, for /help and setMyCommands (≤ 256 characters). */
  description: string;
  /**
   * Who may use it: "everyone" (also unlinked accounts), "linked" (any linked staff), or the
   * roles of which the caller must hold at least one somewhere. Precise unit-scope checks stay in
   * the handler (`requireRole`/`ensureRole`); this is for /help and the menu.
   */
  audience: "everyone" | "linked" | readonly Role[];
  place: CommandPlace;
}

// The flow types live here, not in flows.ts, so that the context and the flows do not import
// each other: flows.ts implements them.

/** What a flow step receives: a text message or a flow button's value. */
export type FlowInput =
  | { kind: "text"; text: string; messageId: number }
  | { kind: "button"; value: string; messageId: number | undefined };

/** A flow run as saved in chat_sessions (validated on every load, see flows.ts). */
export interface StoredFlow {
  v: 1;
  flow: string;
  step: string;
  seq: number;
  nonce: string;
  data?: unknown;
  startedAt: string;
  expiresAt: string;
}

/** A declared flow (flows.ts `defineFlow`). Methods (not function properties) so any Flow<D, S> is a `Flow`. */
export interface Flow<D = unknown, S extends string = string> {
  readonly id: string;
  readonly sensitive: boolean;
  readonly stepNames: readonly string[];
  /** Begins a new run at `step` (ends any other flow of this user in this chat). */
  start(ctx: BotContext, step: S, data: D): Promise<void>;
  /** Moves the current run to `step` with `data` (refreshes the timeout; old buttons expire). */
  goto(ctx: BotContext, step: S, data: D): Promise<void>;
  /** Saves new data without moving (buttons of the current step stay valid). */
  update(ctx: BotContext, data: D): Promise<void>;
  dispatch(ctx: BotContext, state: StoredFlow, input: FlowInput): Promise<boolean>;
}

/** `ctx.flow`: the saved flow of (this chat, this user); flows.ts `FlowControl` implements it. */
export interface FlowControl {
  readonly key: string | undefined;
  /** The saved run, expired or not (see `isExpired`), or null. */
  current(): Promise<StoredFlow | null>;
  /**
   * Infrastructure only: the session under `key` as read together with the update's claim, so
   * `current()` needs no round trip of its own. Ignored unless `key` is this update's key and
   * nothing was loaded yet.
   */
  preload(key: string, raw: unknown): void;
  isExpired(state: StoredFlow): boolean;
  save(
    flowId: string,
    step: string,
    data: unknown,
    opts: { newRun: boolean; keepSeq?: boolean },
  ): Promise<void>;
  /** Ends the current run, if any; true when there was a live (not expired) one. */
  end(): Promise<boolean>;
  /** A button for the current step of the current run; `value` is `[A-Za-z0-9_.-]{1,40}`. */
  button(label: string, value: string): InlineKeyboardButton.CallbackButton;
}

/** One feature = one Composer plus what the bot must know about it. */
export interface BotFeature {
  name: string;
  composer: Composer<BotContext>;
  commands?: readonly CommandInfo[];
  flows?: readonly Flow[];
  /**
   * Middleware that must see updates before the "unlinked accounts may only /start and /help"
   * gate (e.g. deleting a password posted in a group by anyone). Runs after identity.
   */
  early?: Composer<BotContext>;
}

export interface BotContextFlavor {
  services: BotServices;
  config: Config;
  /** The linked staff member, or null for an unlinked account (or a channel post). */
  staff: StaffView | null;
  /** Child logger carrying update_id, chat and user: never log message text with it. */
  log: Logger;
  /** The clock of this update (one reading per call, injected in tests). */
  now(): Date;
  flow: FlowControl;
  /** True while a flow that handles secrets (e.g. /doimk) consumes this update. */
  sensitive: boolean;
  /** Re-reads `staff` (after linking), bypassing the identity cache. */
  refreshStaff(): Promise<StaffView | null>;
  /** Set once the update's callback query has been answered (see create-bot.ts). */
  callbackAnswered: boolean;
  /** Every command the bot knows, for /help. */
  commandCatalog: readonly CommandInfo[];
}

export type BotContext = Context & BotContextFlavor;
