import type { ProfileInput } from "../profile.ts";
import {
  baselinePasswords,
  ELIGIBILITY,
  INACTIVITY,
  LEAVER_BY_LEVEL,
  PASSWORD_ISSUE,
  SERVICE_LEVELS,
  SLOT,
  WORKING_HOURS,
} from "./common.ts";

/** Bộ Thông tin và Truyền thông, QĐ 652/QĐ-BTTTT (26/4/2016). Seed 000. */
export const mic: ProfileInput = {
  id: "mic",
  name: "Bộ Thông tin và Truyền thông",
  regulation: {
    code: "652/QĐ-BTTTT",
    title: "Quy chế quản lý, sử dụng hệ thống thư điện tử công vụ của Bộ Thông tin và Truyền thông",
    year: 2016,
  },
  domain: "mic.gov.vn",
  operator: {
    name: "Trung tâm Thông tin",
    email: "support@mic.gov.vn",
    article: "Điều 6.1; Điều 6.2",
  },
  naming: {
    personal: {
      pattern: "{f}{m}{given}",
      suffix: "",
      collisions: [
        { type: "unit-suffix", article: "Điều 5.4b" },
        { type: "permutation", article: "Điều 5.4b" },
        { type: "sequence", start: 2, article: "mailbot (khi mọi cách của Điều 5.4 đều đã có người dùng)" },
      ],
      article: "Điều 5.3",
    },
    unit: {
      agency: "{abbr}",
      district: "{abbr}",
      commune: "{abbr}",
      division: "{abbr}",
      group: "{name}",
      invalidChars: "underscore",
      dropWords: [],
      article: "Điều 5.1",
      groupArticle: "Điều 5.2",
    },
  },
  passwords: {
    // Điều 15.2 only asks for a periodic change; length and classes are our baseline.
    user: {
      ...baselinePasswords("Điều 15.2 (độ phức tạp, chu kỳ nhắc 6 tháng: mặc định của mailbot)").user,
      // "định kỳ thay đổi mật khẩu" without a period: remind every 6 months, never lock.
      remindChangeMonths: 6,
    },
    admin: {
      ...baselinePasswords("Điều 15.2 (độ phức tạp, chu kỳ nhắc 6 tháng: mặc định của mailbot)").admin,
      remindChangeMonths: 6,
    },
    ...PASSWORD_ISSUE,
  },
  // Điều 6.3: "hợp đồng thời hạn tối thiểu 01 năm".
  eligibility: { ...ELIGIBILITY, minContractMonths: 12, article: "Điều 6.3" },
  leaver: { ...LEAVER_BY_LEVEL, article: "Điều 6.4c" },
  inactivity: { ...INACTIVITY, article: "Điều 7.2a" },
  serviceLevels: {
    ...SERVICE_LEVELS,
    article: "Điều 7.3b (khôi phục); cấp mới, cấp lại mật khẩu: mặc định của mailbot",
  },
  checks: {
    unit: [SLOT.startMorning, SLOT.endMorning, SLOT.endAfternoon],
    personal: [],
    article: "Điều 12.3a",
  },
  replyLimitWorkingDays: 2,
  replyLimitArticle: "Điều 12.4",
  limits: {
    quotaMb: 1024,
    attachmentMaxMb: 20,
    quotaWarnPercent: 90,
    blockedExtensions: [],
    article: "Điều 8.3b",
  },
  workingHours: WORKING_HOURS,
  keeperHandoverArticle: "Điều 12.3d",
  duties: [
    {
      id: "active-list",
      description: "Thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư gửi Trung tâm Thông tin",
      everyMonths: 6,
      article: "Điều 14.6",
    },
    {
      id: "outage-notice",
      description: "Thông báo cho các cơ quan, đơn vị, cá nhân khi tạm ngừng dịch vụ vì lý do kỹ thuật",
      beforeOutageWorkingDays: 3,
      to: "operator",
      article: "Điều 10.3",
    },
  ],
};
