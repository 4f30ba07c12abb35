/**
 * One vocabulary for the domain's closed word lists: the codes (src/policy/types.ts), their
 * Vietnamese labels, the words people actually type for them ("Văn thư", "Phó phòng",
 * "hợp đồng 24 tháng", "lanh_dao_phong" in a CSV), and the parsers. Chat, CSV import and CLI
 * all read this module, so a word accepted in one place is accepted in all of them.
 *
 * Also the one place for the bounds of a birth date and of a contract length.
 * Pure: no I/O, no clock ("today" is an argument).
 */
import type { IsoDate } from "../calendar/types.ts";
import { fold } from "../lib/fold.ts";
import { err, ok, type Result } from "../lib/result.ts";
import type {
  EmploymentType,
  LeaderLevel,
  MailboxKind,
  MailboxStatus,
  RequestKind,
  RequestState,
  Role,
} from "./types.ts";

/**
 * How typed words are compared: lower case, no diacritics (đ → d), "_" "-" and runs of spaces
 * as one space. "Phó_phòng", "pho-phong" and "PHÓ PHÒNG" all become "pho phong".
 */
export function foldWords(text: string): string {
  return fold(text)
    .replace(/[\s_-]+/g, " ")
    .trim();
}

/**
 * A word list as a map, and the inputs already read (a CSV import asks about the same few
 * spellings of hình thức tens of thousands of times; bounded, in case the inputs vary).
 */
interface Table<T extends string> {
  byWord: Map<string, T>;
  byInput: Map<string, T | null>;
}
const tables = new WeakMap<object, Table<string>>();

function lookup<T extends string>(words: Record<T, readonly string[]>, input: string): T | null {
  let table = tables.get(words) as Table<T> | undefined;
  if (!table) {
    table = { byWord: new Map(), byInput: new Map() };
    // The first code (in the list's order) that has the word, as its code or among its words.
    for (const [code, list] of Object.entries(words) as [T, readonly string[]][]) {
      for (const word of [foldWords(code), ...list])
        if (!table.byWord.has(word)) table.byWord.set(word, code);
    }
    tables.set(words, table);
  }
  const known = table.byInput.get(input);
  if (known !== undefined) return known;
  const code = table.byWord.get(foldWords(input)) ?? null;
  if (table.byInput.size < 1000) table.byInput.set(input, code);
  return code;
}

// ---------------------------------------------------------------------------------------------
// Leader levels (chức vụ): decide leaver timelines (mic Điều 6.4c, phuyen Điều 5.3b)

export const LEADER_LEVEL_LABELS: Record<LeaderLevel, string> = {
  staff: "Chuyên viên",
  division: "Lãnh đạo phòng",
  department: "Lãnh đạo sở trở lên",
};

/** Folded words per level; the code itself ("division") is always accepted too. */
const LEADER_LEVEL_WORDS: Record<LeaderLevel, readonly string[]> = {
  staff: [
    "chuyen vien",
    "chuyen vien chinh",
    "nhan vien",
    "can bo",
    "cong chuc",
    "vien chuc",
    "van thu",
    "ke toan",
    "thu quy",
    "cv",
    "nv",
  ],
  division: [
    "lanh dao phong",
    "truong phong",
    "pho truong phong",
    "pho phong",
    "chanh van phong",
    "pho chanh van phong",
    "giam doc trung tam",
    "pho giam doc trung tam",
    "ldp",
    "tp",
    "ptp",
    "pp",
  ],
  department: [
    "lanh dao so",
    "lanh dao so tro len",
    "lanh dao co quan",
    "lanh dao don vi",
    "lanh dao tinh",
    "lanh dao huyen",
    "lanh dao cap so",
    "lanh dao cap tinh",
    "lanh dao cap huyen",
    "giam doc",
    "pho giam doc",
    "giam doc so",
    "pho giam doc so",
    "chu tich",
    "pho chu tich",
    "thu truong",
    "lds",
    "gd",
    "pgd",
  ],
};

export function leaderLevelOf(input: string): LeaderLevel | null {
  return lookup(LEADER_LEVEL_WORDS, input);
}

export function parseLeaderLevel(input: string): Result<LeaderLevel, string> {
  const level = leaderLevelOf(input);
  if (level) return ok(level);
  return err(
    'Chức vụ chưa rõ. Hãy ghi "chuyên viên" (cả "văn thư", "nhân viên"), "lãnh đạo phòng" ' +
      '(trưởng phòng, phó phòng) hoặc "lãnh đạo sở" (giám đốc, phó giám đốc…).',
  );
}

// ---------------------------------------------------------------------------------------------
// Employment (hình thức): decides eligibility (mic Điều 6.3)

export const EMPLOYMENT_LABELS: Record<EmploymentType, string> = {
  civil_servant: "Biên chế",
  contract: "Hợp đồng",
};

const EMPLOYMENT_WORDS: Record<EmploymentType, readonly string[]> = {
  civil_servant: ["bien che", "cong chuc", "vien chuc", "bc"],
  contract: ["hop dong", "hop dong lao dong", "hd", "hdld"],
};

/** The employment type alone (a CSV column): "bien_che", "Hợp đồng", "contract". */
export function employmentTypeOf(input: string): EmploymentType | null {
  return lookup(EMPLOYMENT_WORDS, input);
}

/** Contract length bounds, in months: an open-ended contract counts as the maximum. */
export const CONTRACT_MONTHS = { min: 1, max: 120 } as const;

export function contractMonthsProblem(months: number): string | null {
  if (Number.isInteger(months) && months >= CONTRACT_MONTHS.min && months <= CONTRACT_MONTHS.max) return null;
  return `Thời hạn hợp đồng phải từ ${CONTRACT_MONTHS.min} đến ${CONTRACT_MONTHS.max} tháng (hợp đồng không xác định thời hạn ghi ${CONTRACT_MONTHS.max}).`;
}

export interface Employment {
  employmentType: EmploymentType;
  contractMonths: number | null;
}

/** "biên chế", "hợp đồng 24 tháng", "hợp đồng 2 năm", "hợp đồng không xác định thời hạn". */
export function parseEmployment(input: string): Result<Employment, string> {
  const word = foldWords(input);
  if (employmentTypeOf(word) === "civil_servant")
    return ok({ employmentType: "civil_servant", contractMonths: null });
  if (/^(hop dong|hd)( lao dong)? (khong (xac dinh )?thoi han|vo thoi han|khong thoi han)$/.test(word)) {
    return ok({ employmentType: "contract", contractMonths: CONTRACT_MONTHS.max });
  }
  const contract = /^(?:hop dong|hd)(?: lao dong)? ?(\d{1,4}) ?(thang|nam)$/.exec(word);
  if (contract) {
    const n = Number(contract[1]);
    const months = contract[2] === "nam" ? n * 12 : n;
    const problem = contractMonthsProblem(months);
    return problem
      ? err(`${problem} Hãy gõ lại, ví dụ: hợp đồng 24 tháng.`)
      : ok({ employmentType: "contract", contractMonths: months });
  }
  if (employmentTypeOf(word) === "contract") {
    return err('Cần ghi thời hạn hợp đồng, ví dụ: "hợp đồng 24 tháng" hoặc "hợp đồng 2 năm".');
  }
  return err(
    'Hình thức làm việc chưa rõ. Hãy ghi "biên chế" hoặc "hợp đồng <số> tháng", ví dụ: hợp đồng 24 tháng.',
  );
}

/** Months typed on their own: "18", "18 tháng". */
export function parseContractMonths(input: string): Result<number, string> {
  const match = /^(\d{1,4})(?: ?thang)?$/.exec(foldWords(input));
  const months = match ? Number(match[1]) : NaN;
  const problem = contractMonthsProblem(months);
  return problem ? err(`${problem} Hãy gõ số tháng, ví dụ: 18.`) : ok(months);
}

/** "Hợp đồng 24 tháng" / "Biên chế": how a card or a list shows the employment. */
export function employmentLabel(
  type: EmploymentType | null | undefined,
  months: number | null | undefined,
): string {
  if (type === "civil_servant") return EMPLOYMENT_LABELS.civil_servant;
  if (type === "contract") return months ? `Hợp đồng ${months} tháng` : EMPLOYMENT_LABELS.contract;
  return "";
}

// ---------------------------------------------------------------------------------------------
// Birth dates

/** Age bounds of a person who gets a mailbox, on the day the data is entered. */
export const BIRTH_AGE = { min: 15, max: 100 } as const;

function ageOn(birth: IsoDate, today: IsoDate): number {
  return Number(today.slice(0, 4)) - Number(birth.slice(0, 4)) - (today.slice(5) < birth.slice(5) ? 1 : 0);
}

/** Why this (real, ISO) birth date cannot be right on `today`, or null when it can. */
export function birthDateProblem(birth: IsoDate, today: IsoDate): string | null {
  if (birth >= today) return "Ngày sinh phải là một ngày trong quá khứ.";
  const age = ageOn(birth, today);
  if (age < BIRTH_AGE.min)
    return `Người được cấp hộp thư phải từ đủ ${BIRTH_AGE.min} tuổi. Kiểm tra lại năm sinh.`;
  if (age > BIRTH_AGE.max) return `Năm sinh này không hợp lý (trên ${BIRTH_AGE.max} tuổi). Kiểm tra lại.`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Mailbox kinds and statuses

export const MAILBOX_KIND_LABELS: Record<MailboxKind, string> = {
  personal: "Cá nhân",
  unit: "Đơn vị",
  group: "Nhóm",
};

const MAILBOX_KIND_WORDS: Record<MailboxKind, readonly string[]> = {
  personal: ["ca nhan"],
  unit: ["don vi", "co quan"],
  group: ["nhom"],
};

export function parseMailboxKind(input: string): Result<MailboxKind, string> {
  const kind = lookup(MAILBOX_KIND_WORDS, input);
  return kind ? ok(kind) : err('Loại hộp thư chưa rõ. Hãy ghi "cá nhân", "đơn vị" hoặc "nhóm".');
}

export const MAILBOX_STATUS_LABELS: Record<MailboxStatus, string> = {
  active: "đang hoạt động",
  send_locked: "đã khóa chiều gửi (vẫn nhận thư)",
  locked: "đang bị tạm khóa (vẫn nhận thư)",
  suspended: "đang bị đình chỉ, chờ xóa",
  revoked: "đã thu hồi",
};

/** The same states in a word or two, for a table cell or a list line. */
export const MAILBOX_STATUS_SHORT_LABELS: Record<MailboxStatus, string> = {
  active: "hoạt động",
  send_locked: "khóa gửi",
  locked: "tạm khóa",
  suspended: "đình chỉ",
  revoked: "thu hồi",
};

// ---------------------------------------------------------------------------------------------
// Roles

export const ROLE_LABELS: Record<Role, string> = {
  staff: "cán bộ",
  clerk: "văn thư",
  unit_head: "lãnh đạo đơn vị",
  support: "bộ phận hỗ trợ",
  admin: "quản trị",
};

const ROLE_WORDS: Record<Role, readonly string[]> = {
  staff: ["can bo", "chuyen vien", "nhan vien"],
  clerk: ["van thu"],
  unit_head: ["lanh dao don vi", "thu truong", "thu truong don vi", "truong phong", "head"],
  support: ["ho tro", "bo phan ho tro", "ky thuat vien"],
  admin: ["quan tri", "quan tri vien"],
};

export function parseRole(input: string): Result<Role, string> {
  const role = lookup(ROLE_WORDS, input);
  if (role) return ok(role);
  return err(
    `Vai trò "${input.slice(0, 40)}" chưa rõ. Dùng một trong: ${Object.entries(ROLE_LABELS)
      .map(([code, label]) => `${code} (${label})`)
      .join(", ")}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

export const REQUEST_KIND_LABELS: Record<RequestKind, string> = {
  capmoi: "Cấp mới",
  khoiphuc: "Khôi phục",
  doimk: "Cấp lại mật khẩu",
  leaver: "Nghỉ việc",
  unit_change: "Chuyển đơn vị",
};

/** A request's state in a list or on a card: "#12 Cấp mới — …; đã duyệt". */
export const REQUEST_STATE_LABELS: Record<RequestState, string> = {
  pending_endorsement: "chờ thủ trưởng đơn vị xác nhận",
  open: "chờ bộ phận hỗ trợ xử lý",
  in_progress: "đang xử lý",
  approved: "đã duyệt",
  rejected: "bị từ chối",
  cancelled: "đã hủy",
};

/** The same state inside a sentence: "yêu cầu #12 đã được duyệt". */
export const REQUEST_STATE_PHRASES: Record<RequestState, string> = {
  pending_endorsement: "chờ lãnh đạo đơn vị xác nhận",
  open: "đang chờ xử lý",
  in_progress: "đang được xử lý",
  approved: "đã được duyệt",
  rejected: "đã bị từ chối",
  cancelled: "đã bị hủy",
};

export const OPEN_REQUEST_STATES: readonly RequestState[] = ["pending_endorsement", "open", "in_progress"];
