/**
 * How the commands write dates, requests and mailboxes in Vietnamese. Pure: values in, text
 * out. Every deadline is a date and a time ("17:00 thứ Năm 26/11/2026"), never "soon".
 *
 * The date formatters and the request kind/state names live in src/bot/i18n.ts (the one place
 * for them); this module builds the command-specific lines and cards on top of them.
 */
import {
  formatDateTime,
  formatDay,
  formatDeadline,
  formatRequestNo,
  formatWorkingDaysLeft,
  REQUEST_KIND_NAMES,
  REQUEST_STATE_NAMES,
} from "../../src/bot/i18n.ts";
import { formatVnDate } from "../../src/calendar/time.ts";
import { cite } from "../../src/policy/cite.ts";
import {
  employmentLabel,
  LEADER_LEVEL_LABELS,
  MAILBOX_KIND_LABELS as KIND_LABELS,
  MAILBOX_STATUS_LABELS,
} from "../../src/policy/vocabulary.ts";
import { EmploymentType, LeaderLevel } from "../../src/policy/types.ts";
import { z } from "zod";
import type { Profile } from "../../src/policy/profile.ts";
import type { LockReason, MailboxKind, RequestState } from "../../src/policy/types.ts";
import type { MailboxView, RequestView } from "../../src/services/types.ts";

export { MAILBOX_STATUS_LABELS };

/** Lower-case, inside a line: "(cá nhân)". */
export const MAILBOX_KIND_LABELS: Record<MailboxKind, string> = {
  personal: KIND_LABELS.personal.toLocaleLowerCase("vi"),
  unit: KIND_LABELS.unit.toLocaleLowerCase("vi"),
  group: KIND_LABELS.group.toLocaleLowerCase("vi"),
};

export function isOpenState(state: RequestState): boolean {
  return state === "pending_endorsement" || state === "open" || state === "in_progress";
}

/** "(còn 2 ngày làm việc)" / "(quá hạn 1 ngày làm việc)"; empty when unknown. */
export function clockText(workingDaysLeft: number | null | undefined): string {
  return workingDaysLeft === null || workingDaysLeft === undefined
    ? ""
    : ` (${formatWorkingDaysLeft(workingDaysLeft)})`;
}

/** "Hạn: 17:00 thứ Năm 26/11/2026 (còn 3 ngày làm việc)" or "Chưa có hạn xử lý". */
export function dueText(dueAt: Date | null, workingDaysLeft?: number | null): string {
  return dueAt ? `Hạn: ${formatDeadline(dueAt)}${clockText(workingDaysLeft)}` : "Chưa tính hạn xử lý";
}

/** "#1042 Cấp mới — huynhngocduc85@phuyen.gov.vn (Trung tâm CNTT&TT)". */
export function requestTitle(request: RequestView): string {
  const what = request.address ?? request.subjectName ?? "";
  return `${formatRequestNo(request.id)} ${REQUEST_KIND_NAMES[request.kind]}${what ? ` — ${what}` : ""} (${request.unitName})`;
}

/** The support-chat card for a request (its buttons are added by the caller). */
export function supportCard(
  request: RequestView,
  workingDaysLeft: number | null,
  requesterRole?: string,
): string {
  // "New" only while nobody has taken it.
  const mark = request.state === "open" ? "🆕 " : request.state === "in_progress" ? "🔧 " : "";
  const lines = [
    `${mark}${requestTitle(request)}`,
    `Người yêu cầu: ${request.requesterName}${requesterRole ? ` (${requesterRole})` : ""}.`,
  ];
  if (request.subjectName && request.subjectName !== request.requesterName)
    lines.push(`Người được cấp: ${request.subjectName}.`);
  const person = personDetails(request.payload);
  if (person) lines.push(person);
  lines.push(`${dueText(request.dueAt, workingDaysLeft)}.`);
  if (request.assigneeName && request.state === "in_progress")
    lines.push(`Đang xử lý: ${request.assigneeName}.`);
  return lines.join("\n");
}

/**
 * What the desk needs to check eligibility on a /capmoi card: name, birth date, chức vụ and
 * employment, as filed (request payload).
 */
function personDetails(payload: Record<string, unknown>): string | null {
  const parsed = CardPayload.safeParse(payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  const parts = [`Họ tên: ${p.fullName}`];
  if (p.birthDate) parts.push(`ngày sinh: ${formatVnDate(p.birthDate)}`);
  if (p.leaderLevel) parts.push(`chức vụ: ${LEADER_LEVEL_LABELS[p.leaderLevel].toLocaleLowerCase("vi")}`);
  if (p.employmentType)
    parts.push(
      `hình thức: ${employmentLabel(p.employmentType, p.contractMonths ?? null).toLocaleLowerCase("vi")}`,
    );
  return `${parts.join("; ")}.`;
}

const CardPayload = z.object({
  fullName: z.string(),
  birthDate: z.string().nullable().optional(),
  leaderLevel: LeaderLevel.optional(),
  employmentType: EmploymentType.optional(),
  contractMonths: z.number().nullable().optional(),
  mailboxKind: z.string().optional(),
});

/** One line of /trangthai or /hangdoi for a request. */
export function requestLine(request: RequestView, workingDaysLeft?: number | null): string {
  const state = REQUEST_STATE_NAMES[request.state];
  const due =
    isOpenState(request.state) && request.dueAt
      ? `; ${dueText(request.dueAt, workingDaysLeft).toLocaleLowerCase("vi")}`
      : "";
  const assignee =
    request.state === "in_progress" && request.assigneeName ? `; người xử lý: ${request.assigneeName}` : "";
  const reason = request.state === "rejected" && request.reason ? `; lý do: ${request.reason}` : "";
  return `• ${requestTitle(request)}: ${state}${assignee}${due}${reason}`;
}

const LOCK_REASON_TEXT: Record<LockReason, (profile: Profile) => string> = {
  inactivity: (p) =>
    `không phát sinh ${p.inactivity.basis === "login" ? "đăng nhập" : "gửi, nhận"} trong ${p.inactivity.months} tháng — ${cite(p, p.inactivity.article)}`,
  violation: () => "vi phạm quy định sử dụng",
  compromised: () => "nghi bị lộ mật khẩu hoặc bị chiếm quyền",
  first_login_change: () => "chưa đổi mật khẩu tạm ở lần đăng nhập đầu tiên",
  leaver: (p) => `người dùng đã nghỉ việc hoặc chuyển công tác — ${cite(p, p.leaver.article)}`,
  other: () => "lý do khác, liên hệ bộ phận hỗ trợ để biết chi tiết",
};

/** "đang bị tạm khóa từ 02/11/2026 (không phát sinh gửi, nhận trong 6 tháng — Điều 6.2a …)". */
export function lockText(mailbox: MailboxView, profile: Profile): string {
  const since = mailbox.lockedAt ? ` từ ${formatDay(mailbox.lockedAt)}` : "";
  const why = mailbox.lockReason ? ` (${LOCK_REASON_TEXT[mailbox.lockReason](profile)})` : "";
  // An operator's security lock (mailbot mailbox lock): its reason, and who can lift it.
  if (mailbox.operatorLockReason !== null)
    return `đang bị quản trị hệ thống khóa${since}${why}; lý do: ${mailbox.operatorLockReason}; chỉ quản trị hệ thống mở khóa được (không qua /khoiphuc)`;
  return `đang bị tạm khóa${since}${why}`;
}

/** One line of /trangthai for a mailbox. */
export function mailboxLine(mailbox: MailboxView, profile: Profile | undefined): string {
  const parts = [`• ${mailbox.address} (${MAILBOX_KIND_LABELS[mailbox.kind]}): `];
  if (mailbox.status === "locked" && profile) parts.push(lockText(mailbox, profile));
  else parts.push(MAILBOX_STATUS_LABELS[mailbox.status]);
  if (mailbox.status === "suspended" && mailbox.removeAfter)
    parts.push(`; xóa sau ${formatDay(mailbox.removeAfter)}`);
  if (mailbox.sendLockAt && mailbox.status === "active")
    parts.push(`; khóa chiều gửi từ ${formatDay(mailbox.sendLockAt)}`);
  if (mailbox.revokeAt && mailbox.status !== "revoked")
    parts.push(`; thu hồi ngày ${formatDay(mailbox.revokeAt)}`);
  // Only where a temporary password was issued (a mailbox imported with must-change but never
  // given a temporary password has nothing "temporary" to change).
  if (mailbox.mustChangePassword && mailbox.tempPasswordExpiresAt) {
    parts.push(`; cần đổi mật khẩu tạm trước ${formatDateTime(mailbox.tempPasswordExpiresAt)}`);
  } else if (mailbox.mustChangePassword) {
    parts.push("; cần đổi mật khẩu ở lần đăng nhập tới");
  } else if (mailbox.passwordChangedAt) {
    parts.push(`; đổi mật khẩu lần cuối ${formatDay(mailbox.passwordChangedAt)}`);
  }
  return parts.join("");
}
