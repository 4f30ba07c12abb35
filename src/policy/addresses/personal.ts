/** Personal addresses: the profile's template, then its collision steps, until one is free. */
import { type Result, err, ok } from "../../lib/result.ts";
import { scanName } from "../names.ts";
import type { Profile } from "../profile.ts";
import { cleanAbbr, cleanName, cleanReference, present } from "./cleaning.ts";
import { isValidLocalPart, validateLocalPart } from "./local-part.ts";
import {
  type BirthToken,
  type CompiledNaming,
  type CompiledStep,
  NAME_TOKENS,
  type NameToken,
  type Part,
  type Token,
  cite,
  compileNaming,
  describe,
  render,
  uses,
  withNote,
} from "./templates.ts";
import {
  type AddressError,
  type AddressProposal,
  MAX_ALTERNATIVES,
  MAX_LOCAL_PART,
  MAX_PERMUTATIONS,
  MAX_SEQUENCE,
  type PersonInput,
  type TakenAddresses,
} from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Personal addresses
// ---------------------------------------------------------------------------------------------

export type Values = Record<Token, string>;

/** Every token empty: each kind of address fills in the ones it has. */
export function noValues(): Values {
  return {
    family: "",
    middle: "",
    given: "",
    f: "",
    m: "",
    g: "",
    agency: "",
    unit: "",
    ward: "",
    abbr: "",
    name: "",
    parent: "",
  };
}

export interface PersonContext {
  values: Values;
  /** Folded words, for permutations. */
  folded: string[];
  namePart: string;
  suffix: string;
  usesWard: boolean;
}

export function toLookup(taken: TakenAddresses): (address: string) => boolean {
  if (typeof taken === "function") return taken;
  return (address) => taken.has(address);
}

export function personContext(
  profile: Profile,
  naming: CompiledNaming,
  person: PersonInput,
): Result<PersonContext, AddressError> {
  const scanned = scanName(person.fullName);
  if (!scanned.ok) return err({ code: "invalid_name", message: scanned.error.message });
  const folded = scanned.value.folded;
  const family = folded[0] as string;
  const given = folded[folded.length - 1] as string;
  let middle = "";
  let m = "";
  for (let i = 1; i < folded.length - 1; i++) {
    const w = folded[i] as string;
    middle += w;
    m += w[0] as string;
  }
  const values: Values = {
    ...noValues(),
    family,
    middle,
    given,
    f: family[0] as string,
    m,
    g: given[0] as string,
  };

  const usesWard = present(person.ward) && naming.wardSuffix !== null;
  const suffixParts = usesWard ? (naming.wardSuffix as Part<Token>[]) : naming.suffix;
  const article = profile.naming.personal.article;

  if (uses(naming.pattern, "agency") || uses(suffixParts, "agency")) {
    if (!present(person.agency)) {
      return err({
        code: "missing_agency",
        message: `${cite(profile, article)}, địa chỉ cá nhân gồm ${describe([...naming.pattern, ...suffixParts])}. Hãy cho biết cơ quan của người này (tên viết tắt hoặc địa chỉ hộp thư của cơ quan, vd. stttt).`,
      });
    }
    const agency = cleanReference(person.agency, naming, profile.domain);
    if (agency === null || !isValidLocalPart(agency)) {
      return err({
        code: "invalid_abbr",
        message: `Không dùng được “${person.agency}” làm tên viết tắt của cơ quan. Hãy nhập tên viết tắt không dấu, vd. stttt.`,
      });
    }
    values.agency = agency;
  }
  if (uses(naming.pattern, "ward") || uses(suffixParts, "ward")) {
    if (!present(person.ward)) {
      return err({
        code: "missing_ward",
        message: `${cite(profile, article)}, địa chỉ này cần tên phường, xã nơi người đó làm việc. Hãy nhập tên phường (vd. Bình Trị Đông A).`,
      });
    }
    values.ward = cleanName(person.ward, naming, true);
    if (values.ward.length === 0) {
      return err({
        code: "missing_ward",
        message: `Không dùng được “${person.ward}” làm tên phường. Hãy nhập tên phường bằng chữ, vd. Bình Trị Đông A.`,
      });
    }
  }
  if (uses(naming.pattern, "unit") || uses(suffixParts, "unit")) {
    const unit = present(person.unitSymbol) ? cleanAbbr(person.unitSymbol, naming) : "";
    if (unit.length === 0) {
      return err({
        code: "missing_unit",
        message: `${cite(profile, article)}, địa chỉ này cần ký hiệu đơn vị của người đó. Hãy nhập ký hiệu đơn vị (vd. CNTT).`,
      });
    }
    values.unit = unit;
  }
  return ok({
    values,
    folded,
    namePart: render(naming.pattern, values),
    suffix: render(suffixParts, values),
    usesWard,
  });
}

/**
 * The name part of the plain address ("dvbe", "nguyenvana", "annv"), or null if the name is
 * unusable. Plain, birth, unit-suffix and sequence candidates all start with it, so a database
 * can prefetch them with LIKE 'prefix%'; mic permutations (vdbe, bedv…) do not, so pass a
 * lookup function when the profile has a permutation step and completeness matters.
 */
export function personalAddressPrefix(profile: Profile, person: PersonInput): string | null {
  const naming = compileNaming(profile);
  const ctx = personContext(profile, naming, person);
  return ctx.ok ? ctx.value.namePart : null;
}

/** "1979-03-05" -> { yy: "79", yyyy: "1979", m: "3", mm: "03", d: "5", dd: "05" }, or null. */
export function birthValues(date: string): Record<BirthToken, string> | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  if (!match) return null;
  const [, yyyy, mm, dd] = match as unknown as [string, string, string, string];
  const y = Number(yyyy);
  const mo = Number(mm);
  const d = Number(dd);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return { yyyy, yy: yyyy.slice(2), mm, m: String(mo), dd, d: String(d) };
}

/**
 * Letter-order permutations of the name components (mic Điều 5.4b: "hoán chuyển vị trí thứ tự
 * chữ cái giữa họ, tên đệm và tên"). Components are the pattern's tokens with {m}/{middle}
 * expanded per middle name: Đỗ Văn Bê under "{f}{m}{given}" gives [d, v, be].
 *
 * Order, deterministic: the given name kept last first (vdbe), then given name first (bedv,
 * bevd), then the rest; within a group fewer swaps among the other components first.
 */
export function permutations(naming: CompiledNaming, ctx: PersonContext): string[] {
  type Item = { fixed: string } | { value: string; given: boolean };
  const items: Item[] = [];
  const middles = ctx.folded.slice(1, -1);
  for (const p of naming.pattern) {
    if ("lit" in p) items.push({ fixed: p.lit });
    else if (p.tok === "m") for (const w of middles) items.push({ value: w[0] as string, given: false });
    else if (p.tok === "middle") for (const w of middles) items.push({ value: w, given: false });
    else if (NAME_TOKENS.includes(p.tok as NameToken)) {
      items.push({ value: ctx.values[p.tok], given: p.tok === "given" });
    } else items.push({ fixed: ctx.values[p.tok] });
  }
  const slots: number[] = [];
  items.forEach((it, i) => {
    if ("value" in it) slots.push(i);
  });
  const movable = slots.map((i) => items[i] as { value: string; given: boolean });
  const n = movable.length;
  if (n < 2) return [];
  let givenIndex = movable.findIndex((it) => it.given);
  if (givenIndex < 0) givenIndex = n - 1;

  const seen = new Set<string>([ctx.namePart]);
  const found: Array<{ text: string; key: number[] }> = [];
  const order: number[] = [];
  const used = new Array<boolean>(n).fill(false);
  let examined = 0;
  const visit = (): void => {
    if (examined >= MAX_PERMUTATIONS) return;
    if (order.length === n) {
      examined++;
      let text = "";
      let k = 0;
      for (let i = 0; i < items.length; i++) {
        const it = items[i] as Item;
        text += "fixed" in it ? it.fixed : (movable[order[k++] as number] as { value: string }).value;
      }
      if (seen.has(text)) return;
      seen.add(text);
      const pos = order.indexOf(givenIndex);
      const group = pos === n - 1 ? 0 : pos === 0 ? 1 : 2;
      let inversions = 0;
      const others = order.filter((x) => x !== givenIndex);
      for (let a = 0; a < others.length; a++) {
        for (let b = a + 1; b < others.length; b++)
          if ((others[a] as number) > (others[b] as number)) inversions++;
      }
      found.push({ text, key: [group, inversions, ...order] });
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      order.push(i);
      visit();
      order.pop();
      used[i] = false;
    }
  };
  visit();
  found.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = (a.key[i] as number) - (b.key[i] as number);
      if (d !== 0) return d;
    }
    return 0;
  });
  return found.map((f) => f.text);
}

export function tooLong(profile: Profile, localPart: string): AddressError {
  return {
    code: "too_long",
    message: `Địa chỉ theo quy tắc (${localPart}${"@" + profile.domain}) dài hơn ${MAX_LOCAL_PART} ký tự cho phép trước @. Hãy để quản trị viên chọn địa chỉ ngắn hơn bằng tay.`,
  };
}

/**
 * The address for a person: the plain form if free, otherwise the profile's collision steps in
 * order. The result is never a taken address; alternatives are free too.
 */
export function proposePersonalAddress(
  profile: Profile,
  person: PersonInput,
  taken: TakenAddresses,
): Result<AddressProposal, AddressError> {
  const naming = compileNaming(profile);
  const isTaken = toLookup(taken);
  const ctxResult = personContext(profile, naming, person);
  if (!ctxResult.ok) return ctxResult;
  const ctx = ctxResult.value;
  const personal = profile.naming.personal;
  const { namePart, suffix } = ctx;

  const plainLocal = namePart + suffix;
  const plain = plainLocal + naming.at;
  if (!isValidLocalPart(plainLocal)) {
    const valid = validateLocalPart(plainLocal);
    return err(!valid.ok && valid.error.code !== "too_long" ? valid.error : tooLong(profile, plainLocal));
  }
  if (!isTaken(plain)) {
    const wardNote = ctx.usesWard ? ` (cán bộ phường: hậu tố ${suffix})` : "";
    return ok({
      address: plain,
      localPart: plainLocal,
      ruleId: `${profile.id}.personal${ctx.usesWard ? ".ward" : ""}`,
      rule: withNote(
        `${cite(profile, personal.article)}: ${describe(naming.pattern)}, viết liền, chữ thường, không dấu${wardNote} → ${plain}.`,
        personal.defaultNote,
      ),
      alternatives: [],
      collided: null,
    });
  }

  /** Whether a candidate was skipped as too long (or otherwise not a local part). */
  const skipped = { tooLong: false };
  const takenNote = `địa chỉ ${plain} đã có người dùng`;
  const steps = naming.steps;

  for (let s = 0; s < steps.length; s++) {
    const step = steps[s] as CompiledStep;
    switch (step.type) {
      case "birth": {
        if (!present(person.birthDate)) {
          return err({
            code: "missing_birth_date",
            message: `Địa chỉ ${plain} đã có người dùng. ${cite(profile, step.article)}, khi trùng tên phải thêm năm sinh (và tháng sinh) vào địa chỉ, nên cần ngày sinh của người này. Hãy nhập ngày sinh dạng YYYY-MM-DD rồi thử lại.`,
          });
        }
        const birth = birthValues(person.birthDate);
        if (!birth) {
          return err({
            code: "missing_birth_date",
            message: `Ngày sinh “${person.birthDate}” không hợp lệ. Hãy nhập ngày sinh có thật, dạng YYYY-MM-DD (vd. 1979-03-15).`,
          });
        }
        const added = render(step.format, birth);
        const local = namePart + added + suffix;
        if (isFree(local, naming.at, isTaken, skipped)) {
          return ok({
            address: local + naming.at,
            localPart: local,
            ruleId: `${profile.id}.collision.birth-${step.slug}`,
            rule: `${cite(profile, step.article)}: ${takenNote} nên thêm ${describeBirth(step.slug)} (${added}) → ${local}${naming.at}.`,
            alternatives: [],
            collided: plain,
          });
        }
        break;
      }
      case "unit-suffix":
      case "permutation": {
        // mic Điều 5.4b lets the person choose among these forms: gather the whole run of
        // choice steps, propose the first free one and list the others as alternatives.
        let end = s;
        while (end + 1 < steps.length && isChoice(steps[end + 1] as CompiledStep)) end++;
        const candidates: Array<{ local: string; step: CompiledStep }> = [];
        /** The unit-suffix form needs the unit; without it the permutations are still offered. */
        let unitMissing: CompiledStep | null = null;
        for (let k = s; k <= end; k++) {
          const choice = steps[k] as CompiledStep;
          if (choice.type === "unit-suffix") {
            if (!present(person.unitSymbol)) {
              unitMissing = choice;
              continue;
            }
            const unit = cleanAbbr(person.unitSymbol, naming);
            if (unit.length === 0) {
              return err({
                code: "missing_unit",
                message: `Không dùng được “${person.unitSymbol}” làm ký hiệu đơn vị. Hãy nhập ký hiệu bằng chữ, vd. CNTT.`,
              });
            }
            const local = namePart + "." + unit + suffix;
            if (isFree(local, naming.at, isTaken, skipped)) candidates.push({ local, step: choice });
          } else if (choice.type === "permutation") {
            for (const perm of permutations(naming, ctx)) {
              const local = perm + suffix;
              if (isFree(local, naming.at, isTaken, skipped)) candidates.push({ local, step: choice });
              if (candidates.length > MAX_ALTERNATIVES) break;
            }
          }
        }
        const first = candidates[0];
        if (!first && unitMissing) {
          return err({
            code: "missing_unit",
            message: `Địa chỉ ${plain} đã có người dùng. ${cite(profile, unitMissing.article)}, người đăng ký sau dùng dạng <họ tên>.<ký hiệu đơn vị> (vd. ${namePart}.cntt${naming.at}) hoặc hoán vị thứ tự chữ cái. Hãy nhập ký hiệu đơn vị quản lý người này rồi thử lại.`,
          });
        }
        if (first) {
          const kind = first.step.type === "unit-suffix" ? "unit-suffix" : "permutation";
          const how =
            kind === "unit-suffix"
              ? `dùng dạng <họ tên>.<ký hiệu đơn vị>`
              : `hoán chuyển thứ tự chữ cái giữa họ, tên đệm và tên`;
          return ok({
            address: first.local + naming.at,
            localPart: first.local,
            ruleId: `${profile.id}.collision.${kind}`,
            rule:
              `${cite(profile, first.step.article)}: ${takenNote} nên ${how} → ${first.local}${naming.at}. Người dùng có thể chọn một địa chỉ khác trong danh sách thay thế.` +
              (unitMissing
                ? " Khi biết ký hiệu đơn vị, cũng có thể dùng dạng <họ tên>.<ký hiệu đơn vị>."
                : ""),
            alternatives: candidates.slice(1, 1 + MAX_ALTERNATIVES).map((c) => c.local + naming.at),
            collided: plain,
          });
        }
        s = end;
        break;
      }
      case "sequence": {
        for (let n = step.start; n <= MAX_SEQUENCE; n++) {
          const local = namePart + n + suffix;
          if (isFree(local, naming.at, isTaken, skipped)) {
            return ok({
              address: local + naming.at,
              localPart: local,
              ruleId: `${profile.id}.collision.sequence`,
              rule: `${cite(profile, step.article)}: ${takenNote} nên thêm số thứ tự ${n} ngay sau phần tên → ${local}${naming.at}.`,
              alternatives: [],
              collided: plain,
            });
          }
        }
        break;
      }
    }
  }
  if (skipped.tooLong) return err(tooLong(profile, plainLocal));
  return err({
    code: "exhausted",
    message: `Địa chỉ ${plain} và mọi cách đặt khác theo quy chế đều đã có người dùng. Hãy để quản trị viên chọn địa chỉ bằng tay.`,
  });
}

/**
 * Whether a candidate local part is free; one that is not a local part (too long) is not, and is
 * noted in `skipped`. A module function, not a closure made per proposal: an import proposes an
 * address a row.
 */
function isFree(
  local: string,
  at: string,
  isTaken: (address: string) => boolean,
  skipped: { tooLong: boolean },
): boolean {
  if (!isValidLocalPart(local)) {
    skipped.tooLong = true;
    return false;
  }
  return !isTaken(local + at);
}

export function isChoice(step: CompiledStep): boolean {
  return step.type === "unit-suffix" || step.type === "permutation";
}

export function describeBirth(slug: string): string {
  switch (slug) {
    case "yy":
      return "2 số cuối năm sinh";
    case "myy":
      return "tháng sinh và 2 số cuối năm sinh";
    default:
      return "ngày sinh";
  }
}
