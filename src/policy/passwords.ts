/**
 * Password rules per profile and role: check (every violated rule comes back), describe (one
 * sentence for the /doimk prompt) and generate (temporary passwords for issue and restore).
 *
 * Hashing is deliberately not here: services hash with argon2id and check reuse against the
 * stored history (`historyCount`), so this module never sees a hash and stays pure.
 */
import { randomInt } from "node:crypto";
import { cite, citeFirst } from "./cite.ts";
import { isCommonPassword } from "./common-passwords.ts";
import type { PasswordPolicy, Profile } from "./profile.ts";
import type { PasswordRole } from "./types.ts";
import { fold } from "../lib/fold.ts";

export type PasswordViolationCode =
  | "too_short"
  | "too_long"
  | "missing_upper"
  | "missing_lower"
  | "missing_digit"
  | "missing_special"
  | "whitespace"
  | "non_ascii"
  | "contains_name"
  | "contains_address"
  | "common_password";

export interface PasswordViolation {
  code: PasswordViolationCode;
  message: string;
}

export type PasswordCheck = { ok: true } | { ok: false; violations: PasswordViolation[] };

export interface PasswordContext {
  /** The owner's full name, e.g. "Nguyễn Văn An"; any form (NFC/NFD, case). */
  fullName?: string | null;
  /** The owner's address local part ("annv.stttt") or whole address ("annv.stttt@ninhbinh.gov.vn"). */
  localPart?: string | null;
  /**
   * Reuse of previous passwords is checked by the services against the argon2id history;
   * this pure module never receives hashes. The field exists so nobody adds one here.
   */
  previousHashesVerify?: never;
}

/**
 * Above this we refuse: argon2 work grows with input, and nobody types 129 characters into a
 * chat. The regulations set minimums only, so this cap is ours.
 */
export const MAX_PASSWORD_LENGTH = 128;

export function passwordPolicy(profile: Profile, role: PasswordRole): PasswordPolicy {
  return role === "admin" ? profile.passwords.admin : profile.passwords.user;
}

/** Printable ASCII specials as the user sees them: "! @ # % $ * &". */
function listSpecials(specials: string): string {
  return [...specials].filter((c) => c.trim() !== "").join(" ");
}

/**
 * The name fragments a password may not contain. `substrings`: parts of ≥ 3 letters and the
 * whole name ("nguyen", "van", "nguyenvanan"). `words`: a given name shorter than that ("An",
 * "Bê"), which only counts as a word of its own: "Tr7#An2024" and "MyAnPass" contain it,
 * "Ocean42" does not (a 2-letter substring would forbid half the dictionary).
 */
function nameFragments(fullName: string): { substrings: string[]; words: string[] } {
  const parts = fold(fullName)
    .split(/[^a-z]+/)
    .filter((p) => p.length > 0);
  const substrings = new Set<string>();
  const words: string[] = [];
  parts.forEach((part, i) => {
    if (part.length >= 3) substrings.add(part);
    // A single letter ("Nguyễn Văn A") is not a usable fragment.
    else if (i === parts.length - 1 && part.length === 2) words.push(part);
  });
  if (parts.length > 1) substrings.add(parts.join(""));
  return { substrings: [...substrings], words };
}

/** The letter words of a password, split at non-letters and at lower→upper case changes, folded. */
function letterWords(password: string): string[] {
  return password
    .normalize("NFC")
    .split(/[^\p{L}\p{M}]+|(?<=\p{Ll})(?=\p{Lu})/u)
    .filter((w) => w.length > 0)
    .map(fold);
}

function containsName(password: string, folded: string, fullName: string): boolean {
  const { substrings, words } = nameFragments(fullName);
  if (substrings.some((f) => folded.includes(f))) return true;
  return words.length > 0 && letterWords(password).some((w) => words.includes(w));
}

/** The address fragments a password may not contain: the whole local part and its name segment. */
function addressFragments(localPartOrAddress: string): string[] {
  const local = fold(localPartOrAddress.trim()).split("@")[0] ?? "";
  const fragments = new Set<string>();
  if (local.length >= 3) fragments.add(local);
  // "annv.stttt" → also "annv"; "nguyenvana79" stays whole (its digits are part of it).
  const namePart = local.split(".")[0] ?? "";
  if (namePart.length >= 3) fragments.add(namePart);
  return [...fragments];
}

/**
 * Checks `password` against the profile's policy for `role`. Every violated rule comes back,
 * so the user can fix everything in one go.
 *
 * Choices beyond the regulations (documented in each message):
 * - `non_ascii`: letters with diacritics are refused. Vietnamese input methods (Telex, VNI,
 *   Unikey in NFC or NFD) type the "same" letter as different bytes, so a password with "ậ"
 *   typed on a phone may never match the one typed on a desktop, and mail clients (IMAP,
 *   SMTP AUTH) handle non-ASCII passwords inconsistently.
 * - `whitespace`: chat clients trim and collapse spaces, so a space would silently change
 *   the password between the chat and the webmail.
 * - `common_password`, `contains_name`, `contains_address`: binhtan Điều 6.1 says a password
 *   not meeting the rules "không được chấp nhận"; these are the usual guessable forms.
 */
export function checkPassword(
  profile: Profile,
  role: PasswordRole,
  password: string,
  context: PasswordContext = {},
): PasswordCheck {
  const policy = passwordPolicy(profile, role);
  const where = citeFirst(profile, policy.article);
  const violations: PasswordViolation[] = [];
  const chars = [...password];

  if (chars.length < policy.minLength) {
    violations.push({
      code: "too_short",
      // No character count in the message: messages get logged, and a length is a hint.
      message: `Mật khẩu phải có ít nhất ${policy.minLength} ký tự (${where}).`,
    });
  }
  if (chars.length > MAX_PASSWORD_LENGTH) {
    violations.push({
      code: "too_long",
      message: `Mật khẩu dài quá ${MAX_PASSWORD_LENGTH} ký tự: hãy chọn mật khẩu ngắn hơn.`,
    });
  }
  if (policy.requireUpper && !/[A-Z]/.test(password)) {
    violations.push({
      code: "missing_upper",
      message: `Mật khẩu phải có ít nhất một chữ in hoa (A–Z) (${where}).`,
    });
  }
  if (policy.requireLower && !/[a-z]/.test(password)) {
    violations.push({
      code: "missing_lower",
      message: `Mật khẩu phải có ít nhất một chữ thường (a–z) (${where}).`,
    });
  }
  if (policy.requireDigit && !/[0-9]/.test(password)) {
    violations.push({
      code: "missing_digit",
      message: `Mật khẩu phải có ít nhất một chữ số (0–9) (${where}).`,
    });
  }
  if (policy.requireSpecial && !chars.some((c) => policy.specials.includes(c) && c.trim() !== "")) {
    violations.push({
      code: "missing_special",
      message: `Mật khẩu phải có ít nhất một ký tự đặc biệt trong số: ${listSpecials(policy.specials)} (${where}).`,
    });
  }
  if (/\s/u.test(password)) {
    violations.push({
      code: "whitespace",
      message:
        "Mật khẩu không được chứa dấu cách hoặc ký tự trắng: ứng dụng chat có thể tự xóa chúng. Hãy bỏ các khoảng trắng.",
    });
  }
  if (chars.some((c) => !/\s/u.test(c) && (c < "!" || c > "~"))) {
    violations.push({
      code: "non_ascii",
      message:
        "Mật khẩu chỉ được dùng chữ không dấu, chữ số và ký tự đặc biệt trên bàn phím: chữ có dấu (ví dụ “ậ”) gõ trên các máy khác nhau có thể ra mã khác nhau và không đăng nhập được.",
    });
  }

  const folded = fold(password);
  if (context.fullName) {
    if (containsName(password, folded, context.fullName)) {
      violations.push({
        code: "contains_name",
        message: "Mật khẩu không được chứa họ, tên đệm hoặc tên của chủ hộp thư (viết có dấu hay không dấu).",
      });
    }
  }
  if (context.localPart) {
    const hit = addressFragments(context.localPart).find((f) => folded.includes(f));
    if (hit !== undefined) {
      violations.push({
        code: "contains_address",
        message: "Mật khẩu không được chứa tên hộp thư (phần trước dấu @ của địa chỉ thư).",
      });
    }
  }
  if (isCommonPassword(folded)) {
    violations.push({
      code: "common_password",
      message:
        "Mật khẩu này quá phổ biến hoặc chỉ là một từ phổ biến thêm số và ký tự (ví dụ “Matkhau@123”, “Admin@2024”): kẻ gian thử những mật khẩu này đầu tiên. Hãy chọn mật khẩu khác.",
    });
  }

  return violations.length === 0 ? { ok: true } : { ok: false, violations };
}

/** Vietnamese list join: "a, b và c". */
function joinVi(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} và ${items[items.length - 1]}`;
}

/**
 * One Vietnamese sentence stating the requirements, for the /doimk prompt, e.g. "Mật khẩu
 * phải có ít nhất 8 ký tự, gồm chữ in hoa, chữ thường, chữ số và ký tự đặc biệt (! @ # % $ * &),
 * không chứa họ tên hoặc tên hộp thư, không phải mật khẩu phổ biến, và phải đổi ít nhất
 * 1 tháng một lần (Điều 9; Điều 13.3 QĐ 13/2020/QĐ-UBND)."
 */
export function describePasswordPolicy(profile: Profile, role: PasswordRole): string {
  const policy = passwordPolicy(profile, role);
  const classes: string[] = [];
  if (policy.requireUpper) classes.push("chữ in hoa");
  if (policy.requireLower) classes.push("chữ thường");
  if (policy.requireDigit) classes.push("chữ số");
  if (policy.requireSpecial) classes.push(`ký tự đặc biệt (${listSpecials(policy.specials)})`);
  const parts = [`Mật khẩu phải có ít nhất ${policy.minLength} ký tự`];
  if (classes.length > 0) parts.push(`gồm ${joinVi(classes)}`);
  parts.push("không dấu, không khoảng trắng");
  parts.push("không chứa họ tên hoặc tên hộp thư");
  parts.push("không phải mật khẩu phổ biến");
  if (policy.maxAgeMonths !== null) parts.push(`và phải đổi ít nhất ${policy.maxAgeMonths} tháng một lần`);
  // The whole article field: it names the expiry article too (phuyen "Điều 9; Điều 13.3").
  return `${parts.join(", ")} (${cite(profile, policy.article)}).`;
}

// Characters that look alike in common fonts are left out of temporary passwords, which are
// read off a phone screen and typed by hand: 0/O/o, 1/l/I.
const GEN_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const GEN_LOWER = "abcdefghijkmnpqrstuvwxyz";
const GEN_DIGITS = "23456789";
/** Specials that are easy to type on phone keyboards and do not clash with chat markup, in order of preference. */
const GEN_SPECIALS_PREFERRED = "@#%&*!$+=?";
/** Default length of a temporary password: longer than every minimum, still easy to type. */
export const DEFAULT_TEMP_PASSWORD_LENGTH = 14;

function pick(alphabet: string): string {
  // randomInt draws uniformly from [0, max) with rejection sampling: no modulo bias.
  return alphabet[randomInt(alphabet.length)] as string;
}

function shuffle(chars: string[]): string[] {
  for (let i = chars.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars;
}

/** The special characters the generator may use for this policy. */
function generatorSpecials(policy: PasswordPolicy): string {
  const allowed = [...policy.specials].filter((c) => c >= "!" && c <= "~");
  const preferred = [...GEN_SPECIALS_PREFERRED].filter((c) => allowed.includes(c));
  return (preferred.length > 0 ? preferred : allowed).join("");
}

/**
 * The lengths generateTemporaryPassword accepts: at least the policy's minimum and one character
 * of each class it draws from, at most MAX_PASSWORD_LENGTH.
 */
export function temporaryPasswordLengthRange(
  profile: Profile,
  role: PasswordRole,
): { min: number; max: number } {
  const policy = passwordPolicy(profile, role);
  const classCount = generatorSpecials(policy) ? 4 : 3;
  return { min: Math.max(policy.minLength, classCount), max: MAX_PASSWORD_LENGTH };
}

/**
 * A random temporary password that satisfies the profile's policy for `role`: at least one
 * character of every class the policy requires (plus the classes it merely allows), drawn from
 * node:crypto, without look-alike characters. Throws RangeError for a length the policy
 * cannot accept or a profile whose policy cannot be satisfied (a programming or profile error,
 * not a user error).
 */
export function generateTemporaryPassword(profile: Profile, role: PasswordRole, length?: number): string {
  const policy = passwordPolicy(profile, role);
  const size = length ?? Math.max(DEFAULT_TEMP_PASSWORD_LENGTH, policy.minLength);
  const specials = generatorSpecials(policy);
  if (policy.requireSpecial && specials.length === 0) {
    throw new RangeError(
      `Hồ sơ ${profile.id}: chính sách mật khẩu đòi ký tự đặc biệt nhưng không liệt kê ký tự nào dùng được.`,
    );
  }
  const classes = [GEN_UPPER, GEN_LOWER, GEN_DIGITS, ...(specials ? [specials] : [])];
  const range = temporaryPasswordLengthRange(profile, role);
  if (!Number.isInteger(size) || size < range.min || size > range.max) {
    throw new RangeError(
      `Độ dài mật khẩu tạm phải là số nguyên từ ${range.min} đến ${range.max}, nhận được ${size}.`,
    );
  }
  const all = classes.join("");
  // A random draw is compliant by construction; the check guards against the (astronomically
  // unlikely) common-password hit and against a policy this generator does not understand.
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const chars = classes.map(pick);
    while (chars.length < size) chars.push(pick(all));
    const candidate = shuffle(chars).join("");
    if (checkPassword(profile, role, candidate).ok) return candidate;
  }
  throw new RangeError(`Hồ sơ ${profile.id}: không tạo được mật khẩu tạm đáp ứng chính sách mật khẩu.`);
}
