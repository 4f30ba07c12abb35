import { eq, inArray, like } from "drizzle-orm";
import { expect, it } from "vitest";
import { mailboxes, staff, units } from "../../src/db/schema.ts";
import { encodeLegacyVietnamese } from "../../src/policy/legacy-encodings.ts";
import { importStaff, importUnits } from "../../src/services/import/index.ts";
import { describeEachDb } from "../helpers/db.ts";
import { auditCount, countRows, uniq } from "./fixtures.ts";

function unitsCsv(p: string): string {
  return [
    "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
    // a child before its parent: allowed
    `${p}-CNTT,Phòng Công nghệ thông tin,phong,cntt${p},${p}-STTTT,phuyen`,
    `${p}-STTTT,Sở Thông tin và Truyền thông,co_quan,stttt${p},,phuyen`,
    `${p}-TUYAN,UBND huyện Tuy An,huyện,tuyan${p},,phuyen`,
    `${p}-ANDAN,UBND xã An Dân,xã,andan${p},${p}-TUYAN,phuyen`,
  ].join("\r\n");
}

describeEachDb("import: units", (getDb) => {
  it("imports with BOM and diacritic headers; re-import changes nothing", async () => {
    const database = getDb();
    const p = uniq();
    const csv =
      "\uFEFF" +
      unitsCsv(p).replace(
        "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
        "Mã đơn vị,Tên đơn vị,Loại,Ký hiệu,Đơn vị cha,Hồ sơ",
      );
    const report = await importUnits(database, Buffer.from(csv, "utf8"));
    expect(report).toMatchObject({
      rows: 4,
      created: 4,
      updated: 0,
      unchanged: 0,
      errors: [],
      written: true,
    });
    const [cntt] = await database.db
      .select()
      .from(units)
      .where(eq(units.externalId, `${p}-CNTT`));
    const [so] = await database.db
      .select()
      .from(units)
      .where(eq(units.externalId, `${p}-STTTT`));
    expect(cntt?.parentId).toBe(so?.id);
    expect(cntt?.kind).toBe("division");

    const before = await countRows(database);
    const again = await importUnits(database, Buffer.from(csv, "utf8"));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 4, written: true });
    expect(await countRows(database)).toEqual(before);

    const renamed = unitsCsv(p).replace("Phòng Công nghệ thông tin", "Phòng CNTT");
    const third = await importUnits(database, renamed);
    expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 3 });
    expect(await auditCount(database)).toBe(before.audit_log! + 1);
  });

  it("reports every bad row with its line; writes nothing unless skipBad", async () => {
    const database = getDb();
    const p = uniq();
    const csv = [
      "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
      `${p}-A,Sở A,co_quan,a${p},,phuyen`,
      `${p}-B,Sở B,hành tinh,b${p},,phuyen`, // line 3: bad kind
      `${p}-C,Phòng C,phong,c${p},${p}-NOPE,phuyen`, // line 4: unknown parent
      `${p}-D,"Sở D, ""tên có dấu phẩy""",co_quan,d${p},,khongco`, // line 5: unknown profile
      `${p}-A,Sở A lặp,co_quan,a2${p},,phuyen`, // line 6: duplicate code
      `${p}-E,Sở E,co_quan,e${p}`, // line 7: too few columns
      `${p}-F,${"X".repeat(600)},co_quan,f${p},,phuyen`, // line 8: oversize
    ].join("\n");
    const before = await countRows(database);
    const report = await importUnits(database, csv);
    expect(report.written).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(report.errors[0]?.reason).toMatch(/loai/);
    expect(report.errors[1]?.reason).toMatch(/don_vi_cha .* không có/);
    expect(report.errors[2]?.reason).toMatch(/ho_so/);
    expect(await countRows(database)).toEqual(before);

    const skipped = await importUnits(database, csv, { skipBad: true });
    expect(skipped).toMatchObject({ written: true, created: 1 });
    expect(skipped.errors).toHaveLength(6);
  });

  it("refuses malformed CSV, legacy encodings and missing headers with clear messages", async () => {
    const database = getDb();
    const before = await countRows(database);
    await expect(
      importUnits(database, 'ma_don_vi,ten_don_vi,loai,ky_hieu\nX1,"Sở chưa đóng ngoặc,co_quan,x1\n'),
    ).rejects.toMatchObject({
      code: "bad_file",
      message: expect.stringMatching(/CSV bị lỗi cấu trúc/),
    });
    await expect(importUnits(database, "ten,loai\nA,co_quan")).rejects.toMatchObject({
      code: "bad_file",
      message: expect.stringMatching(/Thiếu cột ma_don_vi/),
    });
    const tcvn3 = Buffer.from(
      encodeLegacyVietnamese(
        "ma_don_vi,ten_don_vi,loai,ky_hieu,ho_so\nX2,Sở Nội vụ,co_quan,snv,phuyen\n",
        "tcvn3",
      ),
      "latin1",
    );
    await expect(importUnits(database, tcvn3)).rejects.toMatchObject({
      code: "bad_encoding",
      message: expect.stringMatching(/UTF-8.*--encoding tcvn3/s),
    });
    expect(await countRows(database)).toEqual(before);
  });

  it("decodes a TCVN3 file with encoding: tcvn3", async () => {
    const database = getDb();
    const p = uniq();
    const text = `ma_don_vi,ten_don_vi,loai,ky_hieu,ho_so\n${p}-NV,Sở Nội vụ,co_quan,snv${p},phuyen\n`;
    const bytes = Buffer.from(encodeLegacyVietnamese(text, "tcvn3"), "latin1");
    const report = await importUnits(database, bytes, { encoding: "tcvn3" });
    expect(report.created).toBe(1);
    const [row] = await database.db
      .select()
      .from(units)
      .where(eq(units.externalId, `${p}-NV`));
    expect(row?.name).toBe("Sở Nội vụ");
  });
});

describeEachDb("import: staff", (getDb) => {
  async function setupUnits(p: string) {
    await importUnits(getDb(), unitsCsv(p));
  }

  it("imports staff with existing addresses, issues addresses with collisions, re-import changes nothing", async () => {
    const database = getDb();
    const p = uniq();
    await setupUnits(p);
    const given = `Thử${[...p].map((c) => "abcdeghiklmnopqrstuvxy"[parseInt(c, 36) % 22]).join("")}`;
    const csv = [
      "Mã cán bộ,Họ và tên,Ngày sinh,Mã đơn vị,Chức vụ,Hình thức,Số tháng hợp đồng,Email",
      `${p}-1,Nguyễn Văn ${given},1980-01-02,${p}-CNTT,trưởng phòng,biên chế,,`,
      `${p}-2,Nguyễn Văn ${given},05/06/1991,${p}-CNTT,,bien_che,,`,
      `${p}-3,Nguyễn Văn ${given},1991-07-08,${p}-STTTT,,hop_dong,24,`,
      `${p}-4,Trần Thị Có Sẵn,,${p}-ANDAN,,bien_che,,cosan${p}@phuyen.gov.vn`,
      `${p}-5,Lê Văn Ngắn Hạn,,${p}-ANDAN,,hợp đồng,6,`,
    ].join("\n");
    const report = await importStaff(database, csv, { issueMailboxes: true });
    expect(report.errors).toEqual([]);
    // Phú Yên's document sets no minimum contract for "người lao động" (issue 10): the
    // 6-month contract of line 6 gets its address too.
    expect(report).toMatchObject({ created: 5, mailboxesCreated: 5, addressesIssued: 4, written: true });
    expect(report.notIssued).toEqual([]);
    const rows = await database.db
      .select({ address: mailboxes.address, code: staff.externalId })
      .from(mailboxes)
      .innerJoin(staff, eq(staff.id, mailboxes.ownerStaffId))
      .where(like(staff.externalId, `${p}-%`));
    const addresses = rows.map((r) => r.address).sort();
    expect(new Set(addresses).size).toBe(5);
    expect(addresses).toContain(`cosan${p}@phuyen.gov.vn`);
    const base = `nguyenvan${given.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "")}`;
    expect(addresses).toContain(`${base}@phuyen.gov.vn`);
    expect(addresses).toContain(`${base}91@phuyen.gov.vn`); // phuyen Điều 4.2b: year
    expect(addresses).toContain(`${base}791@phuyen.gov.vn`); // then month + year

    const before = await countRows(database);
    const again = await importStaff(database, csv, { issueMailboxes: true });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, mailboxesCreated: 0 });
    expect(await countRows(database)).toEqual(before);
  });

  it("bad rows: unknown unit, bad date, SQL-looking names, oversize; nothing written without skipBad", async () => {
    const database = getDb();
    const p = uniq();
    await setupUnits(p);
    const csv = [
      "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email",
      `${p}-1,Phạm Văn Tốt,1970-01-01,${p}-CNTT,,bien_che,,`,
      `${p}-2,Phạm Văn Sai,1970-01-01,KHONGCO-${p},,bien_che,,`,
      `${p}-3,Phạm Văn Ngày,31/02/1970,${p}-CNTT,,bien_che,,`,
      `${p}-4,"Robert'); DROP TABLE staff;--",,${p}-CNTT,,bien_che,,`,
      `${p}-5,Phạm ${"A".repeat(700)},,${p}-CNTT,,bien_che,,`,
      `${p}-6,Phạm Văn Hợp Đồng,,${p}-CNTT,,hop_dong,,`,
      `${p}-7,Phạm Văn Thư,,${p}-CNTT,,bien_che,,khong-phai-email`,
    ].join("\n");
    const before = await countRows(database);
    const report = await importStaff(database, csv);
    expect(report.written).toBe(false);
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([
      [3, `${p}-2`],
      [4, `${p}-3`],
      [5, `${p}-4`],
      [6, `${p}-5`],
      [7, `${p}-6`],
      [8, `${p}-7`],
    ]);
    expect(report.errors[0]?.reason).toMatch(/chưa có trong hệ thống.*import units/);
    expect(await countRows(database)).toEqual(before);
    const skipped = await importStaff(database, csv, { skipBad: true });
    expect(skipped).toMatchObject({ created: 1, written: true });
    const names = await database.db
      .select({ n: staff.fullName })
      .from(staff)
      .where(inArray(staff.externalId, [`${p}-1`, `${p}-4`]));
    expect(names.map((n) => n.n)).toEqual(["Phạm Văn Tốt"]);
  });
});

describeEachDb("import: chức vụ from the one vocabulary", (getDb) => {
  it('accepts "Phó phòng" and "Văn thư" as chat does; a word nobody uses is refused', async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, unitsCsv(p));
    const csv = [
      "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email",
      `${p}-1,Phạm Thị Phó,1980-01-02,${p}-CNTT,Phó phòng,biên chế,,`,
      `${p}-2,Phạm Thị Thư,1980-01-02,${p}-CNTT,Văn thư,Hợp đồng,24,`,
    ].join("\n");
    const report = await importStaff(database, csv);
    expect(report.errors).toEqual([]);
    const rows = await database.db
      .select()
      .from(staff)
      .where(like(staff.externalId, `${p}-%`));
    const byCode = Object.fromEntries(rows.map((r) => [r.externalId, r]));
    expect(byCode[`${p}-1`]?.leaderLevel).toBe("division");
    expect(byCode[`${p}-2`]?.leaderLevel).toBe("staff");
    expect(byCode[`${p}-2`]?.employmentType).toBe("contract");

    const bad = await importStaff(database, csv.replace("Văn thư", "Bảo vệ trưởng"));
    expect(bad.written).toBe(false);
    expect(bad.errors.map((e) => e.line)).toEqual([3]);
  });
});
