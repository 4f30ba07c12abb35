/**
 * The CSV reader shared by the unit and staff imports: bytes in, validated rows out, one at a
 * time. Nothing here holds the whole file: bytes are decoded chunk by chunk (strict UTF-8, or a
 * legacy encoding on request), cut at line ends so a combining mark or a VNI letter pair is
 * never split, normalised to NFC and read into records piece by piece (csv-records.ts).
 *
 * The size limit (MAX_FILE_BYTES) is checked twice: `openImportFile` refuses a larger file before
 * reading a byte, and the decoder counts bytes as they arrive (a pipe has no size to stat).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import {
  decodeLegacyVietnamese,
  detectLegacyEncoding,
  type LegacyEncoding,
} from "../../policy/legacy-encodings.ts";
import { fold } from "../../lib/fold.ts";
import { ServiceError } from "../errors.ts";
import { MAX_FILE_BYTES } from "../import-columns.ts";
import { CsvRecordReader, CsvSyntaxError, MAX_RECORD_BYTES, type CsvRecord } from "./csv-records.ts";
import type { ImportInput, ImportOptions, RowError } from "./types.ts";

// Largest accepted file: 64 MiB, about 700,000 staff rows (defined beside the CSV columns so the
// CLI's help can show it without loading the importer). Documented in the README.
export { MAX_FILE_BYTES };
/** Longest accepted field, in characters. */
export const MAX_FIELD = 500;
const CHUNK = 1024 * 1024;

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

export function canonicalHeader(raw: string): string {
  const folded = fold(raw.replace(/^\uFEFF/, "").trim())
    .replace(/[\s\-.]+/g, "_")
    .replace(/[^a-z0-9_]/g, "");
  return HEADER_ALIASES[folded] ?? folded;
}

function megabytes(bytes: number): string {
  return (bytes / 1048576).toLocaleString("vi-VN", { maximumFractionDigits: 1 });
}

function tooLarge(bytes: number, limit: number): ServiceError {
  return new ServiceError(
    "bad_file",
    `Tệp quá lớn (hơn ${megabytes(bytes)} MB, tối đa ${megabytes(limit)} MB). Chưa ghi gì; hãy chia thành nhiều tệp.`,
    { bytes, limit },
  );
}

/**
 * Opens a CSV file for import as a stream. A file over MAX_FILE_BYTES (or not a regular file) is
 * refused at once, before anything is read.
 */
export async function openImportFile(path: string): Promise<AsyncIterable<Uint8Array>> {
  const info = await stat(path);
  if (!info.isFile() && !info.isFIFO()) throw new ServiceError("bad_file", `${path} không phải là một tệp.`);
  if (info.size > MAX_FILE_BYTES) throw tooLarge(info.size, MAX_FILE_BYTES);
  return createReadStream(path, { highWaterMark: CHUNK });
}

async function* rawChunks(input: ImportInput): AsyncGenerator<Uint8Array | string> {
  if (typeof input === "string") {
    for (let i = 0; i < input.length; i += CHUNK) yield input.slice(i, i + CHUNK);
  } else if (input instanceof Uint8Array) {
    for (let i = 0; i < input.byteLength; i += CHUNK) yield input.subarray(i, i + CHUNK);
  } else {
    yield* input;
  }
}

const NOT_UTF8 =
  "Tệp không phải UTF-8 (có thể là bảng mã cũ TCVN3/ABC hoặc VNI, hoặc Windows-1258). " +
  "Hãy mở tệp bằng Excel/LibreOffice và lưu lại dạng “CSV UTF-8”, hoặc chạy lại với --encoding tcvn3 hay --encoding vni.";

/** Checks one decoded piece of whole lines and returns it in NFC. */
function checkText(piece: string, encoding: "utf8" | LegacyEncoding): string {
  const text = (encoding === "utf8" ? piece : decodeLegacyVietnamese(piece, encoding)).normalize("NFC");
  if (encoding === "utf8") {
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

/**
 * Decoded text of the input, in pieces that end at a line end (except the last). Strict UTF-8
 * (BOM dropped) unless a legacy encoding is named; refuses what it cannot read, and stops as soon
 * as more than MAX_FILE_BYTES have arrived.
 */
export async function* decodeCsvStream(
  input: ImportInput,
  encoding: ImportOptions["encoding"] = "utf8",
  maxBytes = MAX_FILE_BYTES,
): AsyncGenerator<string> {
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  let bytes = 0;
  let carry = "";
  let first = true;
  const emit = (piece: string): string => {
    let text = piece;
    if (first) {
      text = text.replace(/^\uFEFF/, "");
      first = false;
    }
    return checkText(text, encoding);
  };
  for await (const chunk of rawChunks(input)) {
    let piece: string;
    if (typeof chunk === "string") {
      bytes += Buffer.byteLength(chunk);
      piece = chunk;
    } else {
      bytes += chunk.byteLength;
      if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
      if (encoding === "utf8") {
        try {
          piece = utf8.decode(chunk, { stream: true });
        } catch {
          throw new ServiceError("bad_encoding", NOT_UTF8);
        }
      } else {
        piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
      }
    }
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
    carry += piece;
    // Cut after the last line end so NFC and the VNI decoder see whole letters; a "line" longer
    // than a record may be is passed on as it is and refused by the parser.
    const cut = carry.lastIndexOf("\n");
    if (cut < 0 && carry.length < MAX_RECORD_BYTES * 2) continue;
    const end = cut < 0 ? carry.length : cut + 1;
    const text = emit(carry.slice(0, end));
    carry = carry.slice(end);
    if (text) yield text;
  }
  if (encoding === "utf8") {
    try {
      carry += utf8.decode();
    } catch {
      throw new ServiceError("bad_encoding", NOT_UTF8);
    }
  }
  if (carry || first) {
    const text = emit(carry);
    if (text) yield text;
  }
}

/** Whole-input decoding (kept for callers that hold the text anyway). */
export async function decodeCsv(
  input: ImportInput,
  encoding: ImportOptions["encoding"] = "utf8",
): Promise<string> {
  let text = "";
  for await (const piece of decodeCsvStream(input, encoding)) text += piece;
  return text;
}

export interface CsvSpec {
  /** Canonical column names the import reads (the first one is the row's code). */
  known: readonly string[];
  /** Columns the header must have. */
  required: readonly string[];
}

export interface CsvRow {
  line: number;
  /** Known columns only, trimmed and NFC. */
  values: Record<string, string>;
}

/** A data row, or a row refused by its shape (column count, field length). */
export type CsvItem = CsvRow | { line: number; error: RowError };

function structureError(error: unknown): ServiceError {
  const line = error instanceof CsvSyntaxError ? error.lines : undefined;
  return new ServiceError(
    "bad_file",
    `Tệp CSV bị lỗi cấu trúc${line ? ` ở dòng ${line}` : ""}: ${(error as Error).message}. Kiểm tra dấu ngoặc kép và dấu phẩy rồi thử lại.`,
    { line },
  );
}

/**
 * Rows of a CSV file, one at a time, in file order. The header (line 1) is checked first: a
 * missing required column, a duplicated column or an empty file is refused with a ServiceError
 * before any row is returned. Empty lines are skipped; unknown columns are ignored.
 */
export async function* readCsv(
  input: ImportInput,
  spec: CsvSpec,
  options: Pick<ImportOptions, "encoding" | "maxFileBytes"> = {},
): AsyncGenerator<CsvItem> {
  const reader = new CsvRecordReader();
  let columns: Columns | null = null;
  function* rows(records: Iterable<CsvRecord>): Generator<CsvItem> {
    for (const record of records) {
      if (columns === null) columns = checkHeader(record.fields, spec);
      else {
        const item = toItem(record, columns, spec);
        if (item) yield item;
      }
    }
  }
  try {
    for await (const piece of decodeCsvStream(input, options.encoding, options.maxFileBytes)) {
      for (const item of rows(reader.records(piece))) yield item;
    }
    for (const item of rows(reader.records("", true))) yield item;
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    throw structureError(error);
  }
  if (columns === null)
    throw new ServiceError("bad_file", `Tệp rỗng. Dòng đầu phải là tiêu đề: ${spec.known.join(",")}.`);
}

/** The header's columns, and which of them the import reads. */
interface Columns {
  headers: string[];
  known: boolean[];
}

/**
 * A field on its own: a long field sliced from the text keeps the whole piece (≈ 1 MB) alive in
 * V8 for as long as the field lives (a code in the report, say); a short one is copied anyway.
 */
function detached(value: string): string {
  return value.length < 13 ? value : (" " + value).slice(1);
}

const isEmpty = (value: string): boolean => value === "";

/** A data record as a row (known columns only), a row refused by its shape, or null (empty). */
function toItem(record: CsvRecord, columns: Columns, spec: CsvSpec): CsvItem | null {
  const { fields, line } = record;
  const { headers, known } = columns;
  if (fields.every(isEmpty)) return null;
  if (fields.length !== headers.length) {
    return {
      line,
      error: {
        line,
        reason: `có ${fields.length} cột, tiêu đề có ${headers.length} cột (thừa/thiếu dấu phẩy?)`,
      },
    };
  }
  const values: Record<string, string> = {};
  let tooLong: string | undefined;
  for (let i = 0; i < headers.length; i++) {
    if (!known[i]) continue;
    const h = headers[i] as string;
    const v = fields[i] ?? "";
    if (v.length > MAX_FIELD) tooLong = h;
    values[h] = detached(v);
  }
  if (tooLong) {
    const code = values[spec.known[0] as string];
    return {
      line,
      error: { line, ...(code ? { code } : {}), reason: `cột ${tooLong} dài quá ${MAX_FIELD} ký tự` },
    };
  }
  return { line, values };
}

function checkHeader(record: string[], spec: CsvSpec): Columns {
  const headers = record.map(canonicalHeader);
  const missing = spec.required.filter((h) => !headers.includes(h));
  if (missing.length > 0) {
    throw new ServiceError(
      "bad_file",
      `Thiếu cột ${missing.join(", ")} ở dòng tiêu đề (dòng 1). Các cột cần có: ${spec.known.join(",")}. Tiêu đề đọc được: ${record.join(",")}.`,
      { missing },
    );
  }
  const dup = headers.find((h, i) => h !== "" && headers.indexOf(h) !== i);
  if (dup) throw new ServiceError("bad_file", `Cột ${dup} xuất hiện hai lần ở dòng tiêu đề.`);
  return { headers, known: headers.map((h) => spec.known.includes(h)) };
}
