import ExcelJS from "exceljs";
import { InputFile } from "grammy";
import { expect, it } from "vitest";
import type { UploadedFile } from "../../src/bot/transports/local-api.ts";
import { createCalendar } from "../../src/calendar/calendar.ts";
import { vnInstant } from "../../src/calendar/time.ts";
import { carriesActiveListDuty, withActiveListAttachment } from "../../src/overview/duty-attachment.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { runSweep } from "../../src/reminders/sweep.ts";
import type { ReminderItem } from "../../src/reminders/types.ts";
import { captureLogger, SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { instantLimiter } from "../reminders/fixtures.ts";
import { addMailbox } from "../services/fixtures.ts";
import { makeWorld, TG, type World } from "../commands/world.ts";

/** 30 June 2026 (a Tuesday, a working day): phuyen's 6-monthly active-mailbox list is due. */
const DUE_DAY = vnInstant("2026-06-30", "08:00");

/**
 * The sweep as main.ts wires it: digests through the bot, wrapped by the attachment. `reword`
 * rewrites the digest text on its way (a regulation's new wording, a changed line format).
 */
function sweepDuties(w: World, reword: (text: string) => string = (text) => text) {
  const attach = withActiveListAttachment(
    (chatId, text, keyboard) =>
      w.h.bot.api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {}),
    {
      services: w.services,
      logger: captureLogger().logger,
      now: () => DUE_DAY,
      makeFile: (data, filename) => new InputFile(data, filename),
      sendDocument: (chatId, file, caption) => w.h.bot.api.sendDocument(chatId, file, { caption }),
    },
  );
  const send: typeof attach = (chatId, text, keyboard, items) =>
    attach(chatId, reword(text), keyboard, items);
  return runSweep(
    {
      database: w.database,
      calendar: createCalendar(),
      profiles: ["phuyen"],
      supportChatId: SUPPORT_CHAT_ID,
      limiter: instantLimiter(),
      send,
    },
    { now: DUE_DAY, rules: ["duties"] },
  );
}

describeEachDb("6-monthly duty reminder carries the active-mailbox XLSX", (getDb) => {
  it("the head gets the digest, then the XLSX of their unit, decided on the item's duty id — not its wording", async () => {
    const w = await makeWorld(getDb());
    await addMailbox(w.database, {
      unitId: w.units.ttc,
      localPart: "tranthib",
      ownerStaffId: w.staffIds.self,
    });
    // The digest words the duty differently from the profile: the attachment must still follow.
    const original = getProfile("phuyen").duties.find((d) => d.id === "active-list")!.description;
    const reword = (text: string) => text.replace(original, "Lập danh sách hộp thư đang dùng (câu chữ mới)");
    const report = await sweepDuties(w, reword);
    expect(report.digests.map((d) => d.chatId).sort((a, b) => a - b)).toEqual([SUPPORT_CHAT_ID, TG.head]);
    const digest = w.h.lastReply(TG.head)!;
    expect(digest).toContain("Báo cáo định kỳ theo quy chế (");
    expect(digest).toContain("Lập danh sách hộp thư đang dùng (câu chữ mới)");
    expect(digest).not.toContain(original);

    // One document, to the head only (not to the support group), after the digest.
    const docs = w.h.callsTo("sendDocument");
    expect(docs).toHaveLength(1);
    expect(docs[0]!.payload.chat_id).toBe(TG.head);
    expect(String(docs[0]!.payload.caption)).toContain("Sở TT&TT (2 hộp thư)");
    const file = docs[0]!.payload.document as UploadedFile;
    expect(file.filename).toBe("danh-sach-hop-thu-2026-06-30.xlsx");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file.data as unknown as ArrayBuffer);
    const addresses = [3, 4].map((r) => String(book.worksheets[0]!.getRow(r).getCell(2).value)).sort();
    // nguyenvanan (locked, Phòng CNTT) and tranthib (Trung tâm); huynhngocduc of Sở Y tế is not listed.
    expect(addresses).toEqual(["nguyenvanan@phuyen.gov.vn", "tranthib@phuyen.gov.vn"]);

    // The same run again: the claims hold, no second digest and no second file.
    expect((await sweepDuties(w, reword)).digests).toEqual([]);
    expect(w.h.callsTo("sendDocument")).toHaveLength(1);
  }, 60_000);

  it("a text that quotes the duty's words is not the duty; the data decides", () => {
    const base: Omit<ReminderItem, "section" | "target" | "rule"> = {
      key: "k",
      chatId: TG.head,
      line: getProfile("phuyen").duties.find((d) => d.id === "active-list")!.description,
      sortAt: DUE_DAY.toISOString(),
      profileId: "phuyen",
    };
    expect(carriesActiveListDuty([{ ...base, rule: "quota", target: "mb:1", section: "quota" }])).toBe(false);
    expect(carriesActiveListDuty(undefined)).toBe(false);
    // Another duty of the same profile is no active-mailbox list.
    expect(
      carriesActiveListDuty([
        {
          ...base,
          rule: "duty-due",
          target: "duty:binhtan/monthly",
          section: "duty",
          about: { dutyId: "monthly" },
        },
      ]),
    ).toBe(false);
    // A claim made before items carried `about` still has its target.
    expect(
      carriesActiveListDuty([{ ...base, rule: "duty-due", target: "duty:mic/active-list", section: "duty" }]),
    ).toBe(true);
  });
});
