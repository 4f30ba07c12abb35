/**
 * The CSV records of an import file, with the line each ends on: the grammar csv-parse reads
 * with the options the import used (comma, double quotes with "" inside them, trim, empty lines
 * skipped, any number of fields, the record delimiter found first (CRLF, LF or CR) used to the
 * end, a leading BOM dropped, at most MAX_RECORD_BYTES a record), and its line count and errors
 * (same codes, messages and line numbers), so files read exactly as before.
 *
 * Why not csv-parse itself: it walks the bytes one by one through a growing buffer and, to tell
 * each record's line, builds an info object per record; for a 50,000-row staff file that was
 * ≈ 0.55 s of the import's ≈ 2 s of client CPU. This reads JS strings by runs (a field is one
 * slice of the text) in about a tenth of that. test/services/csv-records.test.ts holds it to
 * csv-parse on random text.
 */

/** Longest record in bytes (UTF-8), as csv-parse counts them: the import's line limit. */
export const MAX_RECORD_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const FF = 0x0c;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** What csv-parse trims around fields (a trimmed unquoted field also loses other white space). */
function isTrimmable(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF || c === FF;
}

/** Bytes of one UTF-16 code unit in UTF-8 (a surrogate is half of a 4-byte letter). */
function utf8Bytes(c: number): number {
  return c < 0x80 ? 1 : c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 2 : 3;
}

/** First UTF-8 byte of a code unit: csv-parse names the byte it stopped at. */
function firstByte(c: number): number {
  if (c < 0x80) return c;
  if (c < 0x800) return 0xc0 | (c >> 6);
  if (c >= 0xd800 && c <= 0xdbff) return 0xf0 | (((c & 0x3ff) + 0x40) >> 8);
  return 0xe0 | (c >> 12);
}

/** A file that is not well-formed CSV; `lines` is the line where reading stopped. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly lines: number,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

export interface CsvRecord {
  fields: string[];
  /** The line the record ends on (1-based; a quoted line break counts). */
  line: number;
}

type Delimiter = "" | "\r\n" | "\n" | "\r";

/**
 * Reads text piece by piece (`records(piece)`, then `records("", true)` at the end). A piece may
 * end anywhere: the last few characters wait for the next piece when they might be the start of
 * a "" or a CRLF.
 */
export class CsvRecordReader {
  private lines = 1;
  private wasLineEnd = false;
  private delimiter: Delimiter = "";
  private started = false;
  private quoting = false;
  private wasQuoting = false;
  private escaping = false;
  /** The field so far: finished runs, and the run still open in the current text. */
  private field = "";
  private fieldBytes = 0;
  private record: string[] = [];
  /** UTF-16 length of the record's finished fields (csv-parse adds those to the field's bytes). */
  private recordLength = 0;
  private rest = "";

  *records(piece: string, end = false): Generator<CsvRecord> {
    let text = this.rest + piece;
    this.rest = "";
    if (!this.started) {
      if (!end && text.length < 1) {
        this.rest = text;
        return;
      }
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const len = text.length;
    // csv-parse looks at most three characters ahead (a closing quote, then CRLF).
    const stop = end ? len : len - 3;
    let run = -1;
    let pos = 0;
    for (; pos < stop; pos++) {
      if (this.wasLineEnd) {
        this.lines++;
        this.wasLineEnd = false;
      }
      if (!this.quoting && this.delimiter === "") this.discover(text, pos);
      const c = text.charCodeAt(pos);
      if (c === CR || c === LF) this.wasLineEnd = true;
      if (this.escaping) {
        this.escaping = false;
      } else if (c === QUOTE) {
        if (this.quoting) {
          if (pos + 1 < len && text.charCodeAt(pos + 1) === QUOTE) {
            // "" inside quotes: this one is dropped, the next is kept.
            run = this.closeRun(text, run, pos);
            this.escaping = true;
            continue;
          }
          const next = pos + 1 < len ? text.charCodeAt(pos + 1) : -1;
          const nextEndsLine =
            this.delimiter === "" ? this.discover(text, pos + 1) > 0 : this.delimiterAt(text, pos + 1) > 0;
          // No next character (or NUL, which csv-parse takes for none) closes the quote too.
          if (next <= 0 || next === COMMA || nextEndsLine || isTrimmable(next)) {
            run = this.closeRun(text, run, pos);
            this.quoting = false;
            this.wasQuoting = true;
            continue;
          }
          throw new CsvSyntaxError(
            "CSV_INVALID_CLOSING_QUOTE",
            `Invalid Closing Quote: got "${String.fromCharCode(firstByte(next))}" at line ${this.lines} instead of delimiter, record delimiter, trimable character (if activated) or comment`,
            this.lines,
          );
        }
        run = this.closeRun(text, run, pos);
        if (this.fieldBytes !== 0) {
          throw new CsvSyntaxError(
            "INVALID_OPENING_QUOTE",
            `Invalid Opening Quote: a quote is found on field ${this.record.length} at line ${this.lines}, value is ${JSON.stringify(this.field)}${this.field === "\ufeff" ? " (utf8 bom)" : ""}`,
            this.lines,
          );
        }
        this.quoting = true;
        continue;
      }
      if (!this.quoting) {
        const ends = this.delimiterAt(text, pos);
        if (ends > 0) {
          run = this.closeRun(text, run, pos);
          if (!(this.wasQuoting === false && this.record.length === 0 && this.fieldBytes === 0)) {
            this.endField();
            yield this.endRecord();
          }
          pos += ends - 1;
          continue;
        }
        if (c === COMMA) {
          run = this.closeRun(text, run, pos);
          this.endField();
          continue;
        }
      }
      const trimmable = isTrimmable(c);
      const kept = (this.quoting || this.fieldBytes !== 0 || !trimmable) && !this.wasQuoting;
      const bytes = utf8Bytes(c);
      // csv-parse checks the size before each byte it keeps: the last byte of a kept letter counts.
      if (this.recordLength + this.fieldBytes + (kept ? bytes - 1 : 0) > MAX_RECORD_BYTES) {
        throw new CsvSyntaxError(
          "CSV_MAX_RECORD_SIZE",
          `Max Record Size: record exceed the maximum number of tolerated bytes of ${MAX_RECORD_BYTES} at line ${this.lines}`,
          this.lines,
        );
      }
      if (kept) {
        if (run < 0) run = pos;
        this.fieldBytes += bytes;
        continue;
      }
      run = this.closeRun(text, run, pos);
      if (!trimmable) {
        throw new CsvSyntaxError(
          "CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE",
          `Invalid Closing Quote: found non trimable byte after quote at line ${this.lines}`,
          this.lines,
        );
      }
    }
    this.closeRun(text, run, pos);
    if (!end) {
      this.rest = text.slice(pos);
      return;
    }
    if (this.quoting) {
      throw new CsvSyntaxError(
        "CSV_QUOTE_NOT_CLOSED",
        `Quote Not Closed: the parsing is finished with an opening quote at line ${this.lines}`,
        this.lines,
      );
    }
    if (this.wasQuoting || this.record.length !== 0 || this.fieldBytes !== 0) {
      this.endField();
      yield this.endRecord();
    }
  }

  /** Adds the open run (from `run` to `pos`) to the field; returns -1 (no run open). */
  private closeRun(text: string, run: number, pos: number): number {
    if (run >= 0) this.field += text.slice(run, pos);
    return -1;
  }

  private endField(): void {
    // Unquoted fields lose trailing white space of any kind (String.prototype.trimEnd).
    const value = this.wasQuoting ? this.field : this.field.trimEnd();
    this.record.push(value);
    this.recordLength += value.length;
    this.field = "";
    this.fieldBytes = 0;
    this.wasQuoting = false;
  }

  private endRecord(): CsvRecord {
    const out = { fields: this.record, line: this.lines };
    this.record = [];
    this.recordLength = 0;
    return out;
  }

  /** The first line end decides the record delimiter for the whole file. */
  private discover(text: string, pos: number): number {
    const c = text.charCodeAt(pos);
    if (c === CR) this.delimiter = text.charCodeAt(pos + 1) === LF ? "\r\n" : "\r";
    else if (c === LF) this.delimiter = "\n";
    return this.delimiter.length;
  }

  /** Length of the record delimiter at `pos`, 0 if there is none. */
  private delimiterAt(text: string, pos: number): number {
    const c = text.charCodeAt(pos);
    switch (this.delimiter) {
      case "\n":
        return c === LF ? 1 : 0;
      case "\r":
        return c === CR ? 1 : 0;
      case "\r\n":
        return c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 0;
      default:
        return 0;
    }
  }
}
