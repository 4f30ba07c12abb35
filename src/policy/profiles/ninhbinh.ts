import type { ProfileInput } from "../profile.ts";
import {
  ELIGIBILITY,
  INACTIVITY,
  PASSWORD_ISSUE,
  PROVINCE_UNIT_NAMING,
  WHOLE_DAY,
  WORKING_HOURS,
} from "./common.ts";

const PASSWORD_BASE = {
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSpecial: true,
  // Điều 11.1 asks for "ký tự đặc biệt" without a list: accept common ASCII specials.
  specials: "!@#$%^&*()-_=+[]{};:,.?/~",
  historyCount: 5,
  article: "Điều 11.1; Điều 11.2",
} as const;

/**
 * Ninh Bình leavers (Điều 7.2): the agency asks within 5 days of the decision, the operator
 * terminates within 3 working days of the request. No separate send-lock step.
 */
const LEAVER: ProfileInput["leaver"]["staff"] = {
  sendLock: null,
  revoke: [
    { value: 5, unit: "days" },
    { value: 3, unit: "workingDays" },
  ],
};

/** UBND tỉnh Ninh Bình, Quy chế (dự thảo 2020). Seed 004. */
export const ninhbinh: ProfileInput = {
  id: "ninhbinh",
  name: "Ủy ban nhân dân tỉnh Ninh Bình",
  regulation: {
    code: "Dự thảo 2020",
    title: "Quy chế quản lý, sử dụng hệ thống thư điện tử công vụ tỉnh Ninh Bình",
    year: 2020,
  },
  domain: "ninhbinh.gov.vn",
  operator: {
    name: "Sở Thông tin và Truyền thông",
    email: "stttt@ninhbinh.gov.vn",
    article: "Điều 6.1; Điều 15",
  },
  naming: {
    personal: {
      pattern: "{given}{f}{m}",
      suffix: ".{agency}",
      collisions: [{ type: "sequence", start: 2, article: "Điều 5.2b" }],
      article: "Điều 5.2a",
    },
    unit: {
      ...PROVINCE_UNIT_NAMING,
      dropWords: ["và"],
      // The fixed forms Điều 5.1 names.
      listed: [
        { names: ["UBND tỉnh", "UBND tỉnh Ninh Bình"], localPart: "ubnd", article: "Điều 5.1a" },
        {
          names: ["Thành phố Ninh Bình", "UBND thành phố Ninh Bình"],
          localPart: "tpb",
          article: "Điều 5.1b",
        },
      ],
      article: "Điều 5.1",
    },
  },
  passwords: {
    user: { ...PASSWORD_BASE, minLength: 8, maxAgeMonths: 6 },
    admin: { ...PASSWORD_BASE, minLength: 10, maxAgeMonths: 3 },
    ...PASSWORD_ISSUE,
  },
  // Điều 1.2 and 2.4 include "người lao động" and set no minimum contract length.
  eligibility: {
    ...ELIGIBILITY,
    article: "Điều 1.2; Điều 2.4 (không quy định thời hạn hợp đồng tối thiểu)",
  },
  leaver: { staff: LEAVER, division: LEAVER, department: LEAVER, article: "Điều 7.2" },
  // Điều 7.1: 6 months without logging in; removed 15 working days after the notice.
  inactivity: { ...INACTIVITY, basis: "login", removalAfterNoticeWorkingDays: 15, article: "Điều 7.1" },
  serviceLevels: {
    restoreWorkingDays: 3,
    createWorkingDays: 3,
    resetWorkingDays: 3,
    article:
      "Điều 6.2 (cấp mới: 03 ngày làm việc); mở lại (Điều 7.1), cấp mật khẩu mới (Điều 14.2): thời hạn 03 ngày là mặc định của mailbot",
  },
  checks: {
    // Điều 8.2 "Hằng ngày": the clerk looks at the unit mailbox once, any time in the working day.
    // Điều 10 ("thường xuyên") sets no count for personal mailboxes.
    unit: [WHOLE_DAY],
    personal: [],
    article: "Điều 8.2",
  },
  replyLimitWorkingDays: null,
  limits: {
    quotaMb: null,
    attachmentMaxMb: null,
    quotaWarnPercent: 90,
    blockedExtensions: [".exe", ".com", ".dll", ".net"],
    autoForwardOutsideGov: "forbidden",
    article: "Điều 11.6",
  },
  workingHours: WORKING_HOURS,
  keeperHandoverArticle: "Điều 8.3",
  duties: [
    {
      id: "yearly-report",
      // "trước ngày 15 tháng 12": the last day is 14/12.
      description: "Báo cáo UBND tỉnh kết quả thực hiện Quy chế (qua Sở TT&TT), trước ngày 15/12",
      yearlyBy: "12-14",
      article: "Điều 13.6",
    },
  ],
};
