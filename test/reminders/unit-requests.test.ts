// The head's written request after a hire or a departure, through the sweep: binhtan Điều 8.2
// ("Chậm nhất 02 ngày làm việc kể từ ngày có cán bộ … tuyển mới … hoặc … nghỉ hưu, nghỉ việc,
// chuyển công tác,… Thủ trưởng … có văn bản đề nghị … cấp mới, cấp đổi hoặc hủy bỏ") and ninhbinh
// Điều 7.2 ("Trong thời hạn 05 ngày kể từ ngày có quyết định …"). Remind only.
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createCalendar } from "../../src/calendar/calendar.ts";
import type { Database } from "../../src/db/client.ts";
import { runSweep, type SweepDeps } from "../../src/reminders/sweep.ts";
import { createServices } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, at, fakeTelegram, instantLimiter, seedOrg, type Org } from "./fixtures.ts";

const calendar = createCalendar();

/** The organisation as first imported on 01/11/2026 (not hires). */
async function importedOrg(db: Database, profileId: string, domain: string): Promise<Org> {
  const org = await seedOrg(db, profileId, domain);
  await db.execute(sql`update units set created_at = '2026-11-01T08:00:00+07:00' where id = ${org.unitId}`);
  await db.execute(
    sql`update staff set created_at = '2026-11-01T08:00:00+07:00' where unit_id = ${org.unitId}`,
  );
  return org;
}

describeEachDb(
  "the unit's request after a hire or a departure",
  (getDb) => {
    const sweep = async (now: string) => {
      const tg = fakeTelegram();
      const deps: SweepDeps = {
        database: getDb(),
        send: tg.send,
        calendar,
        supportChatId: 999,
        limiter: instantLimiter(),
      };
      await runSweep(deps, { now: at(now), rules: ["hr-requests"] });
      return tg.sent;
    };

    it("binhtan Điều 8.2: a hire without a mailbox → the head, inside 2 working days, then never after", async () => {
      const db = getDb();
      const org = await importedOrg(db, "binhtan", "tphcm.gov.vn");
      await addMailbox(db, org, "nvan", { kind: "personal" });
      await db.execute(
        sql`insert into staff (full_name, unit_id, employment_type, created_at) values ('Lê Thị Mới', ${org.unitId}, 'civil_servant', '2026-12-07T09:00:00+07:00')`,
      );
      const first = await sweep("2026-12-07T14:00:00+07:00");
      expect(first.map((m) => m.chatId)).toEqual([org.headChat]);
      expect(first[0]?.text).toContain("Văn bản đề nghị cấp mới, hủy bỏ hộp thư (1)");
      expect(first[0]?.text).toContain("Lê Thị Mới (Vụ Thử nghiệm");
      expect(first[0]?.text).toContain(
        "chưa có hộp thư: Thủ trưởng gửi văn bản đề nghị cấp mới hộp thư — chậm nhất thứ Tư 09/12/2026 (chậm nhất 02 ngày làm việc, Điều 8.2 QĐ 7600/QĐ-UBND)",
      );
      expect(await sweep("2026-12-08T09:00:00+07:00")).toEqual([]);
      const last = await sweep("2026-12-09T09:00:00+07:00");
      expect(last.map((m) => m.chatId)).toEqual([org.headChat]);
      expect(last[0]?.text).toContain("hôm nay là hạn cuối");
      expect(await sweep("2026-12-10T09:00:00+07:00")).toEqual([]);
    });

    it("binhtan: a departure with a live mailbox → the head is asked for the 'hủy bỏ' request", async () => {
      const db = getDb();
      const org = await importedOrg(db, "binhtan", "tphcm.gov.vn");
      await addMailbox(db, org, "cvien", { kind: "personal" });
      const services = createServices(db, { clock: () => at("2026-12-07T10:00:00+07:00"), calendar });
      await services.directory.markLeaver(org.ownerStaffId, "2026-12-11", CLI);
      const sent = await sweep("2026-12-11T09:00:00+07:00");
      expect(sent.map((m) => m.chatId)).toEqual([org.headChat]);
      expect(sent[0]?.text).toContain("nghỉ hưu, nghỉ việc hoặc chuyển công tác (từ ngày 11/12/2026)");
      expect(sent[0]?.text).toContain("đề nghị hủy bỏ hộp thư — chậm nhất thứ Ba 15/12/2026");
      // No locking or revoking on this rule: the mailbox is untouched.
      const status = await db.execute<{ status: string }>(
        sql`select status::text as status from mailboxes where address = 'cvien@tphcm.gov.vn'`,
      );
      expect(status[0]?.status).toBe("active");
    });

    it("ninhbinh Điều 7.2: 5 days from the decision; mic: nothing from this rule", async () => {
      const db = getDb();
      const nb = await importedOrg(db, "ninhbinh", "ninhbinh.gov.vn");
      await addMailbox(db, nb, "cvien.nb", { kind: "personal" });
      const mic = await importedOrg(db, "mic", "mic.gov.vn");
      await addMailbox(db, mic, "cvien.mic", { kind: "personal" });
      await db.execute(
        sql`insert into staff (full_name, unit_id, employment_type, created_at) values ('Người Mới Ninh Bình', ${nb.unitId}, 'civil_servant', '2026-12-07T09:00:00+07:00')`,
      );
      const services = createServices(db, { clock: () => at("2026-12-07T10:00:00+07:00"), calendar });
      await services.directory.markLeaver(nb.ownerStaffId, "2026-12-07", CLI);
      await services.directory.markLeaver(mic.ownerStaffId, "2026-12-07", CLI);
      const sent = await sweep("2026-12-08T09:00:00+07:00");
      expect(sent.map((m) => m.chatId)).toEqual([nb.headChat]);
      expect(sent[0]?.text).toContain("(quyết định ngày 07/12/2026)");
      expect(sent[0]?.text).toContain(
        "đề nghị chấm dứt hoạt động hộp thư — chậm nhất thứ Hai 14/12/2026 (trong thời hạn 05 ngày kể từ ngày có quyết định, Điều 7.2 Quy chế dự thảo 2020)",
      );
      // Ninh Bình sets no deadline for a hire's request.
      expect(sent[0]?.text).not.toContain("Người Mới Ninh Bình");
    });
  },
  { resetEach: true },
);
