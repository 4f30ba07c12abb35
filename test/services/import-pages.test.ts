/**
 * The staff import across pages (small pages here, so a few rows cross several): ids taken from
 * the sequences before the write, a page planned while the one before it is written, and the
 * errors of that overlap.
 */
import { and, like, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { auditLog, mailboxes, staff } from "../../src/db/schema.ts";
import { importStaff, importUnits } from "../../src/services/import/index.ts";
import { describeEachDb } from "../helpers/db.ts";
import { auditCount, countRows, uniq } from "./fixtures.ts";

const PAGE = 2;

function unitCsv(p: string): string {
  return `ma_don_vi,ten_don_vi,loai,ky_hieu,ho_so\n${p}-U,Sở Trang,co_quan,tr${p},phuyen\n`;
}

/** A given name of letters only, different for every test (so addresses never collide). */
function givenName(p: string): string {
  return `Thử${[...p].map((c) => "abcdeghiklmnopqrstuvxy"[parseInt(c, 36) % 22]).join("")}`;
}

function staffCsv(p: string, rows: readonly string[]): string {
  return ["ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,hinh_thuc,email", ...rows].join("\n");
}

describeEachDb("import: staff across pages", (getDb) => {
  it("every created row's audit names its id; re-import across pages changes nothing", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, unitCsv(p));
    const given = givenName(p);
    const rows = [1, 2, 3, 4, 5, 6, 7].map(
      (i) => `${p}-${i},Nguyễn Văn ${given},198${i}-01-0${i},${p}-U,bien_che,`,
    );
    rows.push(`${p}-8,Trần Thị Có Sẵn,,${p}-U,bien_che,cosan${p}@phuyen.gov.vn`);
    const csv = staffCsv(p, rows);
    const report = await importStaff(database, csv, { issueMailboxes: true, pageRows: PAGE });
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({ created: 8, mailboxesCreated: 8, addressesIssued: 7, written: true });

    const people = await database.db
      .select({ id: staff.id, code: staff.externalId })
      .from(staff)
      .where(like(staff.externalId, `${p}-%`));
    const idByCode = new Map(people.map((s) => [s.code as string, s.id]));
    // Ids follow the file's lines.
    const ids = rows.map((_, i) => idByCode.get(`${p}-${i + 1}`) as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const boxes = await database.db
      .select({ id: mailboxes.id, owner: mailboxes.ownerStaffId, address: mailboxes.address })
      .from(mailboxes)
      .where(sql`${mailboxes.ownerStaffId} in ${ids}`);
    expect(boxes).toHaveLength(8);

    const audits = await database.db
      .select({ action: auditLog.action, entityId: auditLog.entityId, details: auditLog.details })
      .from(auditLog)
      .where(
        and(
          sql`${auditLog.action} in ('staff.create', 'mailbox.create')`,
          sql`(${auditLog.details}->>'code' like ${`${p}-%`} or ${auditLog.details}->>'staffId' = any(${`{${ids.join(",")}}`}::text[]))`,
        ),
      );
    const created = audits.filter((a) => a.action === "staff.create");
    expect(created.map((a) => [a.entityId, a.details?.code]).sort()).toEqual(
      people.map((s) => [String(s.id), s.code]).sort(),
    );
    const issued = audits.filter((a) => a.action === "mailbox.create");
    expect(issued.map((a) => [a.entityId, a.details?.staffId, a.details?.address]).sort()).toEqual(
      boxes.map((b) => [String(b.id), b.owner, b.address]).sort(),
    );

    const before = await countRows(database);
    const again = await importStaff(database, csv, { issueMailboxes: true, pageRows: PAGE });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 8, mailboxesCreated: 0, written: true });
    expect(await countRows(database)).toEqual(before);

    // One change on a later page: one update, one audit row, nothing else.
    const audited = await auditCount(database);
    const changed = staffCsv(
      p,
      rows.map((row, i) => (i === 6 ? `${p}-7,Nguyễn Văn ${given} Mới,1987-01-07,${p}-U,bien_che,` : row)),
    );
    const update = await importStaff(database, changed, { issueMailboxes: true, pageRows: PAGE });
    expect(update).toMatchObject({ created: 0, updated: 1, unchanged: 7, mailboxesCreated: 0 });
    expect(await auditCount(database)).toBe(audited + 1);
  });

  it("an address proposed on an earlier page is refused as a later row's email, in a dry run too", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, unitCsv(p));
    const given = givenName(p);
    const rows = [1, 2, 3].map((i) => `${p}-${i},Lê Văn ${given},197${i}-02-0${i},${p}-U,bien_che,`);
    const planned = await importStaff(database, staffCsv(p, rows), {
      issueMailboxes: true,
      dryRun: true,
      pageRows: PAGE,
    });
    const first = planned.issued[0]?.address as string;
    expect(first).toMatch(/@phuyen\.gov\.vn$/);

    // Line 6 (page 3) claims the address line 2 (page 1) is given.
    const csv = staffCsv(p, [
      ...rows,
      `${p}-4,Phạm Thị Khác,,${p}-U,bien_che,`,
      `${p}-5,Võ Văn Lấy,,${p}-U,bien_che,${first}`,
    ]);
    const expected = [{ line: 6, code: `${p}-5`, reason: `email ${first} đang thuộc về cán bộ khác` }];
    const before = await countRows(database);
    const dry = await importStaff(database, csv, { issueMailboxes: true, dryRun: true, pageRows: PAGE });
    expect(dry.errors).toEqual(expected);
    const real = await importStaff(database, csv, { issueMailboxes: true, pageRows: PAGE });
    expect(real.errors).toEqual(expected);
    expect(real.written).toBe(false);
    expect(await countRows(database)).toEqual(before);
  });

  it("onIssued: each address as it is planned, in line order, the same as the report's list (which stays empty)", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, unitCsv(p));
    const given = givenName(p);
    // Namesakes across three pages, so every proposal sees the ones before it.
    const rows = [1, 2, 3, 4, 5].map((i) => `${p}-${i},Đỗ Văn ${given},197${i}-03-0${i},${p}-U,bien_che,`);
    const csv = staffCsv(p, rows);
    const listed = await importStaff(database, csv, { issueMailboxes: true, dryRun: true, pageRows: PAGE });
    const handed: unknown[] = [];
    const dry = await importStaff(database, csv, {
      issueMailboxes: true,
      dryRun: true,
      pageRows: PAGE,
      onIssued: (a) => handed.push(a),
    });
    expect(listed.notIssued).toEqual([]);
    expect(listed.issued.map((a) => a.line)).toEqual([2, 3, 4, 5, 6]);
    expect(new Set(listed.issued.map((a) => a.address)).size).toBe(5);
    expect(handed).toEqual(listed.issued);
    expect(dry.issued).toEqual([]);
    expect(dry.addressesIssued).toBe(5);
  });

  it("a page the database refuses: the import fails with the database's reason and writes nothing", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, unitCsv(p));
    const refused = `${p}-3`;
    // A stand-in for any refusal at write time (the checks cannot foresee it): page 2 of 4, so
    // the prefetch of page 4 is sent after that write and fails too.
    await database.execute(
      `create function refuse_${p}() returns trigger language plpgsql as $$
       begin if new.external_id = '${refused}' then raise exception 'test refuses ${refused}'; end if; return new; end $$`,
    );
    await database.execute(
      `create trigger refuse_${p} before insert on staff for each row execute function refuse_${p}()`,
    );
    try {
      const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => `${p}-${i},Đỗ Văn Trang,,${p}-U,bien_che,`);
      const before = await countRows(database);
      const failure = await importStaff(database, staffCsv(p, rows), {
        issueMailboxes: true,
        pageRows: PAGE,
      }).then(
        () => null,
        (error: unknown) => error as Error & { cause?: Error },
      );
      // Its own reason, not the "transaction is aborted" of the statements sent after it.
      expect(`${failure?.message} ${failure?.cause?.message}`).toContain(`test refuses ${refused}`);
      expect(await countRows(database)).toEqual(before);
    } finally {
      await database.execute(`drop trigger refuse_${p} on staff`);
      await database.execute(`drop function refuse_${p}()`);
    }
  });
});
