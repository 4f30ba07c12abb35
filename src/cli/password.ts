/**
 * `password check|generate`. The password to check is read from the FIRST LINE OF STDIN only:
 * argv is visible to every user of the machine (ps, /proc) and lands in shell history. The
 * password is never printed, logged or put in an error message.
 */
import { z } from "zod";
import {
  checkPassword,
  generateTemporaryPassword,
  temporaryPasswordLengthRange,
} from "../policy/passwords.ts";
import { noPositionals, PROFILE_OPTION, ROLE_OPTION, roleSchema } from "./common.ts";
import { defineCommand, done, UsageError } from "./types.ts";

const check = defineCommand({
  path: ["password", "check"],
  usage:
    'password check --profile P [--role user|admin] [--name "…"] [--address ADDR] [--json]  < dòng mật khẩu',
  summary: {
    vi: "Kiểm tra mật khẩu (đọc từ dòng đầu của stdin) theo quy định của hồ sơ",
    en: "Check a password (read from the first line of stdin) against the profile's rules",
  },
  details: {
    vi: "Không bao giờ truyền mật khẩu qua tham số dòng lệnh. Ví dụ: printf '%s\\n' \"$MK\" | npm run cli -- password check --profile phuyen",
    en: "Never pass the password as an argument. Example: printf '%s\\n' \"$PW\" | npm run cli -- password check --profile phuyen",
  },
  options: {
    profile: PROFILE_OPTION,
    role: ROLE_OPTION,
    name: { type: "string", value: '"…"', vi: "Họ tên chủ hộp thư", en: "Owner's full name" },
    address: {
      type: "string",
      value: "ADDR",
      vi: "Địa chỉ thư (hoặc phần trước @) của chủ hộp thư",
      en: "Owner's address (or its local part)",
    },
  },
  schema: z.object({
    profile: z.string().optional(),
    role: roleSchema,
    name: z.string().optional(),
    address: z.string().optional(),
    positionals: noPositionals,
  }),
  sensitive: true,
  examples: ['password check --profile ninhbinh --role admin --name "Nguyễn Văn An" --json < mk.txt'],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const password = await ctx.readStdinLine();
    if (password === null) {
      throw new UsageError(
        "Không có mật khẩu trên stdin (dòng đầu tiên) / no password on the first line of stdin.",
      );
    }
    const r = checkPassword(profile, input.role, password, {
      fullName: input.name,
      localPart: input.address,
    });
    if (r.ok) return done({ ok: true }, ["Mật khẩu đạt yêu cầu."]);
    return {
      exitCode: 1,
      json: { ok: false, violations: r.violations },
      text: ["Mật khẩu chưa đạt yêu cầu:", ...r.violations.map((v) => `- ${v.message}`)],
    };
  },
});

const generate = defineCommand({
  path: ["password", "generate"],
  usage: "password generate --profile P [--role user|admin] [--length N] [--json]",
  summary: {
    vi: "Tạo mật khẩu tạm ngẫu nhiên (node:crypto) đạt quy định của hồ sơ",
    en: "Generate a random temporary password (node:crypto) that meets the profile's rules",
  },
  options: {
    profile: PROFILE_OPTION,
    role: ROLE_OPTION,
    length: { type: "string", value: "N", vi: "Độ dài (mặc định 14)", en: "Length (default 14)" },
  },
  schema: z.object({
    profile: z.string().optional(),
    role: roleSchema,
    length: z
      .string()
      .regex(/^\d{1,3}$/, { message: "Độ dài phải là số nguyên dương." })
      .transform(Number)
      .optional(),
    positionals: noPositionals,
  }),
  sensitive: true,
  examples: ["password generate --profile phuyen --json"],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const range = temporaryPasswordLengthRange(profile, input.role);
    if (input.length !== undefined && (input.length < range.min || input.length > range.max)) {
      throw new UsageError(`--length: độ dài phải từ ${range.min} đến ${range.max}.`);
    }
    const password = generateTemporaryPassword(profile, input.role, input.length);
    return done({ password }, [password]);
  },
});

export const passwordCommands = [check, generate];
