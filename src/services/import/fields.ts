/** Field parsers of the import files: codes, kinds, levels, employment, dates, addresses. */
import { z } from "zod";
import { isoDateSchema } from "../../calendar/time.ts";
import { foldVietnamese } from "../../policy/names.ts";
import type { EmploymentType, LeaderLevel, UnitKind } from "../../policy/types.ts";

/** ma_don_vi / ma_can_bo: letters, digits and . _ - /, at most 50. */
export const CODE = /^[\p{L}\p{N}][\p{L}\p{N}._\-/]{0,49}$/u;

/** A typed word folded for lookup: "Trưởng phòng" → "truong_phong". */
export const word = (s: string): string =>
  foldVietnamese(s.trim())
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

const LEVEL_ALIASES: Record<string, LeaderLevel> = {
  "": "staff",
  staff: "staff",
  nhan_vien: "staff",
  chuyen_vien: "staff",
  can_bo: "staff",
  division: "division",
  lanh_dao_phong: "division",
  truong_phong: "division",
  pho_truong_phong: "division",
  department: "department",
  lanh_dao_so: "department",
  giam_doc: "department",
  pho_giam_doc: "department",
  lanh_dao_co_quan: "department",
  chu_tich: "department",
  pho_chu_tich: "department",
};

/**
 * The chuc_vu column (empty = nhân viên). The one place the import reads a leader level, so
 * switching to the shared vocabulary parser is a one-line change here.
 */
export function parseLeaderLevel(s: string): LeaderLevel | null {
  return LEVEL_ALIASES[word(s)] ?? null;
}

const EMPLOYMENT_ALIASES: Record<string, EmploymentType> = {
  civil_servant: "civil_servant",
  bien_che: "civil_servant",
  cong_chuc: "civil_servant",
  vien_chuc: "civil_servant",
  contract: "contract",
  hop_dong: "contract",
};

export function parseEmploymentType(s: string): EmploymentType | null {
  return EMPLOYMENT_ALIASES[word(s)] ?? null;
}

/** YYYY-MM-DD or DD/MM/YYYY → ISO date; "" → null. */
export function parseBirthDate(s: string): string | null | { error: string } {
  if (s === "") return null;
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = vn ? `${vn[3]}-${vn[2]!.padStart(2, "0")}-${vn[1]!.padStart(2, "0")}` : s;
  const ok = isoDateSchema.safeParse(iso);
  if (!ok.success || iso < "1900-01-01" || iso > "2015-12-31")
    return { error: `ngày sinh “${s}” không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)` };
  return iso;
}

export const ADDRESS = z
  .string()
  .toLowerCase()
  .max(254)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/);
