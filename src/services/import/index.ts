/**
 * CSV import of units and staff (`mailbot import units|staff FILE`).
 *
 * Files: UTF-8 with or without BOM (or TCVN3/VNI on request), comma-separated, first line =
 * header, at most MAX_FILE_BYTES. Headers are matched without case, diacritics, spaces or dashes,
 * so "Họ và tên", "ho_ten" and "HO TEN" are one column.
 *
 * Guarantees:
 *   - every bad row is reported with its line number and reason (the first MAX_REPORTED_ERRORS
 *     listed, all counted); when any row is bad nothing is written, unless skipBad (then the good
 *     rows are written and the bad ones listed);
 *   - re-importing the same file changes nothing: rows are matched by their code, compared, and
 *     only real changes are written and audited (one audit row per created/changed record);
 *   - bytes that are not UTF-8 (a TCVN3/VNI file saved from an old Excel) are refused with advice;
 *   - a file is read as a stream (csv-reader.ts): memory does not grow with the file's size.
 *
 * csv-reader.ts reads (csv-records.ts cuts the text into records), units.ts checks and writes units, staff.ts checks and plans staff, staff-sql.ts
 * holds the staff import's statements, unnest.ts is the set-based SQL.
 */
export { decodeCsv, decodeCsvStream, MAX_FIELD, MAX_FILE_BYTES, openImportFile } from "./csv-reader.ts";
export { importStaff, STAFF_HEADERS, STAFF_PAGE_ROWS } from "./staff.ts";
export { MAX_REPORTED_ERRORS } from "./types.ts";
export type { ImportInput, ImportOptions, ImportReport, IssuedAddress, RowError } from "./types.ts";
export { importUnits, UNIT_HEADERS } from "./units.ts";
