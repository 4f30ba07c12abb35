/**
 * The 6-monthly list of mailboxes in use (mic Điều 14.6, phuyen Điều 12.9: "thống kê danh sách cá
 * nhân, đơn vị đang sử dụng hộp thư công vụ") as an XLSX workbook.
 */
import ExcelJS from "exceljs";
import { formatVnDate, vnDateOf } from "../calendar/time.ts";
import { MAILBOX_KIND_LABELS, MAILBOX_STATUS_LABELS } from "../policy/vocabulary.ts";
import type { OverviewMailbox } from "../services/overview.ts";

export const ACTIVE_LIST_HEADERS = [
  "STT",
  "Địa chỉ thư điện tử",
  "Loại hộp thư",
  "Cá nhân sử dụng / người giữ",
  "Đơn vị",
  "Trạng thái",
  "Hoạt động gần nhất",
] as const;

const KIND_VI: Record<OverviewMailbox["kind"], string> = MAILBOX_KIND_LABELS;

export async function activeMailboxesXlsx(
  unitName: string,
  rows: readonly OverviewMailbox[],
  at: Date,
): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = "mailbot";
  book.created = at;
  const sheet = book.addWorksheet("Danh sách hộp thư");
  sheet.addRow([
    `Danh sách cá nhân, đơn vị đang sử dụng hộp thư công vụ — ${unitName} — ngày ${formatVnDate(vnDateOf(at))}`,
  ]);
  sheet.mergeCells(1, 1, 1, ACTIVE_LIST_HEADERS.length);
  sheet.getRow(1).font = { bold: true, size: 13 };
  const header = sheet.addRow([...ACTIVE_LIST_HEADERS]);
  header.font = { bold: true };
  rows.forEach((m, i) =>
    sheet.addRow([
      i + 1,
      m.address,
      KIND_VI[m.kind],
      m.personName ?? "",
      m.unitName,
      MAILBOX_STATUS_LABELS[m.status],
      m.lastActivityAt ? formatVnDate(vnDateOf(m.lastActivityAt)) : "chưa có",
    ]),
  );
  [6, 34, 14, 30, 34, 16, 18].forEach((w, i) => (sheet.getColumn(i + 1).width = w));
  return Buffer.from(await book.xlsx.writeBuffer());
}
