/** `profile show|check`: look at a built-in profile, validate an operator's profile file. */
import { z } from "zod";
import { describePasswordPolicy } from "../policy/passwords.ts";
import { parseProfileJson } from "../policy/profiles/index.ts";
import { defineCommand, done, rejected } from "./types.ts";

const show = defineCommand({
  path: ["profile", "show"],
  usage: "profile show <id> [--json]",
  summary: { vi: "Xem một hồ sơ quy chế", en: "Show a jurisdiction profile" },
  options: {},
  positionals: [{ name: "id", vi: "Mã hồ sơ (mic, binhtan, phuyen, soctrang, ninhbinh)", en: "Profile id" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .length(1, { message: "Cần đúng một mã hồ sơ." })
      .transform((p) => p[0] as string),
  }),
  examples: ["profile show phuyen", "profile show mic --json"],
  async run(input, ctx) {
    const p = ctx.profile(input.positionals);
    return done({ profile: p }, [
      `${p.id}: ${p.name}`,
      `Văn bản: ${p.regulation.code} — ${p.regulation.title}`,
      `Tên miền: ${p.domain}; đơn vị vận hành: ${p.operator.name}${p.operator.email ? ` <${p.operator.email}>` : ""}`,
      `Mật khẩu người dùng: ${describePasswordPolicy(p, "user")}`,
      `Mật khẩu quản trị: ${describePasswordPolicy(p, "admin")}`,
      `Tạm khóa khi không hoạt động ${p.inactivity.months} tháng (${p.inactivity.article}).`,
      `Khôi phục trong ${p.serviceLevels.restoreWorkingDays} ngày làm việc; cấp mới ${p.serviceLevels.createWorkingDays}; cấp lại mật khẩu ${p.serviceLevels.resetWorkingDays} (${p.serviceLevels.article}).`,
      p.replyLimitWorkingDays === null
        ? "Không quy định thời hạn trả lời thư."
        : `Trả lời thư trong ${p.replyLimitWorkingDays} ngày làm việc.`,
      // Rules the mail server applies (not mailbot): shown so the operator can configure them.
      `Máy chủ thư: tệp đính kèm tối đa ${p.limits.attachmentMaxMb === null ? "không quy định" : `${p.limits.attachmentMaxMb} MB`}; ` +
        `chặn tệp ${p.limits.blockedExtensions.length > 0 ? p.limits.blockedExtensions.join(" ") : "không quy định"}; ` +
        `tự động chuyển tiếp ra ngoài: ${p.limits.autoForwardOutsideGov === "forbidden" ? "cấm" : "không cấm"}.`,
    ]);
  },
});

const check = defineCommand({
  path: ["profile", "check"],
  usage: "profile check FILE [--json]",
  summary: {
    vi: "Kiểm tra tệp JSON hồ sơ quy chế của đơn vị; liệt kê mọi lỗi kèm đường dẫn",
    en: "Validate an operator's JSON profile; list every error with its path",
  },
  options: {},
  positionals: [{ name: "FILE", vi: "Tệp JSON", en: "JSON file" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .length(1, { message: "Cần đúng một tệp." })
      .transform((p) => p[0] as string),
  }),
  examples: ["profile check ./hoso-hanoi.json --json"],
  async run(input, ctx) {
    const parsed = parseProfileJson(await ctx.readTextFile(input.positionals));
    if (parsed.ok) {
      return done({ ok: true, id: parsed.value.id }, [
        `Hồ sơ hợp lệ: ${parsed.value.id} (${parsed.value.name}).`,
      ]);
    }
    const n = parsed.error.length;
    return rejected(
      "invalid_profile",
      `Hồ sơ không hợp lệ: ${n} lỗi. Sửa từng trường được nêu rồi kiểm tra lại.`,
      { issues: parsed.error },
      [`Hồ sơ không hợp lệ (${n} lỗi):`, ...parsed.error.map((i) => `- ${i.path}: ${i.message}`)],
    );
  },
});

export const profileCommands = [show, check];
