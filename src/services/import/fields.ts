/** Field parsers of the import files: codes, kinds, levels, employment, dates, addresses. */
import { z } from "zod";
import { isoDateSchema, vnDateOf } from "../../calendar/time.ts";
import { fold } from "../../lib/fold.ts";
import type { EmploymentType, LeaderLevel, UnitKind } from "../../policy/types.ts";
import { birthDateProblem, employmentTypeOf, leaderLevelOf } from "../../policy/vocabulary.ts";

/** ma_don_vi / ma_can_bo: letters, digits and . _ - /, at most 50. */
export const CODE = /^[\p{L}\p{N}][\p{L}\p{N}._\-/]{0,49}$/u;

/** A typed word folded for lookup: "Trưởng phòng" → "truong_phong". */
export const word = (s: string): string =>
  fold(s.trim())
    .replace(/[\s-]+/g, "_")
    .replace(/[^a-z0-9_]/g, "");

const UNIT_KIND_ALIASES: Record<string, UnitKind> = {
  agency: "agency",
  co_quan: "agency",
  so: "agency",
  ban: "agency",
  district: "district",
  huyen: "district",
  quan: "district",
  thi_xa: "district",
  thanh_pho: "district",
  commune: "commune",
  xa: "commune",
  phuong: "commune",
  thi_tran: "commune",
  division: "division",
  phong: "division",
  don_vi_truc_thuoc: "division",
  trung_tam: "division",
};

export function parseUnitKind(s: string): UnitKind | null {
  return UNIT_KIND_ALIASES[word(s)] ?? null;
}

/** The chuc_vu column, read with the one vocabulary (empty = chuyên viên/nhân viên). */
export function parseLeaderLevel(s: string): LeaderLevel | null {
  return s.trim() === "" ? "staff" : leaderLevelOf(s);
}

/** The hinh_thuc column, read with the one vocabulary ("biên chế", "hợp đồng", "contract"). */
export function parseEmploymentType(s: string): EmploymentType | null {
  return employmentTypeOf(s);
}

/** YYYY-MM-DD or DD/MM/YYYY → ISO date; "" → null. */
export function parseBirthDate(s: string): string | null | { error: string } {
  if (s === "") return null;
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = vn ? `${vn[3]}-${vn[2]!.padStart(2, "0")}-${vn[1]!.padStart(2, "0")}` : s;
  const ok = isoDateSchema.safeParse(iso);
  if (!ok.success) return { error: `ngày sinh “${s}” không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)` };
  // The same age bounds as chat (policy/vocabulary BIRTH_AGE), on today's Vietnam date.
  const problem = birthDateProblem(ok.data, vnDateOf(new Date()));
  if (problem) return { error: `ngày sinh “${s}”: ${problem}` };
  return iso;
}

export const ADDRESS = z
  .string()
  .toLowerCase()
  .max(254)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/);
