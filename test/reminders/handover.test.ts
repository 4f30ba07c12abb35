// Keeper handover of a unit mailbox: mic Điều 12.3d ("Khi việc ủy quyền, phân công hết hiệu lực,
// thực hiện bàn giao nguyên trạng hộp thư điện tử cùng mật khẩu và toàn bộ nội dung dữ liệu cho cá
// nhân được Thủ trưởng cơ quan, đơn vị chỉ định"), binhtan Điều 7.3b, ninhbinh Điều 8.3 ("khi có
// thay đổi vị trí công tác phải … bàn giao hộp thư, mật khẩu và toàn bộ nội dung dữ liệu … cho cán
// bộ mới"). Recorded through the leaver/mover services, reminded through the sweep.
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { createServices } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, at, fakeTelegram, instantLimiter, seedOrg } from "./fixtures.ts";

const calendar = createCalendar();

describeEachDb(
  "keeper handover in the sweep",
  (getDb) => {
    const deps = (send: SweepDeps["send"]): SweepDeps => ({
      database: getDb(),
      send,
      calendar,
      supportChatId: 999,
      limiter: instantLimiter(),
    });
    const sweep = async (now: string) => {
      const tg = fakeTelegram();
      await runSweep(deps(tg.send), { now: at(now), rules: ["handover"] });
      return tg.sent;
    };

    it("mic: the keeper leaves → the head is reminded at once and weekly, until a new keeper is named", async () => {
      const db = getDb();
      const org = await seedOrg(db, "mic");
      await addMailbox(db, org, "vanthu");
      const services = createServices(db, { clock: () => at("2026-12-01T10:00:00+07:00"), calendar });
      // Recorded on 01/12 ahead of the leaving day 04/12: the head is told at once.
      const left = await services.directory.markLeaver(org.clerkStaffId, "2026-12-04", CLI);
      expect(left.keeperOf).toEqual(["vanthu@mic.gov.vn"]);
      // A retry reports the same and changes nothing.
      expect((await services.directory.markLeaver(org.clerkStaffId, "2026-12-04", CLI)).keeperOf).toEqual([
        "vanthu@mic.gov.vn",
      ]);

      const first = await sweep("2026-12-01T14:00:00+07:00");
      expect(first.map((m) => m.chatId)).toEqual([org.headChat]);
      expect(first[0]?.text).toContain("Bàn giao hộp thư của cơ quan, đơn vị (1)");
      expect(first[0]?.text).toContain("Hộp thư vanthu@mic.gov.vn");
      expect(first[0]?.text).toContain("nghỉ việc từ 04/12/2026");
      expect(first[0]?.text).toContain("Điều 12.3d QĐ 652/QĐ-BTTTT");
      expect(await sweep("2026-12-02T09:00:00+07:00")).toEqual([]);
      expect((await sweep("2026-12-08T09:00:00+07:00")).map((m) => m.chatId)).toEqual([org.headChat]);

      const mailbox = await services.directory.findMailbox("vanthu@mic.gov.vn");
      expect(await services.directory.setKeeper(mailbox!.id, org.ownerStaffId, CLI)).toBe(true);
      expect(await services.directory.setKeeper(mailbox!.id, org.ownerStaffId, CLI)).toBe(false);
      expect(await sweep("2026-12-15T09:00:00+07:00")).toEqual([]);
      const audit = await db.execute<{ action: string }>(
        sql`select action from audit_log where action in ('staff.leaver', 'mailbox.keeper') order by id`,
      );
      expect(audit.map((r) => r.action)).toEqual(["staff.leaver", "mailbox.keeper"]);
    });

    it("ninhbinh: a clerk who moves is reminded to hand over too, with the head (Điều 8.3)", async () => {
      const db = getDb();
      const org = await seedOrg(db, "ninhbinh", "ninhbinh.gov.vn");
      await addMailbox(db, org, "vanthu.stn");
      const other = await db.execute<{ id: number }>(
        sql`insert into units (profile_id, kind, name, abbr) values ('ninhbinh', 'agency', 'Sở Khác', 'sk') returning id`,
      );
      const services = createServices(db, { clock: () => at("2026-12-01T10:00:00+07:00"), calendar });
      const moved = await services.directory.moveStaff(org.clerkStaffId, other[0]!.id, CLI);
      expect(moved.keeperOf).toEqual(["vanthu.stn@ninhbinh.gov.vn"]);
      const sent = await sweep("2026-12-01T14:00:00+07:00");
      expect(sent.map((m) => m.chatId).sort()).toEqual([org.headChat, org.clerkChat].sort());
      expect(sent[0]?.text).toContain("đã chuyển vị trí công tác");
      expect(sent[0]?.text).toContain("Điều 8.3 Quy chế dự thảo 2020");
    });

    it("phuyen: the document is silent, nothing is reminded; no head → the support chat (binhtan)", async () => {
      const db = getDb();
      const py = await seedOrg(db, "phuyen", "phuyen.gov.vn");
      await addMailbox(db, py, "vanthu.py");
      const bt = await seedOrg(db, "binhtan", "tphcm.gov.vn");
      await addMailbox(db, bt, "vanthu.bt");
      await db.execute(sql`delete from role_grants where staff_id = ${bt.headStaffId}`);
      const services = createServices(db, { clock: () => at("2026-12-01T10:00:00+07:00"), calendar });
      await services.directory.markLeaver(py.clerkStaffId, "2026-12-01", CLI);
      await services.directory.markLeaver(bt.clerkStaffId, "2026-12-01", CLI);
      const sent = await sweep("2026-12-01T14:00:00+07:00");
      expect(sent.map((m) => m.chatId)).toEqual([999]);
      expect(sent[0]?.text).toContain("vanthu.bt@tphcm.gov.vn");
      expect(sent[0]?.text).toContain("Điều 7.3b QĐ 7600/QĐ-UBND");
      expect(sent[0]?.text).not.toContain("vanthu.py");
    });
  },
  { resetEach: true },
);
