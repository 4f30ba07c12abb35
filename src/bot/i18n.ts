/**
 * Every user-facing string of the bot infrastructure, in Vietnamese with full diacritics (NFC),
 * plus the small formatters replies share.
 *
 * Why plain typed functions and not @grammyjs/i18n + Fluent: the bot speaks one language, the
 * strings need typed arguments (dates, ids, role lists) that TypeScript checks at every call site,
 * and a missing key is a compile error instead of a runtime fallback. Fluent would add a
 * dependency, a loader and untyped `ctx.t("key", {…})` calls for no second locale. If a second
 * language ever comes, this module is the one place to turn into a lookup.
 *
 * Command modules keep their own domain wording next to their code (commands/shared/format.ts
 * builds its lines and cards on top of this module); this file holds what the infrastructure says
 * (errors, gates, flows, buttons) and is the single source of the date formatters and the request
 * kind/state/role names.
 */
import { describeWorkingTimeLeft } from "../calendar/deadlines.ts";
import { formatVnDate, vnDateOf, vnTimeOf, WEEKDAY_NAMES_VI, weekdayOf } from "../calendar/time.ts";
import type { RequestKind, RequestState, Role } from "../policy/types.ts";
import { REQUEST_KIND_LABELS, REQUEST_STATE_LABELS, ROLE_LABELS } from "../policy/vocabulary.ts";

// ---------------------------------------------------------------------------------------------
// Formatters

/** "thứ Năm" / "Chủ nhật": weekday inside a sentence. */
function weekdayInSentence(instant: Date): string {
  const name = WEEKDAY_NAMES_VI[weekdayOf(vnDateOf(instant))];
  return name.startsWith("Thứ") ? `thứ${name.slice(3)}` : name;
}

/** "17:00 thứ Năm 26/11/2026" in Vietnam time (UTC+7). */
export function formatDeadline(instant: Date): string {
  return `${vnTimeOf(instant)} ${weekdayInSentence(instant)} ${formatVnDate(vnDateOf(instant))}`;
}

/** "26/11/2026" in Vietnam time. */
export function formatDay(instant: Date): string {
  return formatVnDate(vnDateOf(instant));
}

/** "09:12 26/11/2026" in Vietnam time. */
export function formatDateTime(instant: Date): string {
  return `${vnTimeOf(instant)} ${formatVnDate(vnDateOf(instant))}`;
}

/** "còn 3 ngày làm việc" / "hết hạn trong hôm nay" / "quá hạn 1 ngày làm việc". */
export function formatWorkingDaysLeft(days: number): string {
  return describeWorkingTimeLeft(days);
}

/** "#1042". */
export function formatRequestNo(id: number): string {
  return `#${id}`;
}

export const REQUEST_KIND_NAMES: Record<RequestKind, string> = REQUEST_KIND_LABELS;

export const REQUEST_STATE_NAMES: Record<RequestState, string> = REQUEST_STATE_LABELS;

export const ROLE_NAMES: Record<Role, string> = ROLE_LABELS;

/** Escapes text for parse_mode HTML (names and addresses come from users). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// ---------------------------------------------------------------------------------------------
// Messages

export const t = {
  // errors and gates
  genericError: () =>
    "Xin lỗi, đã có lỗi khi xử lý yêu cầu của anh/chị. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, hãy báo bộ phận hỗ trợ.",
  notLinked: () =>
    "Tài khoản Telegram này chưa được liên kết với cán bộ nào nên chưa dùng được lệnh này.\n" +
    "Hãy xin bộ phận hỗ trợ (hoặc văn thư đơn vị) một mã liên kết, rồi gửi /start <mã> trong cuộc trò chuyện riêng với bot. Gõ /help để xem hướng dẫn.",
  notLinkedShort: () => "Tài khoản chưa liên kết. Gửi /start <mã liên kết> trong chat riêng với bot.",
  forbidden: (roles: readonly Role[]) =>
    `Anh/chị không có quyền thực hiện thao tác này (cần vai trò ${roles.map((r) => ROLE_NAMES[r]).join(" hoặc ")} trong phạm vi đơn vị liên quan). Nếu cần quyền, hãy liên hệ bộ phận hỗ trợ.`,
  forbiddenShort: () => "Anh/chị không có quyền bấm nút này.",
  privateOnly: (botUsername: string | undefined) =>
    botUsername
      ? `Lệnh này chỉ dùng trong cuộc trò chuyện riêng với bot: https://t.me/${botUsername}`
      : "Lệnh này chỉ dùng trong cuộc trò chuyện riêng với bot.",
  staleButton: () => "Nút này đã hết hạn hoặc không còn hợp lệ. Hãy gõ lại lệnh để bắt đầu lại.",
  unknownCommand: () => "Bot chưa hiểu lệnh này. Gõ /help để xem các lệnh anh/chị có thể dùng.",
  notUnderstood: () => "Bot chưa hiểu tin nhắn này. Gõ /help để xem các lệnh anh/chị có thể dùng.",
  tooLong: (max: number) => `Tin nhắn quá dài (tối đa ${max} ký tự). Hãy gửi ngắn gọn hơn.`,

  // flows
  flowExpired: (minutes: number) =>
    `Thao tác trước đã hết hạn vì không có trả lời trong ${minutes} phút, nên bot đã dừng lại và chưa lưu gì. Hãy gõ lại lệnh để bắt đầu lại.`,
  flowCancelled: () => "Đã dừng thao tác đang làm. Chưa có gì được lưu.",
  noFlowToCancel: () => "Hiện không có thao tác nào đang làm dở.",
  flowReplaced: () => "Thao tác đang làm dở trước đó đã được dừng.",
  flowHint: () => "(gõ /huy để dừng)",

  // /start
  startGreeting: (botName: string) =>
    `Xin chào! Đây là ${botName}, trợ lý quản trị hệ thống thư điện tử công vụ.\n\n` +
    "Để dùng bot, tài khoản Telegram của anh/chị cần được liên kết với hồ sơ cán bộ:\n" +
    "1. Xin bộ phận hỗ trợ (hoặc văn thư đơn vị) một mã liên kết.\n" +
    "2. Gửi /start <mã> trong cuộc trò chuyện riêng này (hoặc mở đường liên kết t.me kèm mã).\n\n" +
    "Gõ /help để xem hướng dẫn.",
  startAlreadyLinked: (fullName: string, unitName: string) =>
    `Xin chào ${fullName} (${unitName}). Tài khoản đã được liên kết. Gõ /help để xem các lệnh anh/chị có thể dùng.`,
  startLinked: (fullName: string, unitName: string) =>
    `Đã liên kết tài khoản Telegram với cán bộ ${fullName} (${unitName}). Gõ /help để xem các lệnh anh/chị có thể dùng.`,
  startInGroup: (botUsername: string | undefined) =>
    botUsername
      ? `Hãy gửi mã liên kết trong cuộc trò chuyện riêng với bot (https://t.me/${botUsername}), không gửi trong nhóm. Mã vừa gửi ở đây không được dùng.`
      : "Hãy gửi mã liên kết trong cuộc trò chuyện riêng với bot, không gửi trong nhóm. Mã vừa gửi ở đây không được dùng.",
  startBadCodeShape: () =>
    "Mã liên kết không đúng định dạng (12 ký tự chữ và số). Kiểm tra lại mã hoặc xin bộ phận hỗ trợ một mã mới.",

  // /help
  helpHeaderLinked: (fullName: string, roles: string) =>
    `${fullName} — vai trò: ${roles}.\nCác lệnh anh/chị có thể dùng:`,
  helpHeaderUnlinked: () =>
    "Tài khoản chưa liên kết. Gửi /start <mã liên kết> trong chat riêng với bot để bắt đầu.\nCác lệnh dùng được lúc này:",
  helpFooter: () => "Trong lúc đang trả lời từng bước, gõ /huy để dừng.",
} as const;

/** Descriptions for setMyCommands and /help (Telegram: 1–256 characters, shown in the menu). */
export const COMMAND_DESCRIPTIONS = {
  start: "Bắt đầu; liên kết tài khoản bằng mã",
  help: "Các lệnh anh/chị có thể dùng",
  huy: "Dừng thao tác đang làm dở",
  capmoi: "Đề nghị cấp mới hộp thư công vụ",
  khoiphuc: "Đề nghị khôi phục hộp thư bị khóa",
  doimk: "Đổi mật khẩu (chỉ trong chat riêng)",
  trangthai: "Trạng thái hộp thư và yêu cầu",
  hangdoi: "Hàng đợi yêu cầu của bộ phận hỗ trợ",
} as const;
