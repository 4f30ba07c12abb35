import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvRecordReader, MAX_RECORD_BYTES, type CsvRecord } from "../../src/services/import/csv-records.ts";

/** What a reader saw: the records, and the error that stopped it (if any). */
interface Outcome {
  records: CsvRecord[];
  error: { code: string; message: string; lines: number } | null;
}

/** The options the import gave csv-parse before it had its own reader. */
const CSV_PARSE_OPTIONS = {
  info: true,
  relax_column_count: true,
  skip_empty_lines: true,
  trim: true,
  bom: true,
  max_record_size: MAX_RECORD_BYTES,
} as const;

function csvParse(text: string): Outcome {
  try {
    const rows = parse(text, CSV_PARSE_OPTIONS) as unknown as { record: string[]; info: { lines: number } }[];
    return { records: rows.map((r) => ({ fields: r.record, line: r.info.lines })), error: null };
  } catch (error) {
    const e = error as { code: string; message: string; lines: number };
    return { records: [], error: { code: e.code, message: e.message, lines: e.lines } };
  }
}

/** Ours, fed in pieces cut at `cuts` (offsets into the text). */
function ours(text: string, cuts: readonly number[] = []): Outcome {
  const reader = new CsvRecordReader();
  const records: CsvRecord[] = [];
  const bounds = [...new Set([0, ...cuts.filter((c) => c < text.length), text.length])].sort((a, b) => a - b);
  try {
    for (let i = 0; i + 1 < bounds.length; i++) {
      for (const r of reader.records(text.slice(bounds[i], bounds[i + 1]))) records.push(r);
    }
    for (const r of reader.records("", true)) records.push(r);
    return { records, error: null };
  } catch (error) {
    const e = error as { code: string; message: string; lines: number };
    // csv-parse's sync API drops the records before an error: compare the error alone.
    return { records: [], error: { code: e.code, message: e.message, lines: e.lines } };
  }
}

const CHARS = [
  "a",
  "b",
  "ệ",
  " ",
  "\t",
  ",",
  ",",
  '"',
  '"',
  "\r",
  "\n",
  "\n",
  "\f",
  "\u00a0",
  "😀",
  "\ufeff",
];

describe("CsvRecordReader reads as csv-parse did", () => {
  it("the same records, lines and errors on random text, however it is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...CHARS), { maxLength: 60 }),
        fc.array(fc.nat(60), { maxLength: 4 }),
        (chars, cuts) => {
          const text = chars.join("");
          expect(ours(text, cuts)).toEqual(csvParse(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("the same on a file's typical rows: CRLF, quoted commas and line breaks, empty lines", () => {
    const text =
      'ma_can_bo,ho_ten,email\r\nCB1, Nguyễn Văn An ,\r\n\r\n"CB2","Lê ""Tám""","a@b.vn"\r\nCB3,"Hai\r\ndòng",\r\n,,\r\n';
    expect(ours(text, [5, 40, 41])).toEqual(csvParse(text));
    // csv-parse counted both characters of a CRLF inside quotes as line ends: kept as it was.
    expect(ours(text).records.map((r) => r.line)).toEqual([1, 2, 4, 7, 8]);
  });

  it("the same record size limit, counted in UTF-8 bytes, one letter over or under", () => {
    for (const letter of ["a", "ệ", "😀"]) {
      for (let n = MAX_RECORD_BYTES - 6; n <= MAX_RECORD_BYTES + 2; n++) {
        for (const text of [
          `x,y\nab,${"a".repeat(n)}${letter}\n`,
          `x,y\n"${"a".repeat(n)}${letter}",b\n`,
          `x,y\n${"a".repeat(n)} ${letter}\n`,
        ]) {
          const expected = csvParse(text);
          expect(ours(text, [3, 70_000]), `${letter} ${n}`).toEqual(expected);
        }
      }
    }
  });

  it("an unclosed quote is refused with the last line it ran to", () => {
    const outcome = ours('a,b\n"c\nd\n');
    expect(outcome.error).toMatchObject({ code: "CSV_QUOTE_NOT_CLOSED", lines: 3 });
    expect(outcome).toEqual(csvParse('a,b\n"c\nd\n'));
  });
});
