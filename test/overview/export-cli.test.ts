import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runCliInProcess } from "../helpers/cli.ts";
import { seedPgliteDir } from "../helpers/db.ts";
import { addMailbox, addStaff, addUnit } from "../services/fixtures.ts";

let dir: string;
const cli = (args: string[]) => runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite") } });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mailbot-export-"));
  await seedPgliteDir(join(dir, "pglite"));
  const database = await openDatabase({ dataDir: join(dir, "pglite") });
  try {
    const so = await addUnit(database, { name: "Sở Tư pháp", abbr: "stp" });
    const phong = await addUnit(database, {
      name: "Phòng Hành chính",
      abbr: "phc",
      parentId: so.id,
      kind: "division",
    });
    const other = await addUnit(database, { name: "Sở Y tế", abbr: "syt" });
    const hoa = await addStaff(database, { fullName: "Lê Thị Hoa", unitId: phong.id });
    await addMailbox(database, { unitId: phong.id, localPart: "lethihoa", ownerStaffId: hoa.id });
    await addMailbox(database, { unitId: so.id, localPart: "stp", kind: "unit" });
    await addMailbox(database, { unitId: so.id, localPart: "dathuhoi", status: "revoked" });
    await addMailbox(database, { unitId: other.id, localPart: "khacdonvi" });
  } finally {
    await database.close();
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it("writes the subtree's mailboxes in use (not revoked, not other units) with Vietnamese headers", async () => {
  const out = join(dir, "ds.xlsx");
  const run = await cli(["export", "active-mailboxes", "--unit", "stp", "--out", out]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain("Đã ghi 2 hộp thư của Sở Tư pháp");
  const book = new ExcelJS.Workbook();
  await book.xlsx.load((await readFile(out)) as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  expect(String(sheet.getRow(1).getCell(1).value)).toContain(
    "Danh sách cá nhân, đơn vị đang sử dụng hộp thư công vụ — Sở Tư pháp",
  );
  expect(sheet.getRow(2).getCell(4).value).toBe("Cá nhân sử dụng / người giữ");
  const rows = [3, 4].map((r) => [r, 2, 3, 4, 5, 6].map((c) => sheet.getRow(r).getCell(c).value));
  expect(rows.map((r) => r.slice(1))).toEqual(
    expect.arrayContaining([
      ["lethihoa@phuyen.gov.vn", "Cá nhân", "Lê Thị Hoa", "Phòng Hành chính", "đang hoạt động"],
      ["stp@phuyen.gov.vn", "Đơn vị", "", "Sở Tư pháp", "đang hoạt động"],
    ]),
  );
  expect(sheet.rowCount).toBe(4);
}, 120_000);

it("refuses an unknown unit and a non-.xlsx file, writing nothing", async () => {
  const bad = await cli(["export", "active-mailboxes", "--unit", "khongco", "--out", join(dir, "x.xlsx")]);
  expect(bad.code).toBe(1);
  expect(bad.stderr + bad.stdout).toContain('Không tìm thấy đơn vị "khongco"');
  await expect(stat(join(dir, "x.xlsx"))).rejects.toThrow();
  const usage = await cli(["export", "active-mailboxes", "--unit", "stp", "--out", join(dir, "x.csv")]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain("đuôi .xlsx");
}, 120_000);
