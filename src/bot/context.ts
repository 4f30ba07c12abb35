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
import type { Flow, FlowControl } from "./flows.ts";

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
  /** The features to mount; default: all of commands/ (commands/index.ts). */
  features?: readonly BotFeature[];
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
