/**
 * Parsing what people type into the chat. Pure (no I/O, no clock reads: "today" is an argument),
 * every function returns a Result whose error is a Vietnamese sentence saying what is wrong and
 * how to write it instead, so a command can reply with it as is.
 *
 * The one-line /capmoi form (documented in /help and README):
 *
 *   /capmoi <họ và tên>; <ngày sinh dd/mm/yyyy>; <đơn vị>; <chức vụ>; <hình thức>[; <loại>]
 *   /capmoi Huỳnh Ngọc Đức; 03/12/1985; Trung tâm CNTT&TT; chuyên viên; biên chế
 *   /capmoi Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; hợp đồng 24 tháng
 *
 * - fields are separated by ";" or, when there is no ";", by "," (names and unit names contain
 *   spaces and "&", never ";"); a missing field is named;
 * - the unit is its name, its abbreviation or its number (matched against the units the caller
 *   may act for, case and diacritics ignored);
 * - chức vụ: "chuyên viên" (also nhân viên, cán bộ), "lãnh đạo phòng" (trưởng/phó phòng),
 *   "lãnh đạo sở" (lãnh đạo sở trở lên, giám đốc, phó giám đốc, chủ tịch…);
 * - hình thức: "biên chế", or "hợp đồng <N> tháng" / "hợp đồng <N> năm";
 * - loại (optional, default cá nhân): "cá nhân", "đơn vị", "nhóm".
 */
import { z } from "zod";
import { daysInMonth, isoDateOf } from "../../src/calendar/time.ts";
import type { IsoDate } from "../../src/calendar/types.ts";
import { foldWords } from "../../src/lib/fold.ts";
import { err, ok, type Result } from "../../src/lib/result.ts";
import { normalizeName } from "../../src/policy/names.ts";
import {
  birthDateProblem,
  parseEmployment,
  parseLeaderLevel,
  parseMailboxKind as parseKind,
  type Employment,
} from "../../src/policy/vocabulary.ts";
import type { LeaderLevel, MailboxKind } from "../../src/policy/types.ts";

/** Longest chat input a form or a step accepts; Telegram allows 4,096 characters. */
export const MAX_INPUT_LENGTH = 500;
export const MAX_NAME_LENGTH = 80;
export const MAX_REASON_LENGTH = 300;

/** How typed words are compared: the one fold (src/lib/fold.ts), spaces collapsed. */
export const fold = foldWords;

/** NFC, trimmed, inner whitespace collapsed to single spaces. */
export function clean(text: string): string {
  return text.normalize("NFC").replace(/\s+/g, " ").trim();
}

export function tooLong(text: string, max = MAX_INPUT_LENGTH): string | null {
  return text.length > max
    ? `Nội dung quá dài (${text.length} ký tự, tối đa ${max}). Hãy gửi ngắn gọn hơn.`
    : null;
}

// ---------------------------------------------------------------------------------------------
// Names

/**
 * A person's full name, by the naming rules of src/policy/names.ts (Vietnamese letters, an
 * apostrophe or hyphen inside a word as in "H'Hen", at least two words), and at most
 * MAX_NAME_LENGTH characters here. Returned NFC with single spaces and each word capitalised.
 */
export function parseFullName(input: string): Result<string, string> {
  const text = clean(input);
  if (text.length > MAX_NAME_LENGTH) {
    return err(`Họ và tên quá dài (${text.length} ký tự, tối đa ${MAX_NAME_LENGTH}). Hãy gõ lại họ và tên.`);
  }
  const normalised = normalizeName(text);
  return normalised.ok ? ok(normalised.value) : err(normalised.error.message);
}

// ---------------------------------------------------------------------------------------------
// Dates

const VN_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/** "03/12/1985" (also 3/12/1985, 03-12-1985, 03.12.1985) → "1985-12-03"; the date must exist. */
export function parseVnDate(input: string): Result<IsoDate, string> {
  const text = input.trim();
  const match = VN_DATE.exec(text);
  if (!match) return err(`"${text.slice(0, 30)}" không phải ngày dạng dd/mm/yyyy. Ví dụ: 03/12/1985.`);
  const day = Number(match[1]);
  const month = Number(match[2]);
  const year = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return err(`Ngày ${text} không có thật trên lịch. Kiểm tra lại ngày và tháng (dd/mm/yyyy).`);
  }
  return ok(isoDateOf(year, month, day));
}

/** A birth date: a real dd/mm/yyyy date, the person aged 15 to 100 on `today`. */
export function parseBirthDate(input: string, today: IsoDate): Result<IsoDate, string> {
  const parsed = parseVnDate(input);
  if (!parsed.ok) return parsed;
  const problem = birthDateProblem(parsed.value, today);
  return problem ? err(`${problem} Hãy gõ lại (dd/mm/yyyy).`) : ok(parsed.value);
}

/** An end date for an absence notice: today or later, at most one year ahead. */
export function parseUntilDate(input: string, today: IsoDate): Result<IsoDate, string> {
  const parsed = parseVnDate(input);
  if (!parsed.ok) return parsed;
  if (parsed.value < today)
    return err("Ngày kết thúc đã qua. Hãy chọn hôm nay hoặc một ngày sau (dd/mm/yyyy).");
  const limit = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`;
  if (parsed.value > limit) return err("Báo nghỉ tối đa một năm. Hãy chọn ngày kết thúc gần hơn.");
  return ok(parsed.value);
}

// ---------------------------------------------------------------------------------------------
// Closed word lists: one vocabulary (src/policy/vocabulary.ts), re-exported for the commands

export {
  EMPLOYMENT_LABELS,
  LEADER_LEVEL_LABELS,
  MAILBOX_KIND_LABELS as KIND_LABELS,
  parseContractMonths,
  parseEmployment,
  parseLeaderLevel,
  parseMailboxKind as parseKind,
  type Employment,
} from "../../src/policy/vocabulary.ts";

// ---------------------------------------------------------------------------------------------
// Units

export { type UnitChoice } from "./unit-match.ts";

// ---------------------------------------------------------------------------------------------
// The one-line /capmoi form

export interface CapmoiForm {
  fullName: string;
  birthDate: IsoDate;
  unitText: string;
  leaderLevel: LeaderLevel;
  employment: Employment;
  kind: MailboxKind;
}

export const CAPMOI_FORM_HELP =
  "Cú pháp một dòng: /capmoi Họ và tên; ngày sinh dd/mm/yyyy; đơn vị; chức vụ; hình thức[; loại]\n" +
  "Ví dụ: /capmoi Huỳnh Ngọc Đức; 03/12/1985; Trung tâm CNTT&TT; chuyên viên; biên chế\n" +
  'Chức vụ: chuyên viên, lãnh đạo phòng, lãnh đạo sở. Hình thức: biên chế hoặc "hợp đồng 24 tháng". ' +
  "Loại (không bắt buộc): cá nhân, đơn vị, nhóm. Gõ /capmoi không kèm gì để được hỏi từng bước.";

const FIELD_NAMES = ["họ và tên", "ngày sinh", "đơn vị", "chức vụ", "hình thức", "loại"] as const;

/**
 * Parses the text after "/capmoi". Returns every field's problem at once (one line each), so
 * the person fixes the form in one go.
 */
export function parseCapmoiForm(input: string, today: IsoDate): Result<CapmoiForm, string> {
  const long = tooLong(input);
  if (long) return err(long);
  // Semicolons, or commas when there is no semicolon (names and dates never hold either).
  const separator = input.includes(";") ? ";" : ",";
  const parts = input.split(separator).map((p) => p.trim());
  if (parts.length < 5) {
    const missing = FIELD_NAMES.slice(parts.length, 5).join(", ");
    return err(
      `Biểu mẫu còn thiếu: ${missing} (anh/chị gửi ${parts.length} mục, cần 5, cách nhau bởi dấu ";" hoặc ",").\n${CAPMOI_FORM_HELP}`,
    );
  }
  if (parts.length > 6) {
    return err(
      `Biểu mẫu có ${parts.length} mục, nhiều hơn 6 mục cho phép (cách nhau bởi dấu ";" hoặc ",").\n${CAPMOI_FORM_HELP}`,
    );
  }
  const [nameText, birthText, unitText, levelText, employmentText, kindText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const name = parseFullName(nameText);
  const birth = parseBirthDate(birthText, today);
  const level = parseLeaderLevel(levelText);
  const employment = parseEmployment(employmentText);
  const kind: Result<MailboxKind, string> =
    kindText === undefined || kindText === "" ? ok("personal") : parseKind(kindText);
  const unit: Result<string, string> = unitText.length > 0 ? ok(clean(unitText)) : err("Chưa có tên đơn vị.");
  const problems: string[] = [];
  const results = [name, birth, unit, level, employment, kind];
  results.forEach((r, i) => {
    if (!r.ok) problems.push(`• ${FIELD_NAMES[i]}: ${r.error}`);
  });
  if (!name.ok || !birth.ok || !unit.ok || !level.ok || !employment.ok || !kind.ok) {
    return err(`Biểu mẫu chưa đúng:\n${problems.join("\n")}\n${CAPMOI_FORM_HELP}`);
  }
  return ok({
    fullName: name.value,
    birthDate: birth.value,
    unitText: unit.value,
    leaderLevel: level.value,
    employment: employment.value,
    kind: kind.value,
  });
}

// ---------------------------------------------------------------------------------------------
// Addresses, request numbers

const AddressSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .regex(/^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?@(?:[a-z0-9-]+\.)+[a-z]{2,}$/);

export function parseAddress(input: string): Result<string, string> {
  const parsed = AddressSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  return err(
    `"${clean(input).slice(0, 60)}" không phải địa chỉ thư hợp lệ. Ví dụ: nguyenvana@phuyen.gov.vn.`,
  );
}

export type StatusTarget = { kind: "request"; id: number } | { kind: "address"; address: string };

/** "#1042", "1042" → a request number; anything with "@" → an address. */
export function parseStatusTarget(input: string): Result<StatusTarget, string> {
  const text = input.trim();
  const number = /^#?(\d{1,9})$/.exec(text);
  if (number) return ok({ kind: "request", id: Number(number[1]) });
  if (text.includes("@")) {
    const address = parseAddress(text);
    return address.ok ? ok({ kind: "address", address: address.value }) : address;
  }
  return err("Hãy ghi số yêu cầu (ví dụ 1042) hoặc địa chỉ hộp thư (ví dụ nguyenvana@phuyen.gov.vn).");
}

// ---------------------------------------------------------------------------------------------
// /baonghi <address> <until dd/mm/yyyy> <reason>

export interface AbsenceForm {
  address: string;
  until: IsoDate;
  reason: string;
}

export const BAONGHI_HELP =
  "Cú pháp: /baonghi <địa chỉ> <đến ngày dd/mm/yyyy> <lý do>\n" +
  "Ví dụ: /baonghi nguyenvana@phuyen.gov.vn 30/06/2027 đi học dài hạn";

export function parseAbsenceForm(input: string, today: IsoDate): Result<AbsenceForm, string> {
  const long = tooLong(input);
  if (long) return err(long);
  const match = /^(\S+)\s+(\S+)\s+(.+)$/su.exec(input.trim());
  if (!match) return err(`Thiếu thông tin.\n${BAONGHI_HELP}`);
  const address = parseAddress(match[1] as string);
  if (!address.ok) return err(`${address.error}\n${BAONGHI_HELP}`);
  const until = parseUntilDate(match[2] as string, today);
  if (!until.ok) return err(`${until.error}\n${BAONGHI_HELP}`);
  const reason = clean(match[3] as string);
  if (reason.length < 3) return err(`Hãy ghi lý do nghỉ.\n${BAONGHI_HELP}`);
  if (reason.length > MAX_REASON_LENGTH) return err(`Lý do quá dài (tối đa ${MAX_REASON_LENGTH} ký tự).`);
  return ok({ address: address.value, until: until.value, reason });
}

/** A rejection reason typed by the support desk: 3–300 characters. */
export function parseReason(input: string): Result<string, string> {
  const reason = clean(input);
  if (reason.length < 3) return err("Lý do quá ngắn. Hãy ghi rõ lý do từ chối (gõ /huy để thôi).");
  if (reason.length > MAX_REASON_LENGTH) {
    return err(`Lý do quá dài (${reason.length} ký tự, tối đa ${MAX_REASON_LENGTH}). Hãy gửi ngắn gọn hơn.`);
  }
  return ok(reason);
}

// ---------------------------------------------------------------------------------------------
// Passwords in the wrong place

/**
 * True when a group message may carry a password: "/doimk <anything but quenmk>". The bot
 * deletes such a message before anything else looks at it.
 */
export function looksLikePasswordCommand(text: string): boolean {
  const match = /^\/doimk(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match) return false;
  const rest = (match[1] ?? "").trim();
  return rest.length > 0 && fold(rest) !== "quenmk";
}
