import type { ProfileInput } from "../profile.ts";
import {
  baselinePasswords,
  ELIGIBILITY,
  INACTIVITY,
  LEAVER_BY_LEVEL,
  PASSWORD_ISSUE,
  PROVINCE_UNIT_NAMING,
  SERVICE_LEVELS,
  WORKING_HOURS,
} from "./common.ts";

/** Two checks per half-day (Điều 13.2): two windows in each buổi. */
const HALF_DAY_SLOTS = [
  { from: "07:30", to: "09:30", label: "lần 1 buổi sáng" },
  { from: "09:30", to: "11:30", label: "lần 2 buổi sáng" },
  { from: "13:00", to: "15:00", label: "lần 1 buổi chiều" },
  { from: "15:00", to: "17:00", label: "lần 2 buổi chiều" },
];

/** Sở TT&TT Sóc Trăng, QĐ 48/QĐ-STTTT (27/6/2017). Seed 003. */
export const soctrang: ProfileInput = {
  id: "soctrang",
  name: "Sở Thông tin và Truyền thông tỉnh Sóc Trăng",
  regulation: {
    code: "48/QĐ-STTTT",
    title: "Quy chế quản lý, sử dụng hệ thống thư điện tử của Sở Thông tin và Truyền thông tỉnh Sóc Trăng",
    year: 2017,
  },
  domain: "soctrang.gov.vn",
  operator: { name: "Trung tâm Công nghệ thông tin và Truyền thông", article: "Điều 4" },
  naming: {
    personal: {
      // Điều 5 defers to QĐ 17/2014/QĐ-UBND Sóc Trăng (not in the seeds).
      pattern: "{f}{m}{given}",
      suffix: "",
      collisions: [{ type: "sequence", start: 2, article: "mailbot (mặc định)" }],
      article: "Điều 5",
      defaultNote:
        "Điều 5 dẫn chiếu Điều 3 QĐ 17/2014/QĐ-UBND tỉnh Sóc Trăng; mặc định của mailbot: chữ đầu họ + chữ đầu tên đệm + tên, trùng thì thêm số thứ tự.",
    },
    unit: {
      ...PROVINCE_UNIT_NAMING,
      article: "Điều 5",
      defaultNote: "Mặc định của mailbot theo mẫu chung của các tỉnh; QĐ 17/2014/QĐ-UBND quy định chi tiết.",
    },
  },
  passwords: { ...baselinePasswords("mặc định của mailbot"), ...PASSWORD_ISSUE },
  eligibility: { ...ELIGIBILITY, article: "mặc định của mailbot" },
  leaver: { ...LEAVER_BY_LEVEL, article: "mặc định của mailbot (theo QĐ 652/QĐ-BTTTT Điều 6.4c)" },
  inactivity: { ...INACTIVITY, article: "mặc định của mailbot" },
  serviceLevels: { ...SERVICE_LEVELS, article: "mặc định của mailbot" },
  checks: { unit: HALF_DAY_SLOTS, personal: HALF_DAY_SLOTS, article: "Điều 13.2" },
  replyLimitWorkingDays: null,
  limits: { quotaMb: null, attachmentMaxMb: null, quotaWarnPercent: 90, blockedExtensions: [] },
  workingHours: WORKING_HOURS,
  duties: [
    {
      id: "quarterly-report",
      description: "Báo cáo quý về hệ thống thư điện tử",
      everyMonths: 3,
      article: "Điều 8.5",
    },
  ],
};
