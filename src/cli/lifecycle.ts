/** `lifecycle leaver|inactivity`: the dates a mailbox's life is scheduled on. */
import { z } from "zod";
import { vnInstant } from "../calendar/index.ts";
import { cite } from "../policy/cite.ts";
import { inactivityDates, leaverDates } from "../policy/lifecycle.ts";
import { LEADER_LEVELS } from "../policy/types.ts";
import { calendarDate, noPositionals, PROFILE_OPTION, required, vnHuman, vnIsoOrNull } from "./common.ts";

/** "28/02/2027". */
function vnDay(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}
import { defineCommand, done } from "./types.ts";

const leaver = defineCommand({
  path: ["lifecycle", "leaver"],
  usage: "lifecycle leaver --profile P --level staff|division|department --left YYYY-MM-DD [--json]",
  summary: {
    vi: "Ngày khóa chức năng gửi và ngày thu hồi hộp thư của người nghỉ việc, chuyển công tác",
    en: "Send-lock and revoke dates of a leaver's mailbox",
  },
  details: {
    vi: "staff/division: lãnh đạo cấp phòng trở xuống; department: cấp Vụ, sở, ban, ngành, UBND huyện trở lên. Với ninhbinh, --left là ngày có quyết định (Điều 7.2) và không có bước khóa gửi riêng.",
    en: "staff/division: division head and below; department: department head and above. For ninhbinh, --left is the decision date (Điều 7.2) and there is no separate send lock.",
  },
  options: {
    profile: PROFILE_OPTION,
    level: {
      type: "string",
      value: "staff|division|department",
      vi: "Cấp của người nghỉ: staff (nhân viên), division (lãnh đạo phòng), department (lãnh đạo Vụ/sở trở lên)",
      en: "Leader level: staff, division (division head), department (department head and above)",
    },
    left: {
      type: "string",
      value: "YYYY-MM-DD",
      vi: "Ngày chính thức nghỉ việc",
      en: "Official leaving date",
    },
  },
  schema: z.object({
    profile: z.string().optional(),
    level: z.enum(LEADER_LEVELS, {
      message: "Thiếu hoặc sai --level: chỉ nhận staff, division hoặc department.",
    }),
    left: required("Thiếu --left YYYY-MM-DD.", calendarDate),
    positionals: noPositionals,
  }),
  examples: ["lifecycle leaver --profile mic --level department --left 2026-08-31 --json"],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const r = leaverDates(profile, input.level, input.left, ctx.calendar());
    // The dates shown are the last days of the periods; the *At instants are when mailbot acts
    // (24:00 of that day, Bộ luật Dân sự Điều 148; "khóa ngay" at the start of the leaving day).
    const json: Record<string, unknown> = {
      sendLockOn: r.sendLockOn,
      sendLockAt: vnIsoOrNull(r.sendLockAt),
      revokeOn: r.revokeOn,
      revokeAt: vnIsoOrNull(r.revokeAt),
      enforce: r.enforce,
    };
    if (r.agencyRequestBy) json.agencyRequestBy = r.agencyRequestBy;
    const remind = r.enforce === "remind" ? " (chỉ nhắc thủ trưởng đơn vị; mailbot không tự làm)" : "";
    return done(json, [
      ...(r.agencyRequestBy
        ? [`Cơ quan gửi văn bản đề nghị chậm nhất hết ngày ${vnDay(r.agencyRequestBy)}.`]
        : []),
      r.sendLockAt && r.sendLockOn
        ? r.sendLockAt.getTime() === vnInstant(r.sendLockOn, "00:00").getTime()
          ? `Khóa chức năng gửi: ngay từ ngày ${vnDay(r.sendLockOn)}${remind}.`
          : `Khóa chức năng gửi: khi hết ngày ${vnDay(r.sendLockOn)}${remind}.`
        : "Không có bước khóa chức năng gửi riêng.",
      r.agencyRequestBy
        ? `Chấm dứt hộp thư: chậm nhất ${vnHuman(r.revokeAt)}${remind}.`
        : `Thu hồi hộp thư: khi hết ngày ${vnDay(r.revokeOn)}${remind}.`,
      `Căn cứ: ${cite(profile, r.article)}.`,
    ]);
  },
});

const inactivity = defineCommand({
  path: ["lifecycle", "inactivity"],
  usage: "lifecycle inactivity --profile P --last-activity YYYY-MM-DD [--json]",
  summary: {
    vi: "Ngày tạm khóa hộp thư không hoạt động (và ngày gỡ bỏ với ninhbinh)",
    en: "Inactivity lock date (and removal date for ninhbinh)",
  },
  details: {
    vi: "Với ninhbinh, removeAt giả định thông báo tạm dừng được gửi đúng ngày tạm dừng.",
    en: "For ninhbinh, removeAt assumes the suspension notice goes out on the suspension day.",
  },
  options: {
    profile: PROFILE_OPTION,
    "last-activity": {
      type: "string",
      value: "YYYY-MM-DD",
      vi: "Ngày hoạt động cuối (gửi/nhận thư, hoặc đăng nhập với ninhbinh)",
      en: "Day of the last activity (send/receive, or login for ninhbinh)",
    },
  },
  schema: z.object({
    profile: z.string().optional(),
    "last-activity": required("Thiếu --last-activity YYYY-MM-DD.", calendarDate),
    positionals: noPositionals,
  }),
  examples: ["lifecycle inactivity --profile ninhbinh --last-activity 2026-01-15 --json"],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const r = inactivityDates(profile, vnInstant(input["last-activity"], "00:00"), ctx.calendar());
    const json: Record<string, unknown> = {
      lockOn: r.lockOn,
      lockAt: vnIsoOrNull(r.lockAt),
      enforce: profile.inactivity.enforce,
    };
    if (r.removeAt) json.removeAt = vnIsoOrNull(r.removeAt);
    const what = `${r.basis === "login" ? "không đăng nhập" : "không gửi, nhận thư"} ${profile.inactivity.months} tháng`;
    return done(json, [
      profile.inactivity.enforce === "remind"
        ? `Hết ngày ${vnDay(r.lockOn)}: tròn ${what}; chỉ nhắc chủ hộp thư và thủ trưởng đơn vị (quy chế không quy định tạm khóa).`
        : `Tạm khóa: khi hết ngày ${vnDay(r.lockOn)} (${what}).`,
      ...(r.removeAt ? [`Gỡ bỏ nếu không có văn bản đề nghị mở lại: sau ${vnHuman(r.removeAt)}.`] : []),
      `Căn cứ: ${cite(profile, r.article)}.`,
    ]);
  },
});

export const lifecycleCommands = [leaver, inactivity];
