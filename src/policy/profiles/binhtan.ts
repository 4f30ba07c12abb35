import type { ProfileInput } from "../profile.ts";
import {
  ELIGIBILITY,
  INACTIVITY,
  LEAVER_BY_LEVEL,
  PASSWORD_ISSUE,
  SERVICE_LEVELS,
  SLOT,
  WORKING_HOURS,
} from "./common.ts";

const PASSWORD = {
  minLength: 8,
  requireUpper: true,
  requireLower: true,
  // Điều 6.1 lists upper, lower and special characters; it does not require a digit.
  requireDigit: false,
  requireSpecial: true,
  // "(!, @, #, %, &, *,...)": the list is open-ended, so accept common ASCII specials.
  specials: "!@#%&*$^()-_=+[]{};:,.?/~",
  maxAgeMonths: null,
  historyCount: 5,
  article: "Điều 6.1",
} as const;

/** UBND quận Bình Tân (TP.HCM), QĐ 7600/QĐ-UBND (23/10/2023). Seed 001. */
export const binhtan: ProfileInput = {
  id: "binhtan",
  name: "Ủy ban nhân dân quận Bình Tân",
  regulation: {
    code: "7600/QĐ-UBND",
    title: "Quy chế quản lý, sử dụng hệ thống thư điện tử công vụ trên địa bàn quận Bình Tân",
    year: 2023,
  },
  domain: "tphcm.gov.vn",
  operator: {
    name: "Văn phòng UBND quận Bình Tân (chuyển Sở TT&TT TP.HCM xử lý)",
    article: "Điều 7.1; Điều 8.3",
  },
  naming: {
    personal: {
      // The user-name rule belongs to QĐ 41/2011/QĐ-UBND TP.HCM (not in the seeds).
      pattern: "{f}{m}{given}",
      suffix: ".binhtan",
      wardSuffix: ".{ward}.bt",
      collisions: [{ type: "sequence", start: 2, article: "mailbot (mặc định; QĐ 7600 không quy định)" }],
      article: "Điều 5",
      defaultNote:
        "Tên người dùng do QĐ 41/2011/QĐ-UBND TP.HCM quy định; mặc định của mailbot: chữ đầu họ + chữ đầu tên đệm + tên (vd. nvan). Đơn vị có thể đổi trong hồ sơ.",
    },
    unit: {
      agency: "{abbr}.binhtan",
      district: "{abbr}.binhtan",
      commune: "ubnd.{name}.bt",
      division: "{abbr}.binhtan",
      group: "{name}.binhtan",
      invalidChars: "remove",
      dropWords: [],
      article: "Điều 5",
      defaultNote:
        "Hộp thư UBND phường: mặc định của mailbot ubnd.<phường>.bt, theo mẫu <…>.<phường>.bt của Điều 5.",
    },
  },
  passwords: {
    user: PASSWORD,
    admin: PASSWORD,
    ...PASSWORD_ISSUE,
    // Điều 6.2: a first login without changing the issued password locks the mailbox.
    lockAfterFirstLoginWithoutChange: true,
    firstLoginArticle: "Điều 6.2",
  },
  eligibility: {
    ...ELIGIBILITY,
    requestWithinWorkingDays: 2,
    requestArticle: "Điều 8.2",
    article: "Điều 7.2; Điều 8.2",
  },
  // QĐ 7600 has no revocation timeline: the head asks for "hủy bỏ" (Điều 8.1) within 2 working
  // days (Điều 8.2); mailbot reminds on mic's dates and revokes nothing unless the operator opts in.
  leaver: {
    ...LEAVER_BY_LEVEL,
    enforce: "remind",
    article: "Điều 8.1; Điều 8.2 (mốc nhắc theo QĐ 652/QĐ-BTTTT: mặc định của mailbot)",
  },
  // No inactivity lock in QĐ 7600: reminders only.
  inactivity: {
    ...INACTIVITY,
    enforce: "remind",
    article: "mặc định của mailbot (QĐ 7600 không quy định tạm khóa; chỉ nhắc, theo mốc của QĐ 652/QĐ-BTTTT)",
  },
  serviceLevels: {
    ...SERVICE_LEVELS,
    article: "Điều 8.3 (thời hạn: mặc định của mailbot)",
  },
  checks: {
    unit: [SLOT.startMorning, SLOT.endMorning, SLOT.startAfternoon, SLOT.endAfternoon],
    personal: [SLOT.startMorning, SLOT.endMorning, SLOT.endAfternoon],
    article: "Điều 7.3c",
  },
  replyLimitWorkingDays: 2,
  replyLimitArticle:
    "mặc định của mailbot (Điều 7.3c chỉ yêu cầu hồi đáp kịp thời; số ngày theo Điều 12.4 QĐ 652/QĐ-BTTTT)",
  limits: { quotaMb: null, attachmentMaxMb: null, quotaWarnPercent: 90, blockedExtensions: [] },
  workingHours: WORKING_HOURS,
  keeperHandoverArticle: "Điều 7.3b",
  duties: [
    {
      id: "monthly-report",
      description: "Thống kê số lượng hộp thư và báo cáo thay đổi về Văn phòng UBND quận",
      everyMonths: 1,
      article: "Điều 10.1",
    },
  ],
};
