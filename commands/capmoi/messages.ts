/** What /capmoi says: every prompt, refusal and summary of the conversation. */
import { formatDeadline } from "../../src/bot/i18n.ts";
import { formatVnDate } from "../../src/calendar/time.ts";
import { findProfile } from "../../src/policy/profiles/index.ts";
import type { RequestView, StaffView } from "../../src/services/types.ts";
import { EMPLOYMENT_LABELS, KIND_LABELS, LEADER_LEVEL_LABELS } from "../shared/parse.ts";
import { Data } from "./form.ts";

export const m = {
  start: () => "Cấp mới hộp thư công vụ. Họ và tên người được cấp? (gõ /huy để dừng)",
  startKinds: () => "Nếu cần hộp thư của đơn vị hoặc của một nhóm, bấm nút bên dưới.",
  groupName: () => "Tên nhóm (hộp thư dùng chung của nhóm)? Ví dụ: Tổ Công Tác Chuyển Đổi Số.",
  birth: () => "Ngày sinh (dd/mm/yyyy)?",
  unit: () => "Đơn vị công tác?",
  unitTyped: () => "Đơn vị công tác? Gõ tên hoặc ký hiệu đơn vị.",
  unitForUnitMailbox: () => "Hộp thư của đơn vị nào?",
  level: () => "Chức vụ?",
  employment: () => "Hình thức làm việc?",
  months: () => "Hợp đồng bao nhiêu tháng? Gõ số tháng, ví dụ: 18.",
  noUnits: () =>
    "Anh/chị không có đơn vị nào trong phạm vi được đề nghị cấp hộp thư. Hãy liên hệ bộ phận hỗ trợ nếu cần được cấp quyền.",
  onlySelf: () =>
    "Chưa thể gửi yêu cầu: anh/chị chỉ có thể đề nghị cấp hộp thư cho chính mình.\n" +
    "Yêu cầu cho người khác do Thủ trưởng đơn vị hoặc người được ủy quyền (văn thư) gửi.",
  selfIntro: (s: StaffView) =>
    `Đề nghị cấp hộp thư cá nhân cho chính anh/chị: ${s.fullName} (${s.unitName}). ` +
    "Yêu cầu sẽ được gửi tới Thủ trưởng đơn vị xác nhận trước khi chuyển bộ phận hỗ trợ.",
  refused: (why: string) => `Chưa thể gửi yêu cầu: ${why}`,
  pickPrompt: () => "Chọn một địa chỉ khác theo quy tắc đặt tên của quy chế:",
  pickPromptSupport: () =>
    "Chọn một địa chỉ khác theo quy tắc đặt tên. Bộ phận hỗ trợ có thể gõ một địa chỉ ngoài quy tắc (sẽ được ghi là ngoại lệ).",
  noAlternatives: () => "Quy chế không đưa ra địa chỉ thay thế cho người này. Bấm Quay lại.",
  pickTypedRefused: () =>
    "Chỉ chọn được các địa chỉ theo quy tắc đặt tên ở trên; địa chỉ ngoài quy tắc do bộ phận hỗ trợ cấp (ngoại lệ). Bấm một nút, hoặc Quay lại.",
  guessUnit: (names: string[]) =>
    names.length === 1
      ? `Có phải «${names[0]}»?`
      : `Có phải một trong các đơn vị sau? Bấm để chọn, hoặc gõ lại tên đơn vị.`,
  noDiacritics: (name: string) =>
    `Họ và tên «${name}» được viết không dấu. Tên chính thức trong hồ sơ phải đúng như giấy tờ, có dấu tiếng Việt ` +
    "(ví dụ: Nguyễn Văn An). Gõ lại họ và tên có dấu, hoặc bấm «Giữ nguyên» nếu tên thật sự không có dấu.",
  knownPeople: () =>
    "Trong danh bạ đã có người trùng tên. Nếu là một trong những người này, bấm để dùng hồ sơ sẵn có; nếu không, bấm «Người khác».",
  keeper: (unit: string) =>
    `Ai giữ hộp thư của ${unit}? (văn thư hoặc người được giao quản lý hộp thư đơn vị)`,
  existing: (text: string) => `Chưa gửi yêu cầu mới: ${text}`,
  cancelled: () => "Đã hủy. Chưa có yêu cầu nào được gửi.",
  sent: (r: RequestView, operator: string) =>
    `Đã gửi yêu cầu #${r.id} tới ${operator}.${r.dueAt ? ` Hạn xử lý: ${formatDeadline(r.dueAt)}.` : ""}\n` +
    `Dùng /trangthai ${r.id} để theo dõi.`,
  sentForEndorsement: (r: RequestView, heads: number) =>
    `Đã ghi nhận yêu cầu #${r.id} (${r.address}). Yêu cầu đang chờ Thủ trưởng đơn vị xác nhận` +
    (heads > 0
      ? "; sau khi được xác nhận, bộ phận hỗ trợ sẽ xử lý."
      : ". Hiện chưa có Thủ trưởng đơn vị nào dùng bot: hãy báo Thủ trưởng đơn vị hoặc văn thư.") +
    `\nDùng /trangthai ${r.id} để theo dõi.`,
  addressChanged: (wanted: string, got: string) =>
    `Lưu ý: địa chỉ ${wanted} vừa có người khác giữ, nên yêu cầu dùng địa chỉ ${got}.`,
  endorseAsk: (r: RequestView) =>
    `📝 Yêu cầu #${r.id}: ${r.requesterName} (${r.unitName}) đề nghị cấp hộp thư cá nhân ${r.address} cho chính mình.\n` +
    "Anh/chị xác nhận đề nghị này? Sau khi xác nhận, yêu cầu được chuyển bộ phận hỗ trợ.",
};

export function operatorOf(profileId: string): string {
  return findProfile(profileId)?.operator.name ?? "bộ phận hỗ trợ";
}

export function employmentLabel(d: Data): string {
  if (d.employmentType === "civil_servant") return EMPLOYMENT_LABELS.civil_servant;
  if (d.employmentType === "contract")
    return `${EMPLOYMENT_LABELS.contract} ${d.contractMonths ?? "?"} tháng`;
  return "";
}

export function summary(d: Data): string {
  const lines = [`Loại hộp thư: ${KIND_LABELS[d.kind].toLocaleLowerCase("vi")}`];
  if (d.kind === "personal") {
    lines.push(`Họ và tên: ${d.fullName ?? ""}`);
    if (d.birthDate) lines.push(`Ngày sinh: ${formatVnDate(d.birthDate)}`);
  } else if (d.kind === "group") {
    lines.push(`Tên nhóm: ${d.fullName ?? ""}`);
  }
  lines.push(`Đơn vị: ${d.unitName ?? ""}`);
  if (d.kind === "personal") {
    if (d.leaderLevel) lines.push(`Chức vụ: ${LEADER_LEVEL_LABELS[d.leaderLevel]}`);
    lines.push(`Hình thức: ${employmentLabel(d)}`);
  }
  return lines.join("\n");
}
