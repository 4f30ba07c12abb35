/**
 * `mailserver config|sync|outbox`: the mail server's control plane from the command line.
 * `config` writes the Dovecot and Postfix files for this database; `sync` reads activity from
 * the server once; `outbox` applies pending server actions once (the bot does both on a timer
 * when MAILSERVER=dovecot).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { z } from "zod";
import type { MailserverConfig } from "../config.ts";
import type { DoveadmHttpConnector } from "../mailserver/doveadm.ts";
import { cite } from "../policy/cite.ts";
import { noPositionals, PROFILE_OPTION } from "./common.ts";
import { defineCommand, done, rejected, type CommandResult } from "./types.ts";

const pathSchema = z.string().trim().min(1).max(4096);

const config = defineCommand({
  path: ["mailserver", "config"],
  usage:
    "mailserver config --out DIR --postmaster ADDR (--tls-cert FILE --tls-key FILE | --no-tls) [options] [--json]",
  summary: {
    vi: "Sinh cấu hình Dovecot và Postfix đọc dữ liệu của mailbot",
    en: "Generate the Dovecot and Postfix configuration that reads mailbot's data",
  },
  details: {
    vi: "Cần DATABASE_URL của máy chủ PostgreSQL và DOVEADM_API_KEY. Dovecot và Postfix kết nối bằng vai trò mailbot_mailserver (chỉ đọc các view, chỉ ghi bảng hoạt động); mật khẩu của vai trò đọc từ --db-password-file. Xem docs/mailserver.md.",
    en: "Needs DATABASE_URL of a PostgreSQL server and DOVEADM_API_KEY. Dovecot and Postfix connect as the role mailbot_mailserver (reads the views, writes the activity tables only); its password is read from --db-password-file. See docs/mailserver.md.",
  },
  options: {
    out: { type: "string", value: "DIR", vi: "Thư mục ghi các tệp", en: "Folder to write the files to" },
    "config-dir": {
      type: "string",
      value: "DIR",
      vi: "Nơi các tệp sẽ nằm trên máy chủ thư (mặc định /etc/dovecot/mailbot)",
      en: "Where the files will live on the mail server (default /etc/dovecot/mailbot)",
    },
    "mail-root": {
      type: "string",
      value: "DIR",
      vi: "Thư mục lưu thư (mặc định /var/vmail)",
      en: "Mail storage root (default /var/vmail)",
    },
    "mail-user": {
      type: "string",
      value: "USER",
      vi: "Người dùng hệ thống sở hữu thư (mặc định vmail)",
      en: "System user owning the mail (default vmail)",
    },
    "db-password-file": {
      type: "string",
      value: "FILE",
      vi: "Tệp chứa mật khẩu của vai trò mailbot_mailserver",
      en: "File holding the mailbot_mailserver role's password",
    },
    "tls-cert": { type: "string", value: "FILE", vi: "Chứng chỉ TLS (PEM)", en: "TLS certificate (PEM)" },
    "tls-key": { type: "string", value: "FILE", vi: "Khóa TLS (PEM)", en: "TLS key (PEM)" },
    "no-tls": {
      type: "boolean",
      vi: "Không TLS (chỉ để thử trên 127.0.0.1)",
      en: "No TLS (only for trials on 127.0.0.1)",
    },
    postmaster: { type: "string", value: "ADDR", vi: "Địa chỉ postmaster", en: "Postmaster address" },
    profile: {
      ...PROFILE_OPTION,
      vi: "Hồ sơ quy chế: cỡ tệp đính kèm và loại tệp bị cấm đưa vào Postfix",
      en: "Regulation profile: its attachment size and blocked file types go into Postfix",
    },
  },
  schema: z
    .object({
      out: pathSchema,
      "config-dir": pathSchema.default("/etc/dovecot/mailbot"),
      "mail-root": pathSchema.default("/var/vmail"),
      "mail-user": z
        .string()
        .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "tên người dùng hệ thống không hợp lệ")
        .default("vmail"),
      "db-password-file": pathSchema.optional(),
      "tls-cert": pathSchema.optional(),
      "tls-key": pathSchema.optional(),
      "no-tls": z.boolean().optional(),
      postmaster: z.email({
        message: "cần --postmaster, một địa chỉ hợp lệ (ví dụ postmaster@phuyen.gov.vn)",
      }),
      profile: z.string().optional(),
      positionals: noPositionals,
    })
    .refine((o) => o["no-tls"] === true || (o["tls-cert"] !== undefined && o["tls-key"] !== undefined), {
      message: "Cần --tls-cert và --tls-key (hoặc --no-tls khi chỉ thử trên 127.0.0.1).",
    }),
  examples: [
    "mailserver config --out ./mailserver --profile phuyen --postmaster postmaster@phuyen.gov.vn --tls-cert /etc/ssl/mail.pem --tls-key /etc/ssl/private/mail.key --db-password-file /root/mailserver.pw",
  ],
  async run(input, ctx): Promise<CommandResult> {
    const env = ctx.config.mailserver;
    const profile = input.profile === undefined ? null : ctx.profile(input.profile);
    if (!env.databaseUrl?.startsWith("postgres")) {
      return rejected(
        "needs_postgresql",
        "Tích hợp máy chủ thư cần DATABASE_URL của một máy chủ PostgreSQL: Dovecot và Postfix đọc trực tiếp các view của mailbot. PGlite nhúng không dùng được cho việc này.",
      );
    }
    if (!env.doveadmApiKey) {
      return rejected(
        "needs_api_key",
        "Chưa đặt DOVEADM_API_KEY (ít nhất 16 ký tự, ví dụ tạo bằng `openssl rand -base64 24`): mailbot dùng nó để đọc thư và áp dụng thao tác trên Dovecot.",
      );
    }
    const password = input["db-password-file"]
      ? (await ctx.readTextFile(input["db-password-file"])).trim()
      : "";
    // The mail-server modules load only when a command here runs (fast --help; see types.ts).
    const { connectionFromUrl, generateMailserverConfig } = await import("../mailserver/dovecot-config.ts");
    let connection;
    try {
      connection = connectionFromUrl(env.databaseUrl, password);
    } catch (error) {
      return rejected("bad_database_url", (error as Error).message);
    }
    const files = generateMailserverConfig(connection, {
      configDir: input["config-dir"],
      baseDir: "/run/dovecot",
      stateDir: "/var/lib/dovecot",
      mailRoot: input["mail-root"],
      mailUser: input["mail-user"],
      mailGroup: input["mail-user"],
      unprivileged: false,
      ports: {},
      doveadmApiKey: env.doveadmApiKey,
      tls: input["tls-cert"] && input["tls-key"] ? { cert: input["tls-cert"], key: input["tls-key"] } : null,
      postmaster: input.postmaster,
      limits: profile && {
        attachmentMaxMb: profile.limits.attachmentMaxMb,
        blockedExtensions: profile.limits.blockedExtensions,
        citation: profile.limits.article ? cite(profile, profile.limits.article) : profile.regulation.code,
      },
    });
    const out = resolve(input.out);
    for (const file of files) {
      const path = join(out, file.name);
      await mkdir(join(path, ".."), { recursive: true });
      await writeFile(path, file.content, { mode: file.mode });
    }
    const names = files.map((f) => f.name);
    return done({ out, files: names }, [
      `Đã ghi ${names.length} tệp vào ${out}:`,
      ...names.map((n) => `  ${n}`),
      profile
        ? `Giới hạn thư theo hồ sơ ${profile.id}: tệp đính kèm ${profile.limits.attachmentMaxMb === null ? "không quy định (mặc định của Postfix)" : `tối đa ${profile.limits.attachmentMaxMb} MB/thư`}; ${profile.limits.blockedExtensions.length > 0 ? `chặn tệp ${profile.limits.blockedExtensions.join(" ")}` : "không chặn loại tệp nào"}.`
        : "Chưa có --profile: Postfix giữ giới hạn mặc định (10 MB/thư), không chặn loại tệp nào.",
      "Các bước tiếp theo: docs/mailserver.md.",
    ]);
  },
});

async function connector(env: MailserverConfig): Promise<DoveadmHttpConnector | null> {
  if (env.kind !== "dovecot" || !env.doveadmApiUrl || !env.doveadmApiKey) return null;
  const { DoveadmHttpConnector } = await import("../mailserver/doveadm.ts");
  return new DoveadmHttpConnector({
    url: env.doveadmApiUrl,
    apiKey: env.doveadmApiKey,
    sentFolder: env.sentFolder,
  });
}

const notConfigured = (): CommandResult =>
  rejected(
    "mailserver_none",
    "MAILSERVER=none: chưa kết nối máy chủ thư. Đặt MAILSERVER=dovecot, DOVEADM_API_URL và DOVEADM_API_KEY (xem docs/mailserver.md).",
  );

const sync = defineCommand({
  path: ["mailserver", "sync"],
  usage: "mailserver sync [--json]",
  summary: {
    vi: "Đọc hoạt động từ máy chủ thư một lần (đăng nhập, nhận thư, dung lượng, thư cần trả lời)",
    en: "Read activity from the mail server once (logins, deliveries, quota, messages to answer)",
  },
  options: {},
  schema: z.object({ positionals: noPositionals }),
  async run(_input, ctx) {
    const c = await connector(ctx.config.mailserver);
    if (!c) return notConfigured();
    const { syncMailserverActivity } = await import("../mailserver/sync.ts");
    const report = await ctx.withDatabase((database) => syncMailserverActivity(database, c));
    return done({ ...report } as unknown as Record<string, unknown>, [
      `Đã đồng bộ ${report.changedMailboxes} hộp thư có thay đổi (${report.serverCalls} lần gọi máy chủ): ` +
        `${report.activity.messagesAdded} thư mới cần trả lời, ${report.activity.messagesAnswered} thư đã trả lời.`,
    ]);
  },
});

const outbox = defineCommand({
  path: ["mailserver", "outbox"],
  usage: "mailserver outbox [--json]",
  summary: {
    vi: "Áp dụng các thao tác đang chờ trên máy chủ thư (ngắt phiên, xóa thư hộp đã thu hồi)",
    en: "Apply pending mail-server actions (kick sessions, remove a revoked mailbox's mail)",
  },
  options: {},
  schema: z.object({ positionals: noPositionals }),
  async run(_input, ctx) {
    const c = await connector(ctx.config.mailserver);
    if (!c) return notConfigured();
    const { applyOutbox } = await import("../mailserver/outbox.ts");
    const report = await ctx.withDatabase((database) => applyOutbox(database, c));
    return done({ ...report }, [
      `Đã áp dụng ${report.applied} thao tác; ${report.failed} lỗi (sẽ thử lại)${report.gaveUp > 0 ? `, ${report.gaveUp} đã hết số lần thử` : ""}.`,
    ]);
  },
});

export const mailserverCommands = [config, sync, outbox];
