// Issue 9 "Size and speed of bad input": the import reads a stream, refuses an oversized file
// at once with nothing written, and keeps its promises (line numbers, all-or-nothing, duplicates)
// across pages of a large file.
import { parseConfig } from "../../src/config.ts";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { storeCommands } from "../../src/cli/store.ts";
import { runCli } from "../../src/cli/router.ts";
import { staff } from "../../src/db/schema.ts";
import {
  decodeCsvStream,
  importStaff,
  importUnits,
  MAX_FILE_BYTES,
  MAX_REPORTED_ERRORS,
  openImportFile,
  STAFF_PAGE_ROWS,
} from "../../src/services/import/index.ts";
import { describeEachDb } from "../helpers/db.ts";
import { countRows, uniq } from "./fixtures.ts";

async function collect(chunks: Iterable<Uint8Array | string>, encoding?: "utf8" | "vni"): Promise<string> {
  async function* source() {
    yield* chunks;
  }
  let text = "";
  for await (const piece of decodeCsvStream(source(), encoding)) text += piece;
  return text;
}

describe("import: streamed decoding", () => {
  it("decodes letters split across chunks (UTF-8 bytes, combining marks) like the whole file", async () => {
    const text = "\uFEFFma,ho_ten\nA1,Nguyễn Thị Ánh\nA2,Trần Văn Đức\n";
    const bytes = Buffer.from(text, "utf8");
    const oneByteAtATime = [...bytes].map((b) => Uint8Array.of(b));
    expect(await collect(oneByteAtATime)).toBe(text.slice(1));
    // NFD "é" with its accent in the next chunk becomes one NFC letter.
    const nfd = Buffer.from("ma,ho_ten\nA1,Le\u0301 Văn\n", "utf8");
    const cut = nfd.indexOf(0xcc); // first byte of U+0301
    expect(await collect([nfd.subarray(0, cut), nfd.subarray(cut)])).toBe("ma,ho_ten\nA1,Lé Văn\n");
  });

  it("refuses bytes that are not UTF-8 even when they arrive late", async () => {
    const good = Buffer.from(`ma,ho_ten\n${"A1,Nguyễn Văn An\n".repeat(100_000)}`, "utf8");
    await expect(collect([good, Uint8Array.of(0x41, 0xff, 0x0a)])).rejects.toMatchObject({
      code: "bad_encoding",
    });
  });

  it("refuses a file over the limit before reading it (and the CLI says so in Vietnamese)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailbot-import-"));
    try {
      const path = join(dir, "lon.csv");
      // Sparse: 1 byte over the limit without writing 64 MB to disk.
      writeFileSync(path, "");
      truncateSync(path, MAX_FILE_BYTES + 1);
      await expect(openImportFile(path)).rejects.toMatchObject({
        code: "bad_file",
        message: expect.stringMatching(/Tệp quá lớn.*tối đa 64 MB.*Chưa ghi gì/),
      });
      let out = "";
      let err = "";
      const code = await runCli(
        ["import", "staff", path, "--json"],
        storeCommands,
        { stdout: (t) => (out += t), stderr: (t) => (err += t), stdin: process.stdin },
        parseConfig({ LOG_LEVEL: "warn" }),
      );
      expect(code).toBe(1);
      expect(`${out}${err}`).toMatch(/Tệp quá lớn/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachDb("import: streamed files", (getDb) => {
  it("stops reading a stream at the limit and writes nothing", async () => {
    const database = getDb();
    const p = uniq();
    const before = await countRows(database);
    // Valid unit rows, each carrying a 6 KB note in a column the import ignores; a 1 MB limit
    // (the mechanism is the same at 64 MB, only slower to test).
    const limit = 1024 * 1024;
    const note = "x".repeat(6_000);
    let pulled = 0;
    async function* endless() {
      yield Buffer.from("ma_don_vi,ten_don_vi,loai,ky_hieu,ho_so,ghi_chu\n");
      for (let i = 0; ; i++) {
        pulled += 1;
        yield Buffer.from(`${p}-${i},Sở ${i},co_quan,s${p}x${i},phuyen,${note}\n`);
      }
    }
    await expect(importUnits(database, endless(), { maxFileBytes: limit })).rejects.toMatchObject({
      code: "bad_file",
      message: expect.stringMatching(/Tệp quá lớn/),
    });
    expect(pulled).toBeLessThanOrEqual(Math.ceil(limit / 6_000) + 2);
    expect(pulled).toBeGreaterThan(100);
    expect(await countRows(database)).toEqual(before);
  }, 120_000);

  it("a bad row on a later page rolls back the pages already written; --skip-bad keeps them", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(
      database,
      `ma_don_vi,ten_don_vi,loai,ky_hieu,ho_so\n${p}-U,Sở Trang,co_quan,tr${p},phuyen\n`,
    );
    const rows = STAFF_PAGE_ROWS + 5;
    const lines = ["ma_can_bo,ho_ten,ma_don_vi,hinh_thuc"];
    for (let i = 1; i <= rows; i++) lines.push(`${p}-${i},Nguyễn Văn Trang,${p}-U,bien_che`);
    lines.push(`${p}-1,Nguyễn Văn Lặp,${p}-U,bien_che`); // line rows + 2: duplicate of line 2
    const csv = Buffer.from(lines.join("\n"), "utf8");
    const before = await countRows(database);
    const report = await importStaff(database, csv);
    expect(report).toMatchObject({ rows: rows + 1, written: false, created: 0, errorCount: 1 });
    expect(report.errors).toEqual([
      { line: rows + 2, code: `${p}-1`, reason: `ma_can_bo ${p}-1 trùng với dòng 2` },
    ]);
    expect(await countRows(database)).toEqual(before);

    const dry = await importStaff(database, csv, { dryRun: true, skipBad: true });
    expect(dry).toMatchObject({ written: false, errorCount: 1 });
    expect(await countRows(database)).toEqual(before);

    const skipped = await importStaff(database, csv, { skipBad: true });
    expect(skipped).toMatchObject({ written: true, created: rows, errorCount: 1 });
    const written = await database.db
      .select({ code: staff.externalId })
      .from(staff)
      .where(like(staff.externalId, `${p}-%`));
    expect(written).toHaveLength(rows);
  }, 180_000); // three imports of a page and a bit: slow only on a loaded machine

  it("lists the first 1,000 bad rows and counts all of them", async () => {
    const database = getDb();
    const p = uniq();
    const lines = ["ma_can_bo,ho_ten,ma_don_vi,hinh_thuc"];
    for (let i = 1; i <= 1500; i++) lines.push(`${p}-${i},Lê Văn Sai,${p}-U,thoi_vu`);
    const report = await importStaff(database, lines.join("\n"));
    expect(report.errorCount).toBe(1500);
    expect(report.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(report.errors[0]).toMatchObject({ line: 2, code: `${p}-1` });
    expect(report.errors.at(-1)?.line).toBe(MAX_REPORTED_ERRORS + 1);
  });
});
