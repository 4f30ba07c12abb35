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

/** "Kiểm tra thư điện tử tối thiểu 2 lần/buổi" (Điều 13.2): two checks anywhere in each half-day. */
const HALF_DAY_SLOTS = [
  { from: "07:30", to: "11:30", label: "buổi sáng", minChecks: 2 },
  { from: "13:00", to: "17:00", label: "buổi chiều", minChecks: 2 },
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
  operator: { name: "Trung tâm Công nghệ thông tin và Truyền thông", article: "Điều 10" },
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
  // Điều 2 covers "người lao động" and sets no minimum contract length.
  eligibility: { ...ELIGIBILITY, article: "Điều 2 (không quy định thời hạn hợp đồng tối thiểu)" },
  // QĐ 48 has neither a revocation timeline nor an inactivity lock: reminders only.
  leaver: {
    ...LEAVER_BY_LEVEL,
    enforce: "remind",
    article: "mặc định của mailbot (QĐ 48 không quy định thu hồi; chỉ nhắc, theo mốc của QĐ 652/QĐ-BTTTT)",
  },
  inactivity: {
    ...INACTIVITY,
    enforce: "remind",
    article: "mặc định của mailbot (QĐ 48 không quy định tạm khóa; chỉ nhắc)",
  },
  serviceLevels: { ...SERVICE_LEVELS, article: "mặc định của mailbot" },
  // Điều 12.2 applies Điều 13 to the unit mailbox.
  checks: { unit: HALF_DAY_SLOTS, personal: HALF_DAY_SLOTS, article: "Điều 12.2; Điều 13.2" },
  replyLimitWorkingDays: null,
  limits: { quotaMb: null, attachmentMaxMb: null, quotaWarnPercent: 90, blockedExtensions: [] },
  workingHours: WORKING_HOURS,
  duties: [
    {
      id: "quarterly-report",
      description: "Phòng CNTT báo cáo định kỳ hàng quý về hoạt động của Hệ thống thư điện tử",
      everyMonths: 3,
      to: "operator",
      article: "Điều 8.5",
    },
    {
      id: "yearly-report",
      description: "Phòng CNTT báo cáo định kỳ hằng năm về hoạt động của Hệ thống thư điện tử",
      everyMonths: 12,
      to: "operator",
      article: "Điều 8.5",
    },
  ],
};
