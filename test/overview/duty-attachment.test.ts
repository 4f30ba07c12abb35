import ExcelJS from "exceljs";
import { InputFile } from "grammy";
import { expect, it } from "vitest";
import { vnInstant } from "../../src/calendar/time.ts";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { dutiesRule } from "../../src/reminders/rules/duties.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { mentionsActiveListDuty, withActiveListAttachment } from "../../src/overview/duty-attachment.ts";
import { captureLogger } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox } from "../services/fixtures.ts";
import { makeWorld, TG } from "../commands/world.ts";

describeEachDb("6-monthly duty reminder carries the active-mailbox XLSX", (getDb) => {
  it("the head gets the digest text, then the XLSX of their unit; other texts get nothing", async () => {
    const w = await makeWorld(getDb());
    await addMailbox(w.database, {
      unitId: w.units.ttc,
      localPart: "tranthib",
      ownerStaffId: w.staffIds.self,
    });
    // The real rule's text on the phuyen due day (30 June 2026 is a Tuesday, a working day).
    const profile = getProfile("phuyen");
    const now = vnInstant("2026-06-30", "08:00");
    const out = dutiesRule([TG.head], {
      profile,
      now,
      calendar: createCalendar(),
      supportChatId: null,
    });
    const dutyLine = out.reminders.find((r) => r.target === "duty:phuyen/active-list")?.line;
    expect(dutyLine).toBeDefined();
    expect(mentionsActiveListDuty(`Nhắc việc hôm nay:\n• ${dutyLine}`)).toBe(true);
    expect(mentionsActiveListDuty("• Hộp thư a@phuyen.gov.vn sắp bị khóa")).toBe(false);

    const texts: [number, string][] = [];
    const docs: { chatId: number; file: InputFile; data: Buffer; caption: string }[] = [];
    const send = withActiveListAttachment(async (chatId, text) => void texts.push([chatId, text]), {
      services: w.services,
      logger: captureLogger().logger,
      now: () => now,
      makeFile: (data, filename) => Object.assign(new InputFile(data, filename), { bytes: data }),
      sendDocument: async (chatId, file, caption) =>
        void docs.push({ chatId, file, data: (file as unknown as { bytes: Buffer }).bytes, caption }),
    });
    await send(TG.head, `• ${dutyLine}`);
    await send(TG.head, "• Một nhắc việc khác");
    await send(TG.staff, `• ${dutyLine}`); // not a unit head: the text only

    expect(texts).toHaveLength(3);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.chatId).toBe(TG.head);
    expect(docs[0]!.file.filename).toBe("danh-sach-hop-thu-2026-06-30.xlsx");
    expect(docs[0]!.caption).toContain("Sở TT&TT (2 hộp thư)");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(docs[0]!.data as unknown as ArrayBuffer);
    const addresses = [3, 4].map((r) => String(book.worksheets[0]!.getRow(r).getCell(2).value)).sort();
    // nguyenvanan (locked, Phòng CNTT) and tranthib (Trung tâm); huynhngocduc of Sở Y tế is not listed.
    expect(addresses).toEqual(["nguyenvanan@phuyen.gov.vn", "tranthib@phuyen.gov.vn"]);
  }, 60_000);
});
