/**
 * `mailbox lock|unlock`: the operator's security lock of a compromised or violating mailbox.
 * One transaction and one audit row (reason, operator) per change; repeating changes nothing.
 * The status change reaches the mail server through its outbox (the `mailboxes` trigger kicks
 * open IMAP/SMTP sessions), /trangthai shows it, and a /khoiphuc request cannot lift it.
 */
import { userInfo } from "node:os";
import { z } from "zod";
import type { Services } from "../services/index.ts";
import type { MailboxView } from "../services/types.ts";
import { vnHuman } from "./common.ts";
import { defineCommand, done, type CliContext } from "./types.ts";

const KIND_TEXT = {
  compromised: "nghi bị lộ mật khẩu hoặc bị chiếm quyền",
  violation: "vi phạm quy định sử dụng",
} as const;

/** The operating-system account that typed the command, for the audit row. */
function operatorName(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}

/** "annv@phuyen.gov.vn (Nguyễn Văn An, Phòng Một)". */
async function describeMailbox(services: Services, mailbox: MailboxView): Promise<string> {
  const holderId = mailbox.ownerStaffId ?? mailbox.keeperStaffId;
  const [holder] = holderId ? await services.directory.findStaff({ id: holderId, limit: 1 }) : [];
  const unit = holder ? null : await services.directory.getUnit(mailbox.unitId);
  const who = holder
    ? `${holder.fullName}${mailbox.ownerStaffId ? "" : " giữ hộ"}, ${holder.unitName}`
    : (unit?.name ?? "chưa có chủ");
  return `${mailbox.address} (${who})`;
}

const address = z
  .array(z.string())
  .length(1, { message: "Cần đúng một địa chỉ hộp thư." })
  .transform((p) => (p[0] as string).trim())
  .refine((a) => a.includes("@") && a.length <= 254, {
    message: "Địa chỉ hộp thư phải có dạng ten@tenmien.",
  });

async function withMailboxes<T>(ctx: CliContext, fn: (services: Services) => Promise<T>): Promise<T> {
  return ctx.withServices((services) => fn(services));
}

const lock = defineCommand({
  path: ["mailbox", "lock"],
  usage: 'mailbox lock <ADDRESS> --reason "…" [--kind compromised|violation] [--json]',
  summary: {
    vi: "Khóa ngay một hộp thư bị lộ mật khẩu hoặc vi phạm (khóa an ninh của quản trị)",
    en: "Lock a compromised or violating mailbox at once (operator's security lock)",
  },
  details: {
    vi:
      "Chặn đăng nhập IMAP/SMTP và ngắt các phiên đang mở (qua hàng đợi máy chủ thư); hộp thư vẫn nhận thư. " +
      "Lý do được ghi nhật ký kèm tên người chạy lệnh và hiện cho chủ hộp thư trong /trangthai. " +
      "Chỉ `mailbox unlock` mở được: yêu cầu /khoiphuc của chủ hộp thư bị từ chối. Chạy lại cùng lệnh không thay đổi gì.",
    en:
      "Blocks IMAP/SMTP logins and kicks open sessions (through the mail-server outbox); mail still arrives. " +
      "The reason is audited with the operator's name and shown to the owner in /trangthai. " +
      "Only `mailbox unlock` lifts it: the owner's /khoiphuc is refused. Repeating the command changes nothing.",
  },
  options: {
    reason: { type: "string", value: "…", vi: "Lý do (bắt buộc)", en: "Reason (required)" },
    kind: {
      type: "string",
      value: "compromised|violation",
      vi: "compromised: nghi lộ mật khẩu/bị chiếm quyền (mặc định); violation: vi phạm quy định sử dụng",
      en: "compromised: password leaked/account taken over (default); violation: breach of the rules",
    },
  },
  positionals: [{ name: "ADDRESS", vi: "Địa chỉ hộp thư", en: "Mailbox address" }],
  schema: z.object({
    positionals: address,
    reason: z
      .string({ message: 'Thiếu --reason "…": lý do khóa được ghi nhật ký và báo cho chủ hộp thư.' })
      .trim()
      .min(3, { message: "Lý do cần ít nhất 3 ký tự." })
      .max(500, { message: "Lý do tối đa 500 ký tự." }),
    kind: z
      .enum(["compromised", "violation"], { message: "--kind chỉ nhận compromised hoặc violation." })
      .default("compromised"),
  }),
  examples: [
    'mailbox lock annv@phuyen.gov.vn --reason "Gửi thư rác hàng loạt lúc 02:00, nghi lộ mật khẩu"',
    'mailbox lock vanthu@phuyen.gov.vn --kind violation --reason "Dùng hộp thư công vụ cho việc riêng" --json',
  ],
  async run(input, ctx) {
    const operator = operatorName();
    return withMailboxes(ctx, async (services) => {
      const r = await services.mailboxes.securityLock(
        {
          address: input.positionals,
          kind: input.kind,
          reason: input.reason,
          ...(operator ? { operator } : {}),
        },
        { kind: "cli" },
      );
      const who = await describeMailbox(services, r.mailbox);
      const kicked = r.changed && r.from !== "locked" && r.from !== "suspended";
      return done(
        {
          ok: true,
          changed: r.changed,
          address: r.mailbox.address,
          status: r.mailbox.status,
          kind: input.kind,
          reason: input.reason,
          from: r.from,
          lockedAt: r.mailbox.lockedAt?.toISOString() ?? null,
        },
        r.changed
          ? [
              `Đã khóa hộp thư ${who}: ${KIND_TEXT[input.kind]}; lý do: ${input.reason}.`,
              kicked
                ? "Đăng nhập IMAP/SMTP bị chặn; lệnh ngắt các phiên đang mở đã vào hàng đợi máy chủ thư (mailbot mailserver outbox)."
                : "Hộp thư vốn đã bị khóa; nay là khóa an ninh của quản trị.",
              `Chỉ lệnh mailbot mailbox unlock ${r.mailbox.address} mở lại được (chủ hộp thư không tự khôi phục qua /khoiphuc).`,
            ]
          : [
              `Hộp thư ${who} đã bị khóa đúng như vậy từ ${r.mailbox.lockedAt ? vnHuman(r.mailbox.lockedAt) : "trước"}; không thay đổi gì.`,
            ],
      );
    });
  },
});

const unlock = defineCommand({
  path: ["mailbox", "unlock"],
  usage: 'mailbox unlock <ADDRESS> [--reason "…"] [--json]',
  summary: {
    vi: "Mở khóa an ninh của quản trị cho một hộp thư",
    en: "Lift the operator's security lock of a mailbox",
  },
  details: {
    vi: "Chỉ mở khóa do `mailbox lock` đặt; hộp thư bị khóa theo quy chế (lâu không dùng…) mở bằng /khoiphuc. Hộp thư đã mở: không thay đổi gì. Nên yêu cầu chủ hộp thư đổi mật khẩu (/doimk).",
    en: "Lifts only a `mailbox lock`; a lock under the rules (inactivity…) is lifted through /khoiphuc. An open mailbox is left as is. Ask the owner to change the password (/doimk).",
  },
  options: {
    reason: { type: "string", value: "…", vi: "Lý do mở khóa (ghi nhật ký)", en: "Reason (audited)" },
  },
  positionals: [{ name: "ADDRESS", vi: "Địa chỉ hộp thư", en: "Mailbox address" }],
  schema: z.object({
    positionals: address,
    reason: z.string().trim().min(1).max(500, { message: "Lý do tối đa 500 ký tự." }).optional(),
  }),
  examples: ['mailbox unlock annv@phuyen.gov.vn --reason "Đã đổi mật khẩu, kiểm tra máy tính sạch"'],
  async run(input, ctx) {
    const operator = operatorName();
    return withMailboxes(ctx, async (services) => {
      const r = await services.mailboxes.securityUnlock(
        {
          address: input.positionals,
          ...(input.reason ? { reason: input.reason } : {}),
          ...(operator ? { operator } : {}),
        },
        { kind: "cli" },
      );
      const who = await describeMailbox(services, r.mailbox);
      const now =
        r.mailbox.status === "active"
          ? "đang hoạt động"
          : r.mailbox.status === "send_locked"
            ? "khóa chiều gửi (người dùng đã nghỉ việc)"
            : "vẫn bị đình chỉ do lâu không sử dụng";
      return done(
        { ok: true, changed: r.changed, address: r.mailbox.address, status: r.mailbox.status, from: r.from },
        r.changed
          ? [
              `Đã mở khóa an ninh cho hộp thư ${who}; trạng thái: ${now}.`,
              "Nên yêu cầu chủ hộp thư đổi mật khẩu ngay (/doimk).",
            ]
          : [`Hộp thư ${who} không bị khóa an ninh (${now}); không thay đổi gì.`],
      );
    });
  },
});

export const mailboxCommands = [lock, unlock];
