/**
 * CSV import of units and staff (`mailbot import units|staff FILE`).
 *
 * Files: UTF-8 with or without BOM, comma-separated, first line = header. Headers are matched
 * without case, diacritics, spaces or dashes, so "Họ và tên", "ho_ten" and "HO TEN" are one column.
 *
 * Units (one row per unit; a parent may come before or after its children in the file):
 *   ma_don_vi   required  the unit's code in the HR list (kept as units.external_id)
 *   ten_don_vi  required  full name, e.g. "Sở Thông tin và Truyền thông"
 *   loai        required  co_quan | huyen | xa | phong (or agency | district | commune | division)
 *   ky_hieu     required  symbol/abbreviation used in unit addresses, e.g. "stttt"
 *   don_vi_cha  optional  ma_don_vi of the parent unit (in this file or already imported)
 *   ho_so       optional  profile id (mic, phuyen, …); required unless --profile is given
 *
 * Staff:
 *   ma_can_bo          required  staff code in the HR list (staff.external_id)
 *   ho_ten             required  full name as written, e.g. "Nguyễn Văn An"
 *   ngay_sinh          optional  YYYY-MM-DD or DD/MM/YYYY
 *   ma_don_vi          required  the unit's ma_don_vi (import units first)
 *   chuc_vu            optional  nhan_vien | lanh_dao_phong | lanh_dao_so (staff | division | department), default nhan_vien
 *   hinh_thuc          required  bien_che | hop_dong (civil_servant | contract)
 *   so_thang_hop_dong  optional  contract length in months; required for hop_dong
 *   email              optional  the person's existing address: recorded as their mailbox, never renamed (mic Điều 5.5)
 *
 * Guarantees:
 *   - every bad row is reported with its line number and reason; when any row is bad nothing is
 *     written, unless skipBad (then the good rows are written and the bad ones listed);
 *   - re-importing the same file changes nothing: rows are matched by their code, compared, and
 *     only real changes are written and audited (one audit row per created/changed record);
 *   - the file is decoded strictly: bytes that are not UTF-8 (a TCVN3/VNI file saved from an old
 *     Excel) are refused with advice, or decoded with `encoding: "tcvn3" | "vni"`;
 *   - large files are written in chunks inside one transaction (50,000 staff rows: a few hundred
 *     statements, not one round-trip per row).
 *
 * With `issueMailboxes`, staff without an address get one proposed by the profile's naming rules
 * (collisions resolved against every address taken, prefetched once) and a mailbox record. No
 * password is generated for them here: hashing 50,000 argon2id passwords would take tens of
 * minutes and the clear passwords would have to be handed out somehow; each owner gets a
 * temporary password through the normal reset flow (/doimk) when they first need it.
 */
import { parse as parseCsv, CsvError } from "csv-parse/sync";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database, DbOrTx } from "../db/client.ts";
import { isAddressTaken } from "../db/errors.ts";
import { addressClaims, mailboxes, staff, units, type Unit } from "../db/schema.ts";
import { proposePersonalAddress } from "../policy/addresses.ts";
import { checkEligibility } from "../policy/eligibility.ts";
import {
  decodeLegacyVietnamese,
  detectLegacyEncoding,
  type LegacyEncoding,
} from "../policy/legacy-encodings.ts";
import { foldVietnamese, normalizeName } from "../policy/names.ts";
import { findProfile, profileIds } from "../policy/profiles/index.ts";
import { employmentTypeOf, leaderLevelOf } from "../policy/vocabulary.ts";
import { type EmploymentType, type LeaderLevel, type UnitKind } from "../policy/types.ts";
import { writeAuditBatch, type AuditInput } from "./audit.ts";
import { bulkInsert } from "./bulk.ts";
import { ServiceError } from "./errors.ts";
import type { Actor } from "./types.ts";
import { isoDateSchema } from "../calendar/time.ts";

export interface ImportOptions {
  /** Write the good rows even when some are bad (the bad ones are reported). */
  skipBad?: boolean;
  /** Profile for rows without ho_so (units); for staff: every unit must belong to it. */
  profileId?: string;
  /** Source bytes are in a legacy Vietnamese encoding. */
  encoding?: "utf8" | LegacyEncoding;
  /** Staff only: propose and create addresses for staff without one. */
  issueMailboxes?: boolean;
  /** Validate and report, write nothing. */
  dryRun?: boolean;
  actor?: Actor;
  /** Clock for created_at/updated_at (tests). */
  now?: Date;
}

export interface RowError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  /** The row's code (ma_don_vi / ma_can_bo), when it could be read. */
  code?: string;
  reason: string;
}

export interface ImportReport {
  kind: "units" | "staff";
  /** Data rows read (header and empty lines excluded). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Bad rows (not written). */
  errors: RowError[];
  /** False when nothing was written because of bad rows (without skipBad) or dryRun. */
  written: boolean;
  mailboxesCreated: number;
  /** issueMailboxes: addresses generated, and staff left without one (with why). */
  addressesIssued: number;
  notIssued: RowError[];
}

export const UNIT_HEADERS = ["ma_don_vi", "ten_don_vi", "loai", "ky_hieu", "don_vi_cha", "ho_so"] as const;
export const STAFF_HEADERS = [
  "ma_can_bo",
  "ho_ten",
  "ngay_sinh",
  "ma_don_vi",
  "chuc_vu",
  "hinh_thuc",
  "so_thang_hop_dong",
  "email",
] as const;

/** Header aliases after folding (lower case, no diacritics, spaces/dashes → "_"). */
const HEADER_ALIASES: Record<string, string> = {
  ma: "ma_don_vi",
  ma_dv: "ma_don_vi",
  ten_don_vi: "ten_don_vi",
  ten: "ten_don_vi",
  loai_don_vi: "loai",
  ky_hieu_don_vi: "ky_hieu",
  viet_tat: "ky_hieu",
  ten_viet_tat: "ky_hieu",
  ma_don_vi_cha: "don_vi_cha",
  don_vi_cap_tren: "don_vi_cha",
  ho_so_quy_che: "ho_so",
  profile: "ho_so",
  ma_cb: "ma_can_bo",
  ma_nhan_su: "ma_can_bo",
  ho_va_ten: "ho_ten",
  hoten: "ho_ten",
  ho_ten_can_bo: "ho_ten",
  ngaysinh: "ngay_sinh",
  ngay_thang_nam_sinh: "ngay_sinh",
  don_vi: "ma_don_vi",
  chuc_danh: "chuc_vu",
  cap_lanh_dao: "chuc_vu",
  hinh_thuc_tuyen_dung: "hinh_thuc",
  loai_hinh: "hinh_thuc",
  thoi_han_hop_dong: "so_thang_hop_dong",
  so_thang_hd: "so_thang_hop_dong",
  thu_dien_tu: "email",
  dia_chi_thu: "email",
  e_mail: "email",
  hop_thu: "email",
};

function canonicalHeader(raw: string): string {
  const folded = foldVietnamese(raw.replace(/^\uFEFF/, "").trim())
    .replace(/[\s\-.]+/g, "_")
    .replace(/[^a-z0-9_]/g, "");
  return HEADER_ALIASES[folded] ?? folded;
}

const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_FIELD = 500;

// ---------------------------------------------------------------------------------------------
// Decoding and parsing

/** Strict UTF-8 (BOM stripped), or a legacy encoding on request. Refuses what it cannot read. */
export function decodeCsv(input: string | Uint8Array, encoding: ImportOptions["encoding"] = "utf8"): string {
  let text: string;
  if (typeof input === "string") {
    text = input;
  } else {
    if (input.byteLength > MAX_FILE_BYTES) {
      throw new ServiceError(
        "bad_file",
        `Tệp quá lớn (${Math.round(input.byteLength / 1048576)} MB, tối đa 64 MB). Hãy chia thành nhiều tệp.`,
      );
    }
    if (encoding === "tcvn3" || encoding === "vni") {
      text = decodeLegacyVietnamese(Buffer.from(input).toString("latin1"), encoding);
    } else {
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(input);
      } catch {
        throw new ServiceError(
          "bad_encoding",
          "Tệp không phải UTF-8 (có thể là bảng mã cũ TCVN3/ABC hoặc VNI, hoặc Windows-1258). " +
            "Hãy mở tệp bằng Excel/LibreOffice và lưu lại dạng “CSV UTF-8”, hoặc chạy lại với --encoding tcvn3 hay --encoding vni.",
        );
      }
    }
  }
  text = text.replace(/^\uFEFF/, "").normalize("NFC");
  if (encoding === "utf8" || encoding === undefined) {
    // Valid UTF-8 whose letters are TCVN3/VNI bytes read as Latin-1 ("NguyÔn V¨n"): also refuse.
    const legacy = detectLegacyEncoding(text);
    if (legacy !== "unicode") {
      throw new ServiceError(
        "bad_encoding",
        `Chữ tiếng Việt trong tệp có vẻ đang ở bảng mã cũ ${legacy === "tcvn3" ? "TCVN3 (ABC)" : "VNI"} (ví dụ “NguyÔn” thay vì “Nguyễn”). ` +
          `Hãy chuyển tệp sang Unicode, hoặc chạy lại với --encoding ${legacy}.`,
        { detected: legacy },
      );
    }
  }
  if (text.includes("\u0000"))
    throw new ServiceError(
      "bad_file",
      "Tệp chứa ký tự NUL: có lẽ đây không phải tệp CSV văn bản (ví dụ tệp .xlsx). Hãy xuất ra CSV UTF-8.",
    );
  return text;
}

interface ParsedRow {
  line: number;
  values: Record<string, string>;
}

function parseRows(
  text: string,
  known: readonly string[],
  required: readonly string[],
): { rows: ParsedRow[]; errors: RowError[]; total: number } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      max_record_size: 64 * 1024,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = error instanceof CsvError ? (error as CsvError & { lines?: number }).lines : undefined;
    throw new ServiceError(
      "bad_file",
      `Tệp CSV bị lỗi cấu trúc${line ? ` ở dòng ${line}` : ""}: ${(error as Error).message}. Kiểm tra dấu ngoặc kép và dấu phẩy rồi thử lại.`,
      { line },
    );
  }
  const head = records[0];
  if (!head) throw new ServiceError("bad_file", `Tệp rỗng. Dòng đầu phải là tiêu đề: ${known.join(",")}.`);
  const headers = head.record.map(canonicalHeader);
  const missing = required.filter((h) => !headers.includes(h));
  if (missing.length > 0) {
    throw new ServiceError(
      "bad_file",
      `Thiếu cột ${missing.join(", ")} ở dòng tiêu đề (dòng 1). Các cột cần có: ${known.join(",")}. Tiêu đề đọc được: ${head.record.join(",")}.`,
      { missing },
    );
  }
  const dup = headers.find((h, i) => h !== "" && headers.indexOf(h) !== i);
  if (dup) throw new ServiceError("bad_file", `Cột ${dup} xuất hiện hai lần ở dòng tiêu đề.`);
  const rows: ParsedRow[] = [];
  const errors: RowError[] = [];
  let total = 0;
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.every((v) => v === "")) continue;
    total++;
    if (record.length !== headers.length) {
      errors.push({
        line,
        reason: `có ${record.length} cột, tiêu đề có ${headers.length} cột (thừa/thiếu dấu phẩy?)`,
      });
      continue;
    }
    const values: Record<string, string> = {};
    let tooLong: string | undefined;
    headers.forEach((h, i) => {
      if (!known.includes(h)) return; // unknown columns are ignored
      const v = (record[i] ?? "").normalize("NFC");
      if (v.length > MAX_FIELD) tooLong = h;
      values[h] = v;
    });
    if (tooLong) {
      errors.push({
        line,
        code: values[known[0] as string],
        reason: `cột ${tooLong} dài quá ${MAX_FIELD} ký tự`,
      });
      continue;
    }
    rows.push({ line, values });
  }
  return { rows, errors, total };
}

// ---------------------------------------------------------------------------------------------
// Field parsers

const CODE = /^[\p{L}\p{N}][\p{L}\p{N}._\-/]{0,49}$/u;

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

const EMPLOYMENT_ALIASES: Record<string, EmploymentType> = {
  civil_servant: "civil_servant",
  bien_che: "civil_servant",
  cong_chuc: "civil_servant",
  vien_chuc: "civil_servant",
  contract: "contract",
  hop_dong: "contract",
};

const word = (s: string) =>
  foldVietnamese(s.trim())
    .replace(/[\s-]+/g, "_")
    .replace(/[^a-z0-9_]/g, "");

function parseBirthDate(s: string): string | null | { error: string } {
  if (s === "") return null;
  const vn = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = vn ? `${vn[3]}-${vn[2]!.padStart(2, "0")}-${vn[1]!.padStart(2, "0")}` : s;
  const ok = isoDateSchema.safeParse(iso);
  if (!ok.success || iso < "1900-01-01" || iso > "2015-12-31")
    return { error: `ngày sinh “${s}” không hợp lệ (dùng YYYY-MM-DD hoặc DD/MM/YYYY)` };
  return iso;
}

const ADDRESS = z
  .string()
  .toLowerCase()
  .max(254)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*@([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/);

// ---------------------------------------------------------------------------------------------
// Helpers

async function inChunks<T, R>(
  items: readonly T[],
  size: number,
  fn: (chunk: T[]) => Promise<R[]>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await fn(items.slice(i, i + size))));
  return out;
}

function emptyReport(kind: "units" | "staff", rows: number, errors: RowError[]): ImportReport {
  return {
    kind,
    rows,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors,
    written: false,
    mailboxesCreated: 0,
    addressesIssued: 0,
    notIssued: [],
  };
}

const byLine = (a: RowError, b: RowError) => a.line - b.line;

// ---------------------------------------------------------------------------------------------
// Units

interface UnitRow {
  line: number;
  code: string;
  name: string;
  kind: UnitKind;
  abbr: string;
  parentCode: string | null;
  profileId: string;
}

export async function importUnits(
  database: Database,
  input: string | Uint8Array,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const text = decodeCsv(input, options.encoding);
  const { rows, errors, total } = parseRows(text, UNIT_HEADERS, [
    "ma_don_vi",
    "ten_don_vi",
    "loai",
    "ky_hieu",
  ]);
  const good: UnitRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of rows) {
    const code = values.ma_don_vi ?? "";
    const reasons: string[] = [];
    if (!CODE.test(code))
      reasons.push("ma_don_vi trống hoặc có ký tự không hợp lệ (chỉ chữ, số, . _ - /; tối đa 50)");
    else if (seen.has(code.toLowerCase()))
      reasons.push(`ma_don_vi ${code} trùng với dòng ${seen.get(code.toLowerCase())}`);
    const name = (values.ten_don_vi ?? "").replace(/\s+/g, " ");
    if (name.length < 2 || name.length > 200) reasons.push("ten_don_vi trống hoặc dài quá 200 ký tự");
    const kind = UNIT_KIND_ALIASES[word(values.loai ?? "")];
    if (!kind) reasons.push(`loai “${values.loai}” không hợp lệ (co_quan, huyen, xa, phong)`);
    const abbr = (values.ky_hieu ?? "").toLowerCase();
    if (!/^[a-z0-9][a-z0-9._-]{0,39}$/.test(abbr))
      reasons.push(`ky_hieu “${values.ky_hieu}” không hợp lệ (chữ không dấu, số, . _ -; tối đa 40)`);
    const profileId = values.ho_so || options.profileId || "";
    if (!profileId) reasons.push("thiếu ho_so (hoặc dùng --profile)");
    else if (!findProfile(profileId))
      reasons.push(`ho_so “${profileId}” không tồn tại (có: ${profileIds().join(", ")})`);
    else if (options.profileId && values.ho_so && values.ho_so !== options.profileId)
      reasons.push(`ho_so ${values.ho_so} khác --profile ${options.profileId}`);
    const parentCode = values.don_vi_cha ? values.don_vi_cha : null;
    if (parentCode !== null && parentCode.toLowerCase() === code.toLowerCase())
      reasons.push("don_vi_cha không được là chính nó");
    if (CODE.test(code) && !seen.has(code.toLowerCase())) seen.set(code.toLowerCase(), line);
    if (reasons.length > 0) {
      errors.push({ line, code, reason: reasons.join("; ") });
      continue;
    }
    good.push({ line, code, name, kind: kind as UnitKind, abbr, parentCode, profileId });
  }

  const db = database.db;
  const codes = [
    ...new Set([...good.map((r) => r.code), ...good.flatMap((r) => (r.parentCode ? [r.parentCode] : []))]),
  ];
  const existing = await inChunks(codes, 5000, (chunk) =>
    db.select().from(units).where(inArray(units.externalId, chunk)),
  );
  const existingByCode = new Map(existing.map((u) => [u.externalId as string, u]));

  // Parents must exist (file or database), without cycles, in the same profile.
  const fileByCode = new Map(good.map((r) => [r.code, r]));
  const bad = new Set<string>();
  for (const r of good) {
    const seenChain = new Set<string>([r.code]);
    let parent = r.parentCode;
    let reason: string | null = null;
    while (parent !== null) {
      if (seenChain.has(parent)) {
        reason = `don_vi_cha tạo thành vòng lặp (${[...seenChain, parent].join(" → ")})`;
        break;
      }
      seenChain.add(parent);
      const inFile = fileByCode.get(parent);
      const inDb = existingByCode.get(parent);
      if (!inFile && !inDb) {
        reason = `don_vi_cha ${parent} không có trong tệp và chưa có trong hệ thống`;
        break;
      }
      const parentProfile = inFile?.profileId ?? inDb?.profileId;
      if (parent === r.parentCode && parentProfile !== r.profileId) {
        reason = `don_vi_cha ${parent} thuộc hồ sơ ${parentProfile}, khác ${r.profileId}`;
        break;
      }
      parent = inFile ? inFile.parentCode : null;
    }
    if (reason) {
      errors.push({ line: r.line, code: r.code, reason });
      bad.add(r.code);
    }
  }
  // Children of bad rows are bad too (their parent will not be written).
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of good) {
      if (!bad.has(r.code) && r.parentCode && bad.has(r.parentCode) && !existingByCode.has(r.parentCode)) {
        errors.push({
          line: r.line,
          code: r.code,
          reason: `don_vi_cha ${r.parentCode} ở dòng ${fileByCode.get(r.parentCode)?.line} bị lỗi`,
        });
        bad.add(r.code);
        changed = true;
      }
    }
  }
  const valid = good.filter((r) => !bad.has(r.code));
  errors.sort(byLine);
  const report = emptyReport("units", total, errors);
  if ((errors.length > 0 && !options.skipBad) || options.dryRun) return report;

  const actor = options.actor ?? { kind: "cli" };
  const now = options.now ?? new Date();
  try {
    await db.transaction(async (tx) => {
      const ids = new Map<string, number>([...existingByCode].map(([code, u]) => [code, u.id]));
      const audits: AuditInput[] = [];
      // Parents first: repeat passes until every row whose parent is known has been handled.
      const pending = new Map(valid.map((r) => [r.code, r]));
      while (pending.size > 0) {
        const ready = [...pending.values()].filter(
          (r) => r.parentCode === null || (ids.has(r.parentCode) && !pending.has(r.parentCode)),
        );
        if (ready.length === 0) throw new Error("unit import: unresolved parents");
        const toInsert: UnitRow[] = [];
        for (const r of ready) {
          pending.delete(r.code);
          const parentId = r.parentCode ? (ids.get(r.parentCode) as number) : null;
          const old = existingByCode.get(r.code);
          if (!old) {
            toInsert.push(r);
            continue;
          }
          const diff: Record<string, unknown> = {};
          if (old.name !== r.name) diff.name = r.name;
          if (old.kind !== r.kind) diff.kind = r.kind;
          if (old.abbr !== r.abbr) diff.abbr = r.abbr;
          if (old.parentId !== parentId) diff.parentId = parentId;
          if (old.profileId !== r.profileId) diff.profileId = r.profileId;
          if (Object.keys(diff).length === 0) {
            report.unchanged++;
            continue;
          }
          await tx.update(units).set(diff).where(eq(units.id, old.id));
          report.updated++;
          audits.push({
            actor,
            action: "unit.update",
            entity: "unit",
            entityId: old.id,
            details: { code: r.code, line: r.line, changes: diff },
          });
        }
        for (let i = 0; i < toInsert.length; i += 1000) {
          const chunk = toInsert.slice(i, i + 1000);
          const inserted = await tx
            .insert(units)
            .values(
              chunk.map((r) => ({
                externalId: r.code,
                name: r.name,
                kind: r.kind,
                abbr: r.abbr,
                parentId: r.parentCode ? (ids.get(r.parentCode) as number) : null,
                profileId: r.profileId,
                createdAt: now,
              })),
            )
            .returning({ id: units.id, code: units.externalId });
          for (const row of inserted) ids.set(row.code as string, row.id);
          report.created += inserted.length;
          for (const r of chunk) {
            audits.push({
              actor,
              action: "unit.create",
              entity: "unit",
              entityId: ids.get(r.code) as number,
              details: { code: r.code, name: r.name, line: r.line },
            });
          }
        }
      }
      await writeAuditBatch(tx, audits);
    });
  } catch (error) {
    throw translateWriteError(error);
  }
  report.written = true;
  return report;
}

function translateWriteError(error: unknown): unknown {
  if (error instanceof ServiceError) return error;
  const message = (error as Error).message ?? "";
  if (
    /units_profile_abbr_parent_uq/.test(message) ||
    /units_profile_abbr_parent_uq/.test(String((error as { cause?: unknown }).cause))
  ) {
    return new ServiceError(
      "conflict",
      "Hai đơn vị cùng cấp có cùng ky_hieu trong một hồ sơ. Hãy sửa ky_hieu cho khác nhau rồi nhập lại; chưa có gì được ghi.",
    );
  }
  if (isAddressTaken(error)) {
    return new ServiceError(
      "conflict",
      "Một địa chỉ thư vừa bị người khác dùng trong lúc nhập. Chưa có gì được ghi; hãy chạy lại lệnh nhập.",
    );
  }
  return error;
}

// ---------------------------------------------------------------------------------------------
// Staff

interface StaffRow {
  line: number;
  code: string;
  fullName: string;
  birthDate: string | null;
  unitCode: string;
  leaderLevel: LeaderLevel;
  employmentType: EmploymentType;
  contractMonths: number | null;
  email: string | null;
}

/** Every unit with what naming needs: profile, abbr, agency local part, ward (commune name). */
async function unitNamingMap(
  db: DbOrTx,
): Promise<Map<number, { unit: Unit; agency: string | undefined; ward: string | undefined }>> {
  const all = await db.select().from(units);
  const byId = new Map(all.map((u) => [u.id, u]));
  const out = new Map<number, { unit: Unit; agency: string | undefined; ward: string | undefined }>();
  for (const u of all) {
    let agency: string | undefined;
    let ward: string | undefined;
    for (
      let cur: Unit | undefined = u, depth = 0;
      cur && depth < 32;
      cur = cur.parentId ? byId.get(cur.parentId) : undefined, depth++
    ) {
      if (!agency && (cur.kind === "agency" || cur.kind === "district") && cur.localPart)
        agency = cur.localPart;
      if (!ward && cur.kind === "commune") ward = cur.name;
    }
    out.set(u.id, { unit: u, agency, ward });
  }
  return out;
}

export async function importStaff(
  database: Database,
  input: string | Uint8Array,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const text = decodeCsv(input, options.encoding);
  const { rows, errors, total } = parseRows(text, STAFF_HEADERS, [
    "ma_can_bo",
    "ho_ten",
    "ma_don_vi",
    "hinh_thuc",
  ]);
  const good: StaffRow[] = [];
  const seen = new Map<string, number>();
  const seenEmail = new Map<string, number>();
  for (const { line, values } of rows) {
    const code = values.ma_can_bo ?? "";
    const reasons: string[] = [];
    if (!CODE.test(code))
      reasons.push("ma_can_bo trống hoặc có ký tự không hợp lệ (chỉ chữ, số, . _ - /; tối đa 50)");
    else if (seen.has(code.toLowerCase()))
      reasons.push(`ma_can_bo ${code} trùng với dòng ${seen.get(code.toLowerCase())}`);
    const name = normalizeName(values.ho_ten ?? "");
    if (!name.ok) reasons.push(`ho_ten: ${name.error.message}`);
    const birth = parseBirthDate(values.ngay_sinh ?? "");
    if (birth && typeof birth === "object") reasons.push(birth.error);
    const unitCode = values.ma_don_vi ?? "";
    if (!CODE.test(unitCode)) reasons.push("ma_don_vi trống hoặc không hợp lệ");
    const level = LEVEL_ALIASES[word(values.chuc_vu ?? "")] ?? leaderLevelOf(values.chuc_vu ?? "");
    if (!level)
      reasons.push(`chuc_vu “${values.chuc_vu}” không hợp lệ (nhan_vien, lanh_dao_phong, lanh_dao_so)`);
    const employment =
      EMPLOYMENT_ALIASES[word(values.hinh_thuc ?? "")] ?? employmentTypeOf(values.hinh_thuc ?? "");
    if (!employment) reasons.push(`hinh_thuc “${values.hinh_thuc}” không hợp lệ (bien_che hoặc hop_dong)`);
    let months: number | null = null;
    if (values.so_thang_hop_dong) {
      if (!/^\d{1,4}$/.test(values.so_thang_hop_dong) || Number(values.so_thang_hop_dong) < 1)
        reasons.push("so_thang_hop_dong phải là số nguyên dương");
      else months = Number(values.so_thang_hop_dong);
    } else if (employment === "contract") {
      reasons.push("hợp đồng cần so_thang_hop_dong");
    }
    let email: string | null = null;
    if (values.email) {
      const parsed = ADDRESS.safeParse(values.email);
      if (!parsed.success) reasons.push(`email “${values.email}” không hợp lệ`);
      else if (seenEmail.has(parsed.data))
        reasons.push(`email ${parsed.data} trùng với dòng ${seenEmail.get(parsed.data)}`);
      else {
        email = parsed.data;
        seenEmail.set(email, line);
      }
    }
    if (CODE.test(code) && !seen.has(code.toLowerCase())) seen.set(code.toLowerCase(), line);
    if (reasons.length > 0) {
      errors.push({ line, code, reason: reasons.join("; ") });
      continue;
    }
    good.push({
      line,
      code,
      fullName: (name as { value: string }).value,
      birthDate: birth as string | null,
      unitCode,
      leaderLevel: level as LeaderLevel,
      employmentType: employment as EmploymentType,
      contractMonths: months,
      email,
    });
  }

  const db = database.db;
  // --- Prefetch everything the rows refer to, in a few set-based queries.
  const unitCodes = [...new Set(good.map((r) => r.unitCode))];
  const unitRows = await inChunks(unitCodes, 5000, (chunk) =>
    db.select().from(units).where(inArray(units.externalId, chunk)),
  );
  const unitByCode = new Map(unitRows.map((u) => [u.externalId as string, u]));
  const existingStaff = await inChunks(
    good.map((r) => r.code),
    5000,
    (chunk) => db.select().from(staff).where(inArray(staff.externalId, chunk)),
  );
  const staffByCode = new Map(existingStaff.map((s) => [s.externalId as string, s]));
  const emails = good.flatMap((r) => (r.email ? [r.email] : []));
  const existingMailboxes = await inChunks(emails, 5000, (chunk) =>
    db
      .select()
      .from(mailboxes)
      .where(inArray(sql`lower(${mailboxes.address})`, chunk)),
  );
  const mailboxByAddress = new Map(existingMailboxes.map((m) => [m.address.toLowerCase(), m]));
  const reservedRows = await inChunks(emails, 5000, (chunk) =>
    db
      .select({ address: addressClaims.address })
      .from(addressClaims)
      .where(
        and(inArray(sql`lower(${addressClaims.address})`, chunk), isNotNull(addressClaims.reservationId)),
      ),
  );
  const reserved = new Set(reservedRows.map((r) => r.address.toLowerCase()));

  const valid: StaffRow[] = [];
  for (const r of good) {
    const reasons: string[] = [];
    const unit = unitByCode.get(r.unitCode);
    if (!unit)
      reasons.push(
        `ma_don_vi ${r.unitCode} chưa có trong hệ thống (hãy nhập danh sách đơn vị trước: mailbot import units)`,
      );
    else if (options.profileId && unit.profileId !== options.profileId)
      reasons.push(`đơn vị ${r.unitCode} thuộc hồ sơ ${unit.profileId}, khác --profile ${options.profileId}`);
    if (r.email && unit) {
      const profile = findProfile(unit.profileId);
      const box = mailboxByAddress.get(r.email);
      const me = staffByCode.get(r.code);
      if (box && box.ownerStaffId !== null && box.ownerStaffId !== me?.id)
        reasons.push(`email ${r.email} đang thuộc về cán bộ khác`);
      else if (box && box.kind !== "personal")
        reasons.push(`email ${r.email} là hộp thư đơn vị/nhóm, không phải hộp thư cá nhân`);
      else if (!box && reserved.has(r.email))
        reasons.push(`email ${r.email} đang được giữ cho một yêu cầu cấp mới`);
      else if (profile && !r.email.endsWith(`@${profile.domain}`))
        reasons.push(`email ${r.email} không thuộc tên miền ${profile.domain}`);
    }
    if (reasons.length > 0) errors.push({ line: r.line, code: r.code, reason: reasons.join("; ") });
    else valid.push(r);
  }
  errors.sort(byLine);
  const report = emptyReport("staff", total, errors);
  if ((errors.length > 0 && !options.skipBad) || options.dryRun) return report;

  const actor = options.actor ?? { kind: "cli" };
  const now = options.now ?? new Date();
  try {
    await db.transaction(async (tx) => {
      const audits: AuditInput[] = [];
      const ids = new Map<string, number>();
      const toInsert: StaffRow[] = [];
      for (const r of valid) {
        const unit = unitByCode.get(r.unitCode) as Unit;
        const old = staffByCode.get(r.code);
        if (!old) {
          toInsert.push(r);
          continue;
        }
        ids.set(r.code, old.id);
        const diff: Record<string, unknown> = {};
        if (old.fullName !== r.fullName) diff.fullName = r.fullName;
        if (old.birthDate !== r.birthDate) diff.birthDate = r.birthDate;
        if (old.unitId !== unit.id) diff.unitId = unit.id;
        if (old.leaderLevel !== r.leaderLevel) diff.leaderLevel = r.leaderLevel;
        if (old.employmentType !== r.employmentType) diff.employmentType = r.employmentType;
        if (old.contractMonths !== r.contractMonths) diff.contractMonths = r.contractMonths;
        if (Object.keys(diff).length === 0) {
          report.unchanged++;
          continue;
        }
        await tx
          .update(staff)
          .set({ ...diff, updatedAt: now })
          .where(eq(staff.id, old.id));
        report.updated++;
        audits.push({
          actor,
          action: "staff.update",
          entity: "staff",
          entityId: old.id,
          details: { code: r.code, line: r.line, changes: diff },
        });
      }
      const insertedStaff = await bulkInsert<{ id: number; external_id: string }>(
        tx,
        "staff",
        [
          ["external_id", "text"],
          ["full_name", "text"],
          ["birth_date", "date"],
          ["unit_id", "int"],
          ["leader_level", "text", "leader_level"],
          ["employment_type", "text", "employment_type"],
          ["contract_months", "int"],
          ["created_at", "timestamptz"],
          ["updated_at", "timestamptz"],
        ],
        toInsert.map((r) => ({
          external_id: r.code,
          full_name: r.fullName,
          birth_date: r.birthDate,
          unit_id: (unitByCode.get(r.unitCode) as Unit).id,
          leader_level: r.leaderLevel,
          employment_type: r.employmentType,
          contract_months: r.contractMonths,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })),
        ["id", "external_id"],
      );
      for (const row of insertedStaff) ids.set(row.external_id, Number(row.id));
      report.created += insertedStaff.length;
      for (const r of toInsert) {
        audits.push({
          actor,
          action: "staff.create",
          entity: "staff",
          entityId: ids.get(r.code) as number,
          details: { code: r.code, line: r.line },
        });
      }

      // Existing addresses: recorded as they are (never renamed).
      const newBoxes: ReturnType<typeof mailboxValues>[] = [];
      for (const r of valid) {
        if (!r.email) continue;
        const box = mailboxByAddress.get(r.email);
        const staffId = ids.get(r.code) as number;
        const unit = unitByCode.get(r.unitCode) as Unit;
        if (box) {
          if (box.ownerStaffId === null) {
            await tx
              .update(mailboxes)
              .set({ ownerStaffId: staffId, updatedAt: now })
              .where(eq(mailboxes.id, box.id));
            audits.push({
              actor,
              action: "mailbox.assign_owner",
              entity: "mailbox",
              entityId: box.id,
              details: { address: box.address, staffId, line: r.line },
            });
          }
          continue;
        }
        newBoxes.push(mailboxValues(r, staffId, unit, r.email, now));
      }

      if (options.issueMailboxes) {
        const have = new Set<number>();
        const owned = await inChunks([...ids.values()], 5000, (chunk) =>
          tx
            .select({ owner: mailboxes.ownerStaffId })
            .from(mailboxes)
            .where(
              and(
                inArray(mailboxes.ownerStaffId, chunk),
                eq(mailboxes.kind, "personal"),
                sql`${mailboxes.status} <> 'revoked'`,
              ),
            ),
        );
        for (const o of owned) if (o.owner !== null) have.add(o.owner);
        for (const b of newBoxes) have.add(b.ownerStaffId as number);
        const candidates = valid.filter((r) => !r.email && !have.has(ids.get(r.code) as number));
        if (candidates.length > 0) {
          const naming = await unitNamingMap(tx);
          // Every address taken anywhere, once: proposals for 50,000 people are then pure CPU.
          const taken = new Set(
            (await tx.select({ a: sql<string>`lower(${addressClaims.address})` }).from(addressClaims)).map(
              (r) => r.a,
            ),
          );
          for (const b of newBoxes) taken.add((b.address as string).toLowerCase());
          for (const r of candidates) {
            const unit = unitByCode.get(r.unitCode) as Unit;
            const profile = findProfile(unit.profileId);
            const ctx = naming.get(unit.id);
            if (!profile || !ctx) continue;
            const eligible = checkEligibility(profile, {
              employmentType: r.employmentType,
              contractMonths: r.contractMonths,
              employmentStatus: "active",
              hasPersonalMailbox: false,
            });
            if (!eligible.ok) {
              report.notIssued.push({ line: r.line, code: r.code, reason: eligible.error.message });
              continue;
            }
            const proposal = proposePersonalAddress(
              profile,
              {
                fullName: r.fullName,
                birthDate: r.birthDate,
                unitSymbol: unit.abbr,
                agency: ctx.agency,
                ward: ctx.ward,
              },
              taken,
            );
            if (!proposal.ok) {
              report.notIssued.push({ line: r.line, code: r.code, reason: proposal.error.message });
              continue;
            }
            taken.add(proposal.value.address);
            newBoxes.push(
              mailboxValues(r, ids.get(r.code) as number, unit, proposal.value.address, now, true),
            );
            report.addressesIssued++;
          }
        }
      }

      const insertedBoxes = await bulkInsert<{ id: number; address: string }>(
        tx,
        "mailboxes",
        [
          ["address", "text"],
          ["local_part", "text"],
          ["profile_id", "text"],
          ["kind", "text", "mailbox_kind"],
          ["owner_staff_id", "int"],
          ["unit_id", "int"],
          ["status", "text", "mailbox_status"],
          ["quota_mb", "int"],
          ["must_change_password", "boolean"],
          ["created_at", "timestamptz"],
          ["updated_at", "timestamptz"],
        ],
        newBoxes.map((b) => ({
          address: b.address,
          local_part: b.localPart,
          profile_id: b.profileId,
          kind: b.kind,
          owner_staff_id: b.ownerStaffId,
          unit_id: b.unitId,
          status: b.status,
          quota_mb: b.quotaMb,
          must_change_password: b.mustChangePassword,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })),
        ["id", "address"],
      );
      report.mailboxesCreated += insertedBoxes.length;
      const boxSource = new Map(newBoxes.map((b) => [b.address.toLowerCase(), b]));
      for (const row of insertedBoxes) {
        const src = boxSource.get(row.address.toLowerCase());
        audits.push({
          actor,
          action: "mailbox.create",
          entity: "mailbox",
          entityId: Number(row.id),
          details: { address: row.address, staffId: src?.ownerStaffId, line: src?.line, source: "import" },
        });
      }
      await writeAuditBatch(tx, audits);
    });
  } catch (error) {
    throw translateWriteError(error);
  }
  report.written = true;
  return report;
}

function mailboxValues(r: StaffRow, staffId: number, unit: Unit, address: string, now: Date, issued = false) {
  const profile = findProfile(unit.profileId);
  return {
    line: r.line,
    code: r.code,
    address,
    localPart: address.split("@")[0] as string,
    profileId: unit.profileId,
    kind: "personal" as const,
    ownerStaffId: staffId,
    unitId: unit.id,
    status: "active" as const,
    quotaMb: profile?.limits.quotaMb ?? null,
    // Issued here without a password: the owner gets a temporary one through /doimk.
    mustChangePassword: issued,
    createdAt: now,
    updatedAt: now,
  };
}
