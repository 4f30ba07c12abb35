/**
 * Process configuration, read once from the environment (and `.env` via dotenv in main.ts) and
 * validated with zod. A bad value stops the process with exit code 2 and a message naming every
 * bad variable at once, so an operator fixes them in one pass instead of one restart per typo.
 */
import { join } from "node:path";
import { z } from "zod";
import { isoDateSchema } from "./calendar/time.ts";
import type { IsoDate } from "./calendar/types.ts";

const emptyToUndefined = (value: unknown): unknown =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

const intWithDefault = (fallback: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ConfigSchema = z
  .object({
    /** Without it the bot runs as a local console chat (no network). */
    TELEGRAM_BOT_TOKEN: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "must look like 123456789:AA… (the token BotFather gave you)")
        .optional(),
    ),
    BOT_MODE: z.preprocess(emptyToUndefined, z.enum(["polling", "webhook"]).default("polling")),
    WEBHOOK_URL: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/, error: "must be an http(s):// URL" }).optional(),
    ),
    WEBHOOK_SECRET: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(
          /^[A-Za-z0-9_-]{16,256}$/,
          "must be 16–256 characters of A–Z, a–z, 0–9, _ and - (Telegram's rule)",
        )
        .optional(),
    ),
    PORT: intWithDefault(8080, 0, 65_535),
    TELEGRAM_API_ROOT: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/, error: "must be an http(s):// URL" }).optional(),
    ),
    /** Chat id of the support desk group (negative for groups). */
    SUPPORT_CHAT_ID: z.preprocess(emptyToUndefined, z.coerce.number().int().optional()),
    DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
        .optional(),
    ),
    /** The owner role that runs migrations (recommended); DATABASE_URL is then the runtime role. */
    MIGRATION_DATABASE_URL: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://")
        .optional(),
    ),
    DATA_DIR: z.preprocess(emptyToUndefined, z.string().trim().default("./data")),
    /** The PGlite folder itself (CLI and tests); overrides DATA_DIR/pglite. */
    PGLITE_DIR: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    DEFAULT_PROFILE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9_-]{1,31}$/, "must be a profile id such as phuyen")
        .default("phuyen"),
    ),
    PASSWORD_MESSAGE_TTL_MINUTES: intWithDefault(10, 1, 24 * 60),
    FLOW_TIMEOUT_MINUTES: intWithDefault(15, 1, 24 * 60),
    /** Unset: "info" for the bot, "warn" for the console chat and the CLI (their stdout is the output). */
    LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(LOG_LEVELS).optional()),
    /** Used for t.me links when getMe is not available (console mode). */
    BOT_USERNAME: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be a Telegram username such as mailbot_phuyen_bot")
        .transform((s) => s.replace(/^@/, ""))
        .optional(),
    ),
    /**
     * Bearer token for POST /api/activity: on the webhook server in webhook mode; otherwise,
     * when set, on a standalone server at ACTIVITY_HOST:ACTIVITY_PORT.
     */
    ACTIVITY_API_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().trim().min(16, "must be at least 16 characters").optional(),
    ),
    ACTIVITY_PORT: intWithDefault(8081, 0, 65_535),
    /** Bearer token for GET /metrics; without it /metrics is open to whoever reaches the port. */
    METRICS_TOKEN: z.preprocess(
      emptyToUndefined,
      z.string().trim().min(16, "must be at least 16 characters").optional(),
    ),
    /** Loopback by default: the mail server usually runs next to the bot; widen it on purpose. */
    ACTIVITY_HOST: z.preprocess(emptyToUndefined, z.string().trim().min(1).default("127.0.0.1")),
    /** The reminder scheduler (sweeps on the working-day calendar): on by default. */
    REMINDERS: z.preprocess(
      (value) => (typeof value === "string" ? value.trim().toLowerCase() || undefined : value),
      z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
    ),
    /**
     * This instance's name in reminder claims (claimed_by), when several run on one database
     * (default: the host name). Must differ between instances and stay the same across restarts.
     */
    INSTANCE_ID: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1–64 letters, digits, dots, dashes or underscores")
        .optional(),
    ),
    /**
     * Webhook mode: how long an update claimed by an instance that has not finished it counts as
     * in progress there; a copy re-sent after that is taken over (the claimant is presumed dead).
     * Longer than the webhook's own 9 s answer timeout; polling takes over at once (one poller).
     */
    UPDATE_CLAIM_LEASE_SECONDS: intWithDefault(20, 1, 3600),
    /** off behind a pooler in transaction mode that cannot keep named prepared statements. */
    DATABASE_PREPARED_STATEMENTS: z.preprocess(
      (value) => (typeof value === "string" ? value.trim().toLowerCase() || undefined : value),
      z.enum(["on", "off"], { error: "must be on or off" }).default("on"),
    ),
    /** Vietnamese Culture Day (24/11) is a holiday from this day on (the operator switches it on). */
    CULTURE_DAY_FROM: z.preprocess(emptyToUndefined, isoDateSchema.optional()),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.BOT_MODE === "webhook" && cfg.TELEGRAM_BOT_TOKEN) {
      if (!cfg.WEBHOOK_URL) {
        ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "is required when BOT_MODE=webhook" });
      }
      if (!cfg.WEBHOOK_SECRET) {
        ctx.addIssue({
          code: "custom",
          path: ["WEBHOOK_SECRET"],
          message: "is required when BOT_MODE=webhook",
        });
      }
    }
  });

type RawConfig = z.infer<typeof ConfigSchema>;

export interface Config {
  telegramBotToken: string | undefined;
  botMode: "polling" | "webhook";
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  port: number;
  telegramApiRoot: string | undefined;
  supportChatId: number | undefined;
  databaseUrl: string | undefined;
  migrationDatabaseUrl: string | undefined;
  dataDir: string;
  defaultProfile: string;
  passwordMessageTtlMinutes: number;
  flowTimeoutMinutes: number;
  logLevel: LogLevel;
  /** LOG_LEVEL as set; undefined when unset (each entry point picks its own default). */
  logLevelSet: LogLevel | undefined;
  botUsername: string | undefined;
  activityApiToken: string | undefined;
  activityPort: number;
  activityHost: string;
  metricsToken: string | undefined;
  reminders: boolean;
  /** INSTANCE_ID: names this process's reminder claims (undefined: the host name). */
  instanceId: string | undefined;
  /** UPDATE_CLAIM_LEASE_SECONDS: a webhook instance's unfinished update claim outlives it this long. */
  updateClaimLeaseSeconds: number;
  /** DATABASE_PREPARED_STATEMENTS: hot statements as named prepared statements (default on). */
  preparedStatements: boolean;
  /** PGLITE_DIR, when set: the embedded database's folder instead of DATA_DIR/pglite. */
  pgliteDir: string | undefined;
  cultureDayFrom: IsoDate | null;
  /** MAILSERVER and its variables (MAILSERVER=none by default: no mail server is contacted). */
  mailserver: MailserverConfig;
}

function toConfig(raw: RawConfig, mailserver: MailserverConfig): Config {
  return {
    telegramBotToken: raw.TELEGRAM_BOT_TOKEN,
    botMode: raw.BOT_MODE,
    webhookUrl: raw.WEBHOOK_URL,
    webhookSecret: raw.WEBHOOK_SECRET,
    port: raw.PORT,
    telegramApiRoot: raw.TELEGRAM_API_ROOT?.replace(/\/+$/, ""),
    supportChatId: raw.SUPPORT_CHAT_ID,
    databaseUrl: raw.DATABASE_URL,
    migrationDatabaseUrl: raw.MIGRATION_DATABASE_URL,
    dataDir: raw.DATA_DIR,
    defaultProfile: raw.DEFAULT_PROFILE,
    passwordMessageTtlMinutes: raw.PASSWORD_MESSAGE_TTL_MINUTES,
    flowTimeoutMinutes: raw.FLOW_TIMEOUT_MINUTES,
    logLevel: raw.LOG_LEVEL ?? "info",
    logLevelSet: raw.LOG_LEVEL,
    botUsername: raw.BOT_USERNAME,
    activityApiToken: raw.ACTIVITY_API_TOKEN,
    activityPort: raw.ACTIVITY_PORT,
    activityHost: raw.ACTIVITY_HOST,
    metricsToken: raw.METRICS_TOKEN,
    reminders: raw.REMINDERS === "on",
    instanceId: raw.INSTANCE_ID,
    updateClaimLeaseSeconds: raw.UPDATE_CLAIM_LEASE_SECONDS,
    preparedStatements: raw.DATABASE_PREPARED_STATEMENTS === "on",
    pgliteDir: raw.PGLITE_DIR,
    cultureDayFrom: raw.CULTURE_DAY_FROM ?? null,
    mailserver,
  };
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      "Cấu hình không hợp lệ / invalid configuration:\n" +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join("\n") +
        "\nSửa các biến môi trường trên (xem .env.example) rồi chạy lại. / Fix these variables (see .env.example) and start again.",
    );
  }
}

/** Parses the environment; throws ConfigError listing every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  const mail = MailserverEnvSchema.safeParse(env);
  if (result.success && mail.success) return toConfig(result.data, toMailserverConfig(mail.data));
  // One line per variable: a value can fail several checks (a date's format, then its calendar).
  const problems = new Map<string, string>();
  for (const issue of [...(result.error?.issues ?? []), ...(mail.error?.issues ?? [])]) {
    const variable = String(issue.path[0] ?? "(env)");
    if (!problems.has(variable)) problems.set(variable, issue.message);
  }
  throw new ConfigError([...problems].map(([variable, message]) => ({ variable, message })));
}

/** Exit code for a bad configuration (distinct from crashes, exit 1). */
export const CONFIG_EXIT_CODE = 2;

/** For every entry point (bot, CLI, scripts): parse, or print the problems and exit 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw error;
  }
}

/** Where the embedded database lives: PGLITE_DIR, else DATA_DIR/pglite. */
export function pgliteDirOf(config: Config): string {
  return config.pgliteDir ?? join(config.dataDir, "pglite");
}

/** The database every entry point opens: the server at DATABASE_URL, else the embedded one. */
export function databaseTargetOf(config: Config): { url: string } | { dataDir: string } {
  return config.databaseUrl ? { url: config.databaseUrl } : { dataDir: pgliteDirOf(config) };
}

// --- Mail server (issue 8) -------------------------------------------------------------------

/**
 * The mail-server connector. `none` (default) keeps mailbot as it was: no server is contacted,
 * activity comes from files and POST /api/activity. `dovecot` needs a PostgreSQL DATABASE_URL
 * (Dovecot and Postfix read its views; PGlite cannot serve them).
 */
export const MailserverEnvSchema = z
  .object({
    MAILSERVER: z.preprocess(
      emptyToUndefined,
      z.enum(["none", "dovecot"], { error: "phải là none hoặc dovecot" }).default("none"),
    ),
    DATABASE_URL: z.preprocess(emptyToUndefined, z.string().optional()),
    DOVEADM_API_URL: z.preprocess(
      emptyToUndefined,
      z.url({ protocol: /^https?$/, error: "phải là URL http(s)://…/doveadm/v1" }).optional(),
    ),
    DOVEADM_API_KEY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .min(16, "phải dài ít nhất 16 ký tự")
        .regex(/^[A-Za-z0-9_\-+/=]+$/, "chỉ gồm chữ, số và _-+/=")
        .optional(),
    ),
    MAILSERVER_SENT_FOLDER: z.preprocess(emptyToUndefined, z.string().trim().min(1).max(200).default("Sent")),
    MAILSERVER_SYNC_SECONDS: z.preprocess(
      emptyToUndefined,
      z.coerce.number().int().min(10).max(3600).default(60),
    ),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.MAILSERVER === "none") return;
    if (!cfg.DATABASE_URL?.startsWith("postgres")) {
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message:
          "MAILSERVER=dovecot cần DATABASE_URL của một máy chủ PostgreSQL (PGlite nhúng không dùng được)",
      });
    }
    if (!cfg.DOVEADM_API_URL) {
      ctx.addIssue({ code: "custom", path: ["DOVEADM_API_URL"], message: "bắt buộc khi MAILSERVER=dovecot" });
    }
    if (!cfg.DOVEADM_API_KEY) {
      ctx.addIssue({ code: "custom", path: ["DOVEADM_API_KEY"], message: "bắt buộc khi MAILSERVER=dovecot" });
    }
  });

export interface MailserverConfig {
  kind: "none" | "dovecot";
  databaseUrl: string | undefined;
  doveadmApiUrl: string | undefined;
  doveadmApiKey: string | undefined;
  sentFolder: string;
  syncSeconds: number;
}

function toMailserverConfig(raw: z.infer<typeof MailserverEnvSchema>): MailserverConfig {
  return {
    kind: raw.MAILSERVER,
    databaseUrl: raw.DATABASE_URL,
    doveadmApiUrl: raw.DOVEADM_API_URL,
    doveadmApiKey: raw.DOVEADM_API_KEY,
    sentFolder: raw.MAILSERVER_SENT_FOLDER,
    syncSeconds: raw.MAILSERVER_SYNC_SECONDS,
  };
}
