/** Unit and group addresses: abbreviation or name, the listed forms, the parent's address. */
import { type Result, err, ok } from "../../lib/result.ts";
import type { Profile } from "../profile.ts";
import type { UnitKind } from "../types.ts";
import { cleanAbbr, cleanName, cleanReference, listedForm, present } from "./cleaning.ts";
import { isValidLocalPart, validateLocalPart } from "./local-part.ts";
import { noValues, type Values, toLookup } from "./personal.ts";
import { cite, compileNaming, describe, render, uses, withNote } from "./templates.ts";
import type { AddressError, AddressProposal, TakenAddresses, UnitInput } from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Unit and group addresses
// ---------------------------------------------------------------------------------------------

export const KIND_LABEL: Record<UnitKind | "group", string> = {
  agency: "cơ quan, đơn vị",
  district: "UBND cấp huyện",
  commune: "UBND cấp xã",
  division: "phòng, đơn vị trực thuộc",
  group: "hộp thư nhóm",
};

/**
 * The address of a unit or group mailbox. Units have no collision rule in any regulation: a
 * taken address means the unit probably has a mailbox already, or another unit would share its
 * address (and with it the suffix of every address under it), so it is refused, never numbered;
 * the operator may choose another local part (`override`), which is labelled as such.
 * Names the regulation writes in a fixed or contracted form come from the profile's listed forms.
 */
export function proposeUnitAddress(
  profile: Profile,
  unit: UnitInput,
  taken: TakenAddresses,
): Result<AddressProposal, AddressError> {
  const naming = compileNaming(profile);
  const parts = naming.unit[unit.kind];
  const label = KIND_LABEL[unit.kind];
  const isTaken = toLookup(taken);
  const values: Values = noValues();
  const place = unit.kind === "district" || unit.kind === "commune";

  if (uses(parts, "parent")) {
    if (!present(unit.parentLocalPart)) {
      return err({
        code: "missing_unit",
        message: `Địa chỉ ${label} theo mẫu ${describe(parts)} cần địa chỉ hộp thư (phần trước @) của đơn vị cấp trên, vd. stttt hoặc phuhoa. Hãy nhập đơn vị cấp trên rồi thử lại.`,
      });
    }
    const parent = cleanReference(unit.parentLocalPart, naming, profile.domain);
    if (parent === null || !isValidLocalPart(parent)) {
      return err({
        code: "missing_unit",
        message: `Không dùng được “${unit.parentLocalPart}” làm địa chỉ đơn vị cấp trên. Hãy nhập phần trước @ của hộp thư đơn vị cấp trên (vd. stttt) trên tên miền ${profile.domain}.`,
      });
    }
    values.parent = parent;
  }

  const listed = listedForm(profile, [unit.name, unit.abbr], values.parent || null);
  if (listed) {
    values.abbr = values.name = values.ward = listed.localPart;
  } else {
    if (uses(parts, "abbr")) {
      if (!present(unit.abbr)) {
        return err({
          code: "invalid_abbr",
          message: `Địa chỉ ${label} theo mẫu ${describe(parts)}: hãy nhập tên viết tắt (ký hiệu) của đơn vị, vd. STTTT hoặc PNV.`,
        });
      }
      values.abbr = cleanAbbr(unit.abbr, naming);
      if (values.abbr.length === 0) {
        return err({
          code: "invalid_abbr",
          message: `Tên viết tắt “${unit.abbr}” không còn chữ cái hay chữ số nào sau khi bỏ dấu và ký tự không hợp lệ. Hãy nhập lại, vd. STTTT.`,
        });
      }
    }
    if (uses(parts, "name") || uses(parts, "ward")) {
      const source = present(unit.name) ? unit.name : present(unit.abbr) ? unit.abbr : null;
      if (source === null) {
        return err({
          code: "invalid_abbr",
          message: `Địa chỉ ${label} theo mẫu ${describe(parts)}: hãy nhập tên (vd. Tuy Hòa, Đoàn thanh niên).`,
        });
      }
      values.name = values.ward = cleanName(source, naming, place);
      if (values.name.length === 0) {
        return err({
          code: "invalid_abbr",
          message: `Tên “${source}” không còn chữ cái hay chữ số nào sau khi bỏ dấu và ký tự không hợp lệ. Hãy nhập lại.`,
        });
      }
    }
  }

  const localPart = render(parts, values);
  const valid = validateLocalPart(localPart);
  if (!valid.ok) return valid;
  const address = localPart + naming.at;

  if (present(unit.override)) {
    const chosen = unit.override.trim().toLowerCase().replace(/@.*$/, "");
    const ok2 = validateLocalPart(chosen);
    if (!ok2.ok) return ok2;
    if (isTaken(chosen + naming.at)) {
      return err({
        code: "exhausted",
        message: `Địa chỉ ${chosen}${naming.at} đã có đơn vị hoặc người khác dùng. Hãy chọn địa chỉ khác.`,
      });
    }
    return ok({
      address: chosen + naming.at,
      localPart: chosen,
      ruleId: `${profile.id}.unit.override`,
      rule: `Địa chỉ do quản trị viên chọn thay cho địa chỉ theo quy tắc (${address}): ${chosen}${naming.at}. ${cite(profile, profile.naming.unit.article)}, địa chỉ mỗi đơn vị là duy nhất.`,
      alternatives: [],
      collided: isTaken(address) ? address : null,
    });
  }

  if (isTaken(address)) {
    return err({
      code: "exhausted",
      message: `Địa chỉ ${address} đã có. Có thể ${label} này đã có hộp thư; nếu là đơn vị khác, hai đơn vị không được dùng chung một địa chỉ (và phần đuôi của mọi địa chỉ bên dưới): hãy chọn địa chỉ khác cho đơn vị này (CLI: --override <tên>).`,
    });
  }
  const unitRules = profile.naming.unit;
  const invalidRule = naming.underscore
    ? "ký tự không hợp lệ thay bằng “_”"
    : "bỏ dấu, bỏ ký tự không phải chữ hoặc số";
  if (listed) {
    return ok({
      address,
      localPart,
      ruleId: `${profile.id}.unit.listed`,
      rule: `${cite(profile, listed.article)}: “${unit.name ?? unit.abbr ?? ""}” có dạng viết riêng “${listed.localPart}” → ${address}.`,
      alternatives: [],
      collided: null,
    });
  }
  return ok({
    address,
    localPart,
    ruleId: `${profile.id}.unit.${unit.kind}`,
    rule: withNote(
      `${cite(profile, unit.kind === "group" ? (unitRules.groupArticle ?? unitRules.article) : unitRules.article)}: địa chỉ ${label} = ${describe(parts)}, viết liền, chữ thường, ${invalidRule} → ${address}.`,
      unitRules.defaultNote,
    ),
    alternatives: [],
    collided: null,
  });
}
