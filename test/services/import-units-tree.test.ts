// Issue 9 item 6: a unit file must not close a loop, neither within itself nor through units
// already in the database; the refusal names the line and writes nothing.
import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { units } from "../../src/db/schema.ts";
import { importUnits } from "../../src/services/import/index.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addUnit, countRows, uniq } from "./fixtures.ts";

const HEADER = "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so";

describeEachDb("import units: no cycles", (getDb) => {
  async function parentCode(code: string): Promise<string | null> {
    const database = getDb();
    const [row] = await database.db.select().from(units).where(eq(units.externalId, code));
    if (!row?.parentId) return null;
    const [parent] = await database.db.select().from(units).where(eq(units.id, row.parentId));
    return parent?.externalId ?? null;
  }

  it("refuses a file that makes two stored units each other's parent, with the line", async () => {
    const database = getDb();
    const p = uniq();
    // In the database: A (root) ← B.
    const first = await importUnits(
      database,
      [HEADER, `${p}-A,Sở A,co_quan,a${p},,phuyen`, `${p}-B,Phòng B,phong,b${p},${p}-A,phuyen`].join("\n"),
    );
    expect(first).toMatchObject({ created: 2, written: true });
    const before = await countRows(database);

    // The new file only lists A, under B: A → B → A through the stored B.
    const loop = [
      HEADER,
      `${p}-OK,Sở Tốt,co_quan,ok${p},,phuyen`,
      `${p}-A,Sở A,co_quan,a${p},${p}-B,phuyen`,
    ].join("\n");
    const report = await importUnits(database, loop);
    expect(report.written).toBe(false);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ line: 3, code: `${p}-A` });
    expect(report.errors[0]?.reason).toMatch(/vòng lặp/);
    expect(report.errors[0]?.reason).toContain(`${p}-B (đã có trong hệ thống)`);
    expect(await countRows(database)).toEqual(before);
    expect(await parentCode(`${p}-A`)).toBeNull();

    // --skip-bad writes the good row and still never the loop.
    const skipped = await importUnits(database, loop, { skipBad: true });
    expect(skipped).toMatchObject({ written: true, created: 1, unchanged: 0, updated: 0 });
    expect(await parentCode(`${p}-A`)).toBeNull();
    expect(await parentCode(`${p}-B`)).toBe(`${p}-A`);
  });

  it("follows the chain through stored units, also those without an import code", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(database, [HEADER, `${p}-TOP,Sở Trên,co_quan,top${p},,phuyen`].join("\n"));
    const [top] = await database.db
      .select()
      .from(units)
      .where(eq(units.externalId, `${p}-TOP`));
    // A unit made in chat (no code) under TOP, and a coded one under it.
    const mid = await addUnit(database, { kind: "division", parentId: top!.id, abbr: `mid${p}` });
    const [low] = await database.db
      .insert(units)
      .values({
        profileId: "phuyen",
        kind: "division",
        name: "Tổ dưới",
        abbr: `low${p}`,
        parentId: mid.id,
        externalId: `${p}-LOW`,
      })
      .returning();
    expect(low).toBeDefined();
    const before = await countRows(database);
    // TOP under LOW: TOP → LOW → (unit without code) → TOP.
    const report = await importUnits(
      database,
      [HEADER, `${p}-TOP,Sở Trên,co_quan,top${p},${p}-LOW,phuyen`].join("\n"),
    );
    expect(report.errors.map((e) => e.line)).toEqual([2]);
    expect(report.errors[0]?.reason).toMatch(new RegExp(`vòng lặp .*${p}-LOW.*đơn vị số ${mid.id}`));
    expect(await countRows(database)).toEqual(before);
  });

  it("refuses a loop inside the file; rows below it are refused because their parent is; moving a stored unit is fine", async () => {
    const database = getDb();
    const p = uniq();
    await importUnits(
      database,
      [HEADER, `${p}-R,Sở R,co_quan,r${p},,phuyen`, `${p}-S,Sở S,co_quan,s${p},,phuyen`].join("\n"),
    );
    const csv = [
      HEADER,
      `${p}-X,Phòng X,phong,x${p},${p}-Y,phuyen`, // line 2: X → Y → X
      `${p}-Y,Phòng Y,phong,y${p},${p}-X,phuyen`, // line 3
      `${p}-Z,Tổ Z,phong,z${p},${p}-X,phuyen`, // line 4: below the loop
      `${p}-S,Sở S,co_quan,s${p},${p}-R,phuyen`, // line 5: S moves under R, no loop
    ].join("\n");
    const report = await importUnits(database, csv);
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([
      [2, `${p}-X`],
      [3, `${p}-Y`],
      [4, `${p}-Z`],
    ]);
    expect(report.errors[0]?.reason).toMatch(/vòng lặp/);
    expect(report.errors[2]?.reason).toMatch(/don_vi_cha .* bị lỗi/);
    const skipped = await importUnits(database, csv, { skipBad: true });
    expect(skipped).toMatchObject({ written: true, updated: 1, created: 0 });
    expect(await parentCode(`${p}-S`)).toBe(`${p}-R`);
  });
});
