/**
 * createBot(deps): the one grammY Bot every transport (console, long polling, webhook) and every
 * test drives. It does no network I/O itself; `registerCommands` (called by main.ts at start-up)
 * publishes the command menus.
 *
 * Middleware order (each layer only sees what the previous let through):
 *   context     ctx.services/config/now/log/flow, callback-answer tracking
 *   sequentialize  one update at a time per (chat, user): flow state never races
 *   dedupe      processed_updates claim: an update is handled once across instances; the same
 *               statement fetches the flow state (ctx.flow) of the update's chat and user
 *   errorBoundary  ServiceError → its Vietnamese message; a database outage → up to the
 *                  transport (the update is re-delivered); anything else → apology + log
 *     identity    ctx.staff (cached 30 s)
 *     early       features' pre-gate middleware (e.g. delete a password posted in a group)
 *     gate        unlinked accounts: /start and /help only
 *     placeCheck  private-only commands refused in groups
 *     flowRouter  plain text / flow buttons → the current step of the user's flow
 *     features    one Composer per command (commands/*.ts)
 *     fallback    unknown command / text / stale button → a clear answer
 *
 * The features come in as `deps.features` (main.ts passes commands/index.ts ALL_FEATURES): the bot
 * layer never imports commands/. How to add a command or a step-by-step flow: src/bot/README.md.
 */
import { sequentialize } from "@grammyjs/runner";
import { Bot, Composer, type MiddlewareFn } from "grammy";
import type { Config } from "../config.ts";
import { installApiTransformers } from "./api-config.ts";
import type { BotContext, BotDeps, BotFeature, CommandInfo } from "./context.ts";
import { FlowControl, flowRouter, type Flow } from "./flows.ts";
import { t } from "./i18n.ts";
import { suggestCommand } from "./intents.ts";
import { answerStale } from "./keyboards.ts";
import { localBotInfo } from "./transports/local-api.ts";
import { claimantName, dedupe, trackingSessionWrites, UpdateClaims } from "./middleware/dedupe.ts";
import { botCatch, describeUpdate, errorBoundaryHandler } from "./middleware/error-boundary.ts";
import { IdentityCache, identity } from "./middleware/identity.ts";

export type { BotContext, BotDeps, BotFeature, CommandInfo };

/** Longest text message any handler will look at; longer ones are refused up front. */
export const MAX_TEXT_LENGTH = 4000;

/** "/start@mailbot_bot abc" → "start" (lower case); undefined when not a command for this bot. */
export function commandOf(text: string | undefined, botUsername: string | undefined): string | undefined {
  if (!text || !text.startsWith("/")) return undefined;
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s|$)/.exec(text);
  if (!match) return undefined;
  if (match[2] && botUsername && match[2].toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return match[1]!.toLowerCase();
}

/** Answers to callback queries are tracked per update; only button presses need the hook. */
function trackCallbackAnswers(ctx: BotContext): void {
  ctx.api.config.use((prev, method, payload, signal) => {
    if (method === "answerCallbackQuery") ctx.callbackAnswered = true;
    return prev(method, payload, signal);
  });
}

function contextMiddleware(deps: BotDeps, catalog: readonly CommandInfo[]): MiddlewareFn<BotContext> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger;
  return async (ctx, next) => {
    const started = performance.now();
    ctx.services = deps.services;
    ctx.config = deps.config;
    ctx.now = clock;
    ctx.staff = null;
    ctx.sensitive = false;
    ctx.callbackAnswered = false;
    ctx.commandCatalog = catalog;
    // The per-update child logger is made on first use (most updates never log), and carries
    // the staff id known by then.
    let log: BotContext["log"] | undefined;
    Object.defineProperty(ctx, "log", {
      configurable: true,
      enumerable: true,
      get: () => (log ??= logger.child({ ...describeUpdate(ctx), staff_id: ctx.staff?.id })),
      set: (value: BotContext["log"]) => {
        log = value;
      },
    });
    ctx.flow = new FlowControl(ctx, { timeoutMinutes: deps.config.flowTimeoutMinutes });
    if (ctx.callbackQuery) trackCallbackAnswers(ctx);
    try {
      await next();
    } finally {
      // Never the text: only which command, how long.
      if (logger.isLevelEnabled("debug")) {
        ctx.log.debug(
          {
            command: commandOf(ctx.message?.text, ctx.me.username),
            ms: Math.round(performance.now() - started),
          },
          "update handled",
        );
      }
    }
  };
}

function gate(publicCommands: ReadonlySet<string>): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.staff) return next();
    const command = commandOf(ctx.message?.text, ctx.me.username);
    if (command !== undefined && publicCommands.has(command)) return next();
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: t.notLinkedShort(), show_alert: true });
      return;
    }
    // In a group, ordinary chatter from unlinked members is none of the bot's business.
    if (ctx.chat?.type === "private" || command !== undefined) {
      if (ctx.chat) await ctx.reply(t.notLinked());
    }
  };
}

function limits(catalog: readonly CommandInfo[]): MiddlewareFn<BotContext> {
  const privateOnly = new Set(catalog.filter((c) => c.place === "private").map((c) => c.command));
  return async (ctx, next) => {
    const text = ctx.message?.text;
    if (text !== undefined && text.length > MAX_TEXT_LENGTH && !ctx.sensitive) {
      await ctx.reply(t.tooLong(MAX_TEXT_LENGTH));
      return;
    }
    const command = commandOf(text, ctx.me.username);
    if (command !== undefined && privateOnly.has(command) && ctx.chat?.type !== "private") {
      await ctx.reply(t.privateOnly(ctx.me.username));
      return;
    }
    await next();
  };
}

const fallback: MiddlewareFn<BotContext> = async (ctx) => {
  if (ctx.callbackQuery) {
    await answerStale(ctx);
    return;
  }
  if (ctx.chat?.type !== "private" || !ctx.message) return;
  const command = commandOf(ctx.message.text, ctx.me.username);
  if (command !== undefined) return void (await ctx.reply(t.unknownCommand()));
  await ctx.reply(suggestCommand(ctx.message.text ?? "") ?? t.notUnderstood());
};

/** Every command the features declare, in feature order. */
export function commandCatalog(features: readonly BotFeature[]): CommandInfo[] {
  return features.flatMap((feature) => feature.commands ?? []);
}

/** Counts updates being handled, so a shutdown can wait for them (`drain`). */
class InFlight {
  private count = 0;
  private idle: (() => void)[] = [];
  readonly middleware: MiddlewareFn<BotContext> = async (_ctx, next) => {
    this.count++;
    try {
      await next();
    } finally {
      this.count--;
      if (this.count === 0) for (const wake of this.idle.splice(0)) wake();
    }
  };
  get size(): number {
    return this.count;
  }
  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}
const inFlightOf = new WeakMap<Bot<BotContext>, InFlight>();
const claimsOf = new WeakMap<Bot<BotContext>, UpdateClaims>();

/** The bot's de-duplication claims (long polling claims whole batches through it). */
export function updateClaimsOf(bot: Bot<BotContext>): UpdateClaims | undefined {
  return claimsOf.get(bot);
}

/**
 * Resolves once no update is being handled by `bot` and their done marks are written (graceful
 * shutdown; a mark the database does not take is given up: the update was answered).
 */
export async function drain(bot: Bot<BotContext>): Promise<void> {
  await inFlightOf.get(bot)?.drained();
  await claimsOf.get(bot)?.stop();
}

/** How many updates `bot` is handling right now. */
export function inFlightCount(bot: Bot<BotContext>): number {
  return inFlightOf.get(bot)?.size ?? 0;
}

export function createBot(deps: BotDeps): Bot<BotContext> {
  const features = deps.features;
  const catalog = commandCatalog(features);
  const flows: Flow[] = features.flatMap((feature) => feature.flows ?? []);
  const token = deps.config.telegramBotToken ?? "0:local-console";
  const botInfo =
    deps.botInfo ?? (deps.config.telegramBotToken ? undefined : localBotInfo(deps.config.botUsername));

  const bot = new Bot<BotContext>(token, {
    ...(botInfo ? { botInfo } : {}),
    client: {
      ...(deps.config.telegramApiRoot ? { apiRoot: deps.config.telegramApiRoot } : {}),
      // grammY types `fetch` as node-fetch's; ours only needs `json()` on the response.
      ...(deps.fetch ? { fetch: deps.fetch as never } : {}),
    },
  });
  installApiTransformers(bot.api, { throttle: deps.throttle ?? true });

  const cache = new IdentityCache(deps.identityCacheMs ?? 30_000);
  const publicCommands = new Set(catalog.filter((c) => c.audience === "everyone").map((c) => c.command));

  // Several instances only behind a webhook; polling and the console are one process by
  // construction, so an unfinished claim there is a dead earlier run's (see dedupe.ts).
  const severalInstances = deps.config.botMode === "webhook" && deps.config.telegramBotToken !== undefined;
  const claims = new UpdateClaims(deps.services, {
    claimant: claimantName(deps.config.instanceId),
    leaseSeconds: severalInstances ? deps.config.updateClaimLeaseSeconds : 0,
  });
  claimsOf.set(bot, claims);
  // Handlers' session writes are tracked, so a flow state prefetched with a claim is never stale.
  const services = trackingSessionWrites(deps.services, claims.writes);

  const inFlight = new InFlight();
  inFlightOf.set(bot, inFlight);
  bot.use(inFlight.middleware);
  bot.use(contextMiddleware({ ...deps, services }, catalog));
  bot.use(
    sequentialize((ctx: BotContext) =>
      [ctx.chat?.id, ctx.from?.id].filter((x) => x !== undefined).map(String),
    ),
  );

  // Outside the error boundary: a database outage must reach the transport (see dedupe.ts).
  bot.use(dedupe(claims));

  const guarded = new Composer<BotContext>();
  guarded.use(identity(services, cache));
  guarded.use(async (ctx, next) => {
    await next();
    // Stop the client's spinner for any button whose handler did not answer.
    if (ctx.callbackQuery && !ctx.callbackAnswered) await ctx.answerCallbackQuery();
  });
  for (const feature of features) if (feature.early) guarded.use(feature.early);
  guarded.use(gate(publicCommands));
  guarded.use(limits(catalog));
  guarded.use(flowRouter(flows));
  for (const feature of features) guarded.use(feature.composer);
  guarded.use(fallback);

  bot.errorBoundary(errorBoundaryHandler, guarded);
  bot.catch(botCatch(deps.logger));
  return bot;
}

/** Publishes the command menus (Vietnamese descriptions): private chats, and the support group. */
export async function registerCommands(
  bot: Bot<BotContext>,
  config: Config,
  features: readonly BotFeature[],
): Promise<void> {
  const catalog = commandCatalog(features);
  const menu = (places: readonly string[]) =>
    catalog
      .filter((c) => places.includes(c.place) && c.command !== "start")
      .map((c) => ({ command: c.command, description: c.description }));
  await bot.api.setMyCommands(
    catalog
      .filter((c) => c.place !== "support")
      .map((c) => ({ command: c.command, description: c.description })),
    { scope: { type: "all_private_chats" } },
  );
  if (config.supportChatId !== undefined) {
    await bot.api.setMyCommands(menu(["support", "any"]), {
      scope: { type: "chat", chat_id: config.supportChatId },
    });
  }
}
