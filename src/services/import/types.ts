/** The import's public shapes: options, per-row errors and the report. */
import type { LegacyEncoding } from "../../policy/legacy-encodings.ts";
import type { Actor } from "../types.ts";

/**
 * What an import reads: text, bytes, or a stream of chunks (a file opened with `openImportFile`).
 * A stream is read chunk by chunk, so memory does not grow with the file's size.
 */
export type ImportInput = string | Uint8Array | AsyncIterable<Uint8Array | string>;

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
  /** Refuse input longer than this many bytes (default MAX_FILE_BYTES; tests use less). */
  maxFileBytes?: number;
  /** Clock for created_at/updated_at (tests). */
  now?: Date;
  /** Staff: rows per page (default STAFF_PAGE_ROWS; tests use a few to cross pages cheaply). */
  pageRows?: number;
  /**
   * Staff with issueMailboxes: each address as it is planned, page by page in line order, instead
   * of a list in the report (500,000 of them would hold ≈ 60 MB until the end). The caller shows
   * them only once the report says they were written (or, for a dry run, would be).
   */
  onIssued?: (address: IssuedAddress) => void;
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
  /** Bad rows (not written), the first MAX_REPORTED_ERRORS of them in line order. */
  errors: RowError[];
  /** How many rows were bad in all (errors holds at most MAX_REPORTED_ERRORS of them). */
  errorCount: number;
  /** False when nothing was written because of bad rows (without skipBad) or dryRun. */
  written: boolean;
  mailboxesCreated: number;
  /** issueMailboxes: addresses generated, and staff left without one (with why). */
  addressesIssued: number;
  notIssued: RowError[];
  /**
   * issueMailboxes: who got which address, in line order (with dryRun: who would get which; the
   * same addresses a real run of the same file on the same database writes). Empty when the
   * caller took them one by one (onIssued).
   */
  issued: IssuedAddress[];
}

export interface IssuedAddress {
  line: number;
  code: string;
  fullName: string;
  address: string;
}

/**
 * A file with 500,000 bad rows must not need 500,000 error objects in memory (nor on screen):
 * the report lists the first ones and counts the rest.
 */
export const MAX_REPORTED_ERRORS = 1000;

export function emptyReport(kind: "units" | "staff"): ImportReport {
  return {
    kind,
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: [],
    errorCount: 0,
    written: false,
    mailboxesCreated: 0,
    addressesIssued: 0,
    notIssued: [],
    issued: [],
  };
}

/** Records a bad row; keeps the first MAX_REPORTED_ERRORS (rows arrive in line order). */
export function addError(report: ImportReport, error: RowError): void {
  report.errorCount++;
  if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(error);
}

/** Same for staff left without an address. */
export function addNotIssued(report: ImportReport, error: RowError): void {
  if (report.notIssued.length < MAX_REPORTED_ERRORS) report.notIssued.push(error);
}
