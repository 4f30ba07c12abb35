import ExcelJS from "exceljs";
import { expect, it } from "vitest";
import { mailboxChecks, trackedMessages } from "../../src/db/schema.ts";
import type { UploadedFile } from "../../src/bot/transports/local-api.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox } from "../services/fixtures.ts";
import { makeWorld, TG, type World } from "../commands/world.ts";

/** The head of "Sở TT&TT" sees Sở TT&TT, Trung tâm CNTT&TT and Phòng CNTT, never Sở Y tế. */
async function populate(w: World) {
  const db = w.database;
  // In the head's subtree: idle since June (lock on 1 Dec: close to it), used today, one locked.
  const idle = await addMailbox(db, {
    unitId: w.units.ttc,
    localPart: "tranthiidle",
    ownerStaffId: w.staffIds.self,
    lastSendAt: new Date("2026-06-01T03:00:00Z"),
    createdAt: new Date("2026-01-05T03:00:00Z"),
  });
  const busy = await addMailbox(db, {
    unitId: w.units.so,
    localPart: "lethimai",
    ownerStaffId: w.staffIds.clerk,
    lastSendAt: new Date("2026-11-20T03:00:00Z"),
  });
  // Outside the subtree: locked and idle, must not be counted.
  await addMailbox(db, {
    unitId: w.units.syt,
    localPart: "sytlocked",
    status: "locked",
    lockReason: "inactivity",
    lockedAt: new Date("2026-10-01T03:00:00Z"),
  });
  await addMailbox(db, {
    unitId: w.units.syt,
    localPart: "sytidle",
    lastSendAt: new Date("2026-05-01T03:00:00Z"),
    createdAt: new Date("2026-01-05T03:00:00Z"),
  });
  // Two messages unanswered since the week before (past the 2-working-day limit), one fresh.
  await db.db.insert(trackedMessages).values([
    {
      messageId: "<a@x>",
      mailboxId: busy.id,
      sender: "a@x.vn",
      receivedAt: new Date("2026-11-16T02:00:00Z"),
    },
    {
      messageId: "<b@x>",
      mailboxId: busy.id,
      sender: "b@x.vn",
      receivedAt: new Date("2026-11-17T02:00:00Z"),
    },
    {
      messageId: "<c@x>",
      mailboxId: idle.id,
      sender: "c@x.vn",
      receivedAt: new Date("2026-11-23T01:30:00Z"),
    },
  ]);
  await db.db
    .insert(mailboxChecks)
    .values({ mailboxId: busy.id, checkedAt: new Date("2026-11-23T01:10:00Z") });
}

function upload(payload: Record<string, unknown>, field: string): UploadedFile {
  const file = payload[field] as UploadedFile;
  expect(file?.data, `${field} was uploaded as a file`).toBeInstanceOf(Buffer);
  return file;
}

describeEachDb(
  "/tongquan — a unit head's overview",
  (getDb) => {
    it("counts the head's subtree only, names overdue replies, sends a PNG chart and the XLSX list", async () => {
      const w = await makeWorld(getDb());
      await populate(w);
      const { h, users } = w;
      const chat = h.privateChat(users.head);
      await h.command(users.head, chat, "tongquan", "ds");

      const text = h.lastReply(TG.head)!;
      expect(text).toContain("Tổng quan Sở TT&TT");
      // nguyenvanan (locked, Phòng CNTT), tranthiidle, lethimai — not the two of Sở Y tế.
      expect(text).toContain(
        "Hộp thư đang dùng: 3; bị khóa: 1; không hoạt động trên 30 ngày: 1; sắp bị khóa do không hoạt động: 1.",
      );
      expect(text).toContain("nguyenvanan@phuyen.gov.vn (Nguyễn Văn An) — tạm khóa");
      expect(text).toContain("tranthiidle@phuyen.gov.vn (Đặng Thị Bình) — khóa sau ngày 01/12/2026");
      expect(text).not.toContain("syt");
      expect(text).toContain("Lê Thị Mai: 2 thư");
      expect(text).not.toContain("Đặng Thị Bình: ");
      expect(text).toContain("1/2 hộp thư đã được mở (50%)");

      const [photo] = h.callsTo("sendPhoto");
      expect(photo?.payload.chat_id).toBe(TG.head);
      const png = upload(photo!.payload, "photo").data;
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(900); // IHDR width
      expect(png.readUInt32BE(20)).toBe(500); // IHDR height
      expect(png.length).toBeGreaterThan(10_000);
      expect(png.length).toBeLessThan(1_000_000);

      const [doc] = h.callsTo("sendDocument");
      const xlsx = upload(doc!.payload, "document");
      expect(xlsx.filename).toBe("danh-sach-hop-thu-2026-11-23.xlsx");
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.data as unknown as ArrayBuffer);
      const sheet = book.worksheets[0]!;
      expect(sheet.getRow(2).values).toEqual([
        undefined,
        "STT",
        "Địa chỉ thư điện tử",
        "Loại hộp thư",
        "Cá nhân sử dụng / người giữ",
        "Đơn vị",
        "Trạng thái",
        "Hoạt động gần nhất",
      ]);
      const addresses = [3, 4, 5].map((r) => String(sheet.getRow(r).getCell(2).value)).sort();
      expect(addresses).toEqual([
        "lethimai@phuyen.gov.vn",
        "nguyenvanan@phuyen.gov.vn",
        "tranthiidle@phuyen.gov.vn",
      ]);
      expect(sheet.rowCount).toBe(5);
    }, 60_000);

    it("a chuyên viên gets a polite refusal and no picture; another unit is refused to a head", async () => {
      const w = await makeWorld(getDb());
      const { h, users } = w;
      await h.command(users.staff, h.privateChat(users.staff), "tongquan");
      expect(h.lastReply(TG.staff)).toMatch(/không có quyền|chỉ dành cho/i);
      await h.command(users.head, h.privateChat(users.head), "tongquan", "syt");
      expect(h.lastReply(TG.head)).toMatch(/không có quyền|chỉ dành cho/i);
      expect(h.callsTo("sendPhoto")).toHaveLength(0);
      // An admin over the whole system is asked for the unit, then sees it.
      await h.command(users.admin, h.privateChat(users.admin), "tongquan");
      expect(h.lastReply(TG.admin)).toContain("hãy ghi đơn vị");
      await h.command(users.admin, h.privateChat(users.admin), "tongquan", "syt");
      expect(h.lastReply(TG.admin)).toContain("Tổng quan Sở Y tế");
      expect(h.lastReply(TG.admin)).toContain("Hộp thư đang dùng: 1; bị khóa: 0;");
      expect(h.callsTo("sendPhoto")).toHaveLength(1);
    }, 60_000);
  },
  { resetEach: true },
);
