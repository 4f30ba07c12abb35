import type { ProfileInput } from "../profile.ts";
import {
  ELIGIBILITY,
  INACTIVITY,
  LEAVER_BY_LEVEL,
  PASSWORD_ISSUE,
  PROVINCE_UNIT_NAMING,
  SERVICE_LEVELS,
  WHOLE_DAY,
  WORKING_HOURS,
} from "./common.ts";

const PASSWORD = {
  minLength: 8,
  requireUpper: true,
  requireLower: true,
  requireDigit: true,
  requireSpecial: true,
  specials: "!@#%$*&",
  // Điều 13.3: "định kỳ 01 tháng thay đổi mật khẩu một lần".
  maxAgeMonths: 1,
  historyCount: 5,
  article: "Điều 9; Điều 13.3",
} as const;

/** UBND tỉnh Phú Yên, QĐ 13/2020/QĐ-UBND (12/6/2020). Seed 002. */
export const phuyen: ProfileInput = {
  id: "phuyen",
  name: "Ủy ban nhân dân tỉnh Phú Yên",
  regulation: {
    code: "13/2020/QĐ-UBND",
    title: "Quy định quản lý, sử dụng hệ thống thư điện tử công vụ tỉnh Phú Yên",
    year: 2020,
  },
  domain: "phuyen.gov.vn",
  operator: {
    name: "Sở Thông tin và Truyền thông",
    email: "support@phuyen.gov.vn",
    article: "Điều 5.1; Điều 5.2",
  },
  naming: {
    personal: {
      pattern: "{family}{middle}{given}",
      suffix: "",
      collisions: [
        { type: "birth", format: "{yy}", article: "Điều 4.2b" },
        { type: "birth", format: "{m}{yy}", article: "Điều 4.2b" },
        {
          type: "sequence",
          start: 2,
          article: "mailbot (khi cả hai cách của Điều 4.2b đều đã có người dùng)",
        },
      ],
      article: "Điều 4.2a",
    },
    unit: {
      ...PROVINCE_UNIT_NAMING,
      // The document's own example writes xã Hòa An (huyện Phú Hòa) contracted: hoan.phuhoa.
      listed: [{ names: ["Hòa An"], parent: "phuhoa", localPart: "hoan", article: "Điều 4.1c" }],
      article: "Điều 4.1",
    },
  },
  passwords: {
    user: PASSWORD,
    admin: PASSWORD,
    ...PASSWORD_ISSUE,
  },
  eligibility: {
    ...ELIGIBILITY,
    article: "Điều 1.3; Điều 5.3a (không quy định thời hạn hợp đồng tối thiểu)",
  },
  leaver: { ...LEAVER_BY_LEVEL, article: "Điều 5.3b" },
  inactivity: { ...INACTIVITY, article: "Điều 6.2a" },
  serviceLevels: {
    ...SERVICE_LEVELS,
    article: "Điều 6.3b (khôi phục); cấp mới, cấp lại mật khẩu: mặc định của mailbot",
  },
  checks: {
    // Điều 13.1 only encourages a daily look at the personal mailbox ("khuyến khích kiểm tra thư
    // hàng ngày"): a gentle reminder, never escalated. No article sets checks of unit mailboxes.
    unit: [],
    personal: [WHOLE_DAY],
    encouragedOnly: ["personal"],
    article: "Điều 13.1",
  },
  replyLimitWorkingDays: 2,
  replyLimitArticle: "mặc định của mailbot (theo Điều 12.4 QĐ 652/QĐ-BTTTT; QĐ 13/2020 không nêu số ngày)",
  limits: {
    quotaMb: 2048,
    attachmentMaxMb: 15,
    quotaWarnPercent: 90,
    blockedExtensions: [],
    article: "Điều 7.3b",
  },
  workingHours: WORKING_HOURS,
  duties: [
    {
      id: "active-list",
      description: "Thống kê danh sách cá nhân, đơn vị đang sử dụng hộp thư gửi Sở TT&TT",
      everyMonths: 6,
      article: "Điều 12.9",
    },
    {
      id: "outage-notice",
      description: "Thông báo cho các cơ quan, đơn vị, cá nhân khi tạm ngừng dịch vụ vì lý do kỹ thuật",
      beforeOutageWorkingDays: 3,
      to: "operator",
      article: "Điều 8.1c",
    },
    {
      id: "implementation-report",
      description: "Báo cáo UBND tỉnh tình hình, kết quả thực hiện Quy chế (qua Sở TT&TT)",
      everyMonths: 6,
      article: "Điều 14.1c",
    },
    {
      id: "review-3m",
      description:
        "Sở TT&TT đánh giá, rà soát việc thực hiện Quy chế định kỳ 03 tháng, tổng hợp báo cáo UBND tỉnh",
      everyMonths: 3,
      to: "operator",
      article: "Điều 14.3đ",
    },
    {
      id: "review-6m",
      description:
        "Sở TT&TT đánh giá, rà soát việc thực hiện Quy chế định kỳ 06 tháng, tổng hợp báo cáo UBND tỉnh",
      everyMonths: 6,
      to: "operator",
      article: "Điều 14.3đ",
    },
    {
      id: "review-12m",
      description: "Sở TT&TT đánh giá, rà soát việc thực hiện Quy chế hằng năm, tổng hợp báo cáo UBND tỉnh",
      everyMonths: 12,
      to: "operator",
      article: "Điều 14.3đ",
    },
  ],
};
