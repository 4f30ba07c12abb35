/**
 * `export active-mailboxes`: the 6-monthly list of individuals and units using an official
 * mailbox (mic Điều 14.6, phuyen Điều 12.9) of one unit's subtree, as an XLSX file.
 */
import { z } from "zod";
import { noPositionals } from "./common.ts";
import { defineCommand, done, rejected } from "./types.ts";

const exportActive = defineCommand({
  path: ["export", "active-mailboxes"],
  usage: "export active-mailboxes --unit ĐƠN_VỊ --out TỆP.xlsx [--json]",
  summary: {
    vi: "Xuất danh sách hộp thư đang sử dụng của đơn vị (XLSX, định kỳ 6 tháng)",
    en: "Export the unit subtree's mailboxes in use (XLSX, 6-monthly list)",
  },
  details: {
    vi: "Danh sách cá nhân, đơn vị đang sử dụng hộp thư công vụ (mic Điều 14.6, Phú Yên Điều 12.9) của đơn vị và các đơn vị trực thuộc; không gồm hộp thư đã thu hồi. --unit nhận mã số, ký hiệu, tên hoặc mã đơn vị trong tệp nhập.",
    en: "Mailboxes in use (all but revoked) of the unit and its sub-units. --unit takes the id, abbreviation, name or import key.",
  },
  options: {
    unit: { type: "string", value: "ĐƠN_VỊ", vi: "Đơn vị (mã số, ký hiệu hoặc tên)", en: "Unit" },
    out: { type: "string", value: "TỆP", vi: "Tệp XLSX sẽ ghi", en: "XLSX file to write" },
  },
  schema: z.object({
    positionals: noPositionals,
    unit: z.string({ message: "Thiếu --unit (đơn vị)." }).trim().min(1, "Thiếu --unit (đơn vị)."),
    out: z.string({ message: "Thiếu --out (tệp .xlsx)." }).regex(/\.xlsx$/i, "Tệp --out phải có đuôi .xlsx."),
  }),
  examples: ["export active-mailboxes --unit stttt --out danh-sach.xlsx"],
  async run(input, ctx) {
    const { writeFile } = await import("node:fs/promises");
    const { activeMailboxesXlsx } = await import("../overview/xlsx.ts");
    return ctx.withServices(async (services) => {
      const unit = await services.overview.findUnit(input.unit);
      if (!unit) {
        return rejected(
          "unit_not_found",
          `Không tìm thấy đơn vị "${input.unit}" (hoặc có nhiều đơn vị trùng).`,
        );
      }
      const list = await services.overview.activeMailboxes(unit.id);
      await writeFile(input.out, await activeMailboxesXlsx(list.unitName, list.rows, new Date()));
      return done({ unit: list.unitName, rows: list.rows.length, out: input.out }, [
        `Đã ghi ${list.rows.length} hộp thư của ${list.unitName} vào ${input.out}.`,
      ]);
    });
  },
});

export const exportCommands = [exportActive];
