/** Services added for the chat commands: access.holders, messageDeletions, absences. */
import { expect, it } from "vitest";
import { createServices } from "../../src/services/index.ts";
import { CLI, staffActor } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addStaff, addUnit, auditCount, grant, uniq } from "./fixtures.ts";

const NOW = new Date("2026-11-23T02:00:00Z");

describeEachDb("services for the bot commands", (getDb) => {
  it("access.holders: nearest unit heads first, global grants last, admins not included", async () => {
    const database = getDb();
    const services = createServices(database, { clock: () => NOW });
    const root = await addUnit(database);
    const child = await addUnit(database, { parentId: root.id, kind: "division" });
    const rootHead = await addStaff(database, { unitId: root.id, fullName: "Trần Văn Gốc" });
    const childHead = await addStaff(database, { unitId: child.id, fullName: "Lê Văn Con" });
    const admin = await addStaff(database, { unitId: root.id, fullName: "Hoàng Văn Quản" });
    await grant(database, rootHead.id, "unit_head", root.id);
    await grant(database, childHead.id, "unit_head", child.id);
    await grant(database, admin.id, "admin", null);
    const heads = await services.access.holders("unit_head", child.id);
    expect(heads.map((h) => h.id)).toEqual([childHead.id, rootHead.id]);
    expect((await services.access.holders("unit_head", root.id)).map((h) => h.id)).toEqual([rootHead.id]);
  });

  it("messageDeletions: due items are claimed once, in order, and survive a new services object", async () => {
    const database = getDb();
    const first = createServices(database, { clock: () => NOW });
    const chatId = 700_000 + Number.parseInt(uniq(), 36);
    await first.messageDeletions.schedule({
      chatId,
      messageId: 5,
      deleteAt: new Date(NOW.getTime() + 10 * 60_000),
    });
    await first.messageDeletions.schedule({
      chatId,
      messageId: 6,
      deleteAt: new Date(NOW.getTime() + 20 * 60_000),
    });
    const second = createServices(database, { clock: () => NOW }); // "after a restart"
    expect(
      (await second.messageDeletions.claimDue(new Date(NOW.getTime() + 60_000))).filter(
        (d) => d.chatId === chatId,
      ),
    ).toEqual([]);
    const due = await second.messageDeletions.claimDue(new Date(NOW.getTime() + 15 * 60_000));
    expect(due.filter((d) => d.chatId === chatId).map((d) => d.messageId)).toEqual([5]);
    expect(
      (await second.messageDeletions.claimDue(new Date(NOW.getTime() + 15 * 60_000))).filter(
        (d) => d.chatId === chatId,
      ),
    ).toEqual([]);
    const rest = await second.messageDeletions.claimDue(new Date(NOW.getTime() + 30 * 60_000));
    expect(rest.filter((d) => d.chatId === chatId).map((d) => d.messageId)).toEqual([6]);
  });

  it("absences: only the unit head files one, with an audit row; bad dates change nothing", async () => {
    const database = getDb();
    const services = createServices(database, { clock: () => NOW });
    const unit = await addUnit(database);
    const head = await addStaff(database, { unitId: unit.id, fullName: "Trần Văn Trưởng" });
    const other = await addStaff(database, { unitId: unit.id, fullName: "Võ Văn Khác" });
    await grant(database, head.id, "unit_head", unit.id);
    const local = `vang${uniq()}`;
    await addMailbox(database, { unitId: unit.id, localPart: local, ownerStaffId: other.id });
    const address = `${local}@phuyen.gov.vn`;
    await expect(
      services.absences.create({ address, endsOn: "2027-01-31", reason: "đi học" }, staffActor(other.id)),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      services.absences.create({ address, endsOn: "2026-01-31", reason: "đi học" }, staffActor(head.id)),
    ).rejects.toMatchObject({ code: "invalid_input" });
    const audits = await auditCount(database);
    const notice = await services.absences.create(
      { address, endsOn: "2027-01-31", reason: "đi học" },
      staffActor(head.id),
    );
    expect(notice).toMatchObject({ address, startsOn: "2026-11-23", endsOn: "2027-01-31" });
    expect(await auditCount(database)).toBe(audits + 1);
    expect((await services.absences.current(address)).map((n) => n.id)).toEqual([notice.id]);
    // The same notice again (a retry, a double click): the first one, no second row or audit.
    const again = await services.absences.create(
      { address, endsOn: "2027-01-31", reason: "đi học" },
      staffActor(head.id),
    );
    expect(again).toEqual(notice);
    expect(await auditCount(database)).toBe(audits + 1);
    expect((await services.absences.current(address)).map((n) => n.id)).toEqual([notice.id]);
    await expect(
      services.absences.create({ address: "khong@co.vn", endsOn: "2027-01-31", reason: "x y z" }, CLI),
    ).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
