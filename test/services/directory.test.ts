import { eq } from "drizzle-orm";
import { expect, it } from "vitest";
import { mailboxes, staff } from "../../src/db/schema.ts";
import { createServices } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addStaff, addUnit, auditCount, countRows, uniq } from "./fixtures.ts";

describeEachDb("directory", (getDb) => {
  it("finds mailboxes case-insensitively and staff by name, address and unit", async () => {
    const database = getDb();
    const services = createServices(database);
    const unit = await addUnit(database);
    const person = await addStaff(database, { unitId: unit.id, fullName: "Châu Thị Tìm Kiếm" });
    const lp = `timkiem${uniq()}`;
    await addMailbox(database, { unitId: unit.id, localPart: lp, ownerStaffId: person.id });
    expect((await services.directory.findMailbox(`${lp.toUpperCase()}@PHUYEN.GOV.VN`))?.ownerStaffId).toBe(
      person.id,
    );
    expect(await services.directory.findMailbox("khongco@phuyen.gov.vn")).toBeNull();
    expect((await services.directory.findStaff({ name: "tìm kiếm" })).map((s) => s.id)).toContain(person.id);
    expect((await services.directory.findStaff({ address: `${lp}@phuyen.gov.vn` })).map((s) => s.id)).toEqual(
      [person.id],
    );
    expect((await services.directory.findStaff({ unitId: unit.id })).map((s) => s.id)).toEqual([person.id]);
    await expect(services.directory.findStaff({})).rejects.toMatchObject({ code: "invalid_input" });
  });

  it("marks a leaver with the profile's dates (once), and moves staff without renaming", async () => {
    const database = getDb();
    const services = createServices(database);
    const unit = await addUnit(database);
    const other = await addUnit(database);
    const person = await addStaff(database, {
      unitId: unit.id,
      fullName: "Quách Văn Nghỉ",
      leaderLevel: "division",
    });
    const box = await addMailbox(database, {
      unitId: unit.id,
      localPart: `nghi${uniq()}`,
      ownerStaffId: person.id,
    });
    const audits = await auditCount(database);
    const result = await services.directory.markLeaver(person.id, "2026-12-31", CLI);
    expect(result.mailboxes).toEqual([box.address]);
    expect(result.revokeAt.getTime()).toBeGreaterThan(new Date("2026-12-31").getTime());
    const [row] = await database.db.select().from(mailboxes).where(eq(mailboxes.id, box.id));
    expect(row?.revokeAt?.getTime()).toBe(result.revokeAt.getTime());
    const [s] = await database.db.select().from(staff).where(eq(staff.id, person.id));
    expect(s?.employmentStatus).toBe("left");
    expect(await auditCount(database)).toBe(audits + 1);
    const before = await countRows(database);
    await services.directory.markLeaver(person.id, "2026-12-31", CLI);
    expect(await countRows(database)).toEqual(before);
    await expect(services.directory.markLeaver(person.id, "31/12/2026", CLI)).rejects.toMatchObject({
      code: "invalid_input",
    });

    // Two moves at once (double click, retry): one move, one audit row.
    const beforeMove = await auditCount(database);
    await Promise.all([
      services.directory.moveStaff(person.id, other.id, CLI),
      services.directory.moveStaff(person.id, other.id, CLI),
    ]);
    expect(await auditCount(database)).toBe(beforeMove + 1);
    const [moved] = await database.db.select().from(mailboxes).where(eq(mailboxes.id, box.id));
    expect(moved?.unitId).toBe(other.id);
    expect(moved?.address).toBe(box.address);
    const elsewhere = await addUnit(database, { profileId: "mic" });
    await expect(services.directory.moveStaff(person.id, elsewhere.id, CLI)).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});
