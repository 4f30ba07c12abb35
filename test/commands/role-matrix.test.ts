/**
 * Every command and every request button × every role (and an unlinked account): allowed or
 * refused, as the issue specifies. A refusal must change nothing (row counts compared).
 *
 * Roles in the world (see world.ts): clerk and unit head of Sở TT&TT (whose subtree holds Phòng
 * CNTT), support and admin everywhere, a staff member of Phòng CNTT with no mailbox, an unlinked
 * Telegram account.
 */
import { expect, it } from "vitest";
import { staffActor } from "../../src/services/types.ts";
import { SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { countRows } from "../services/fixtures.ts";
import { makeWorld, type World } from "./world.ts";

type Role = "clerk" | "unit_head" | "support" | "admin" | "staff" | "unlinked";
const ROLES: Role[] = ["clerk", "unit_head", "support", "admin", "staff", "unlinked"];
/** Which world user plays each role ("staff" = Đặng Thị Bình: no role, no mailbox). */
const USER: Record<Role, keyof World["users"]> = {
  clerk: "clerk",
  unit_head: "head",
  support: "support",
  admin: "admin",
  staff: "self",
  unlinked: "unlinked",
};

type Outcome = "allowed" | "refused";
const A: Outcome = "allowed";
const R: Outcome = "refused";

interface Row {
  name: string;
  expect: Record<Role, Outcome>;
  /** Runs the action as `role`; returns the text to judge (reply or toast). */
  run(w: World, role: Role): Promise<string>;
  allowedText: RegExp;
  refusedText: RegExp;
}

const NOT_LINKED = /chưa được liên kết|chưa liên kết/;

async function command(w: World, role: Role, name: string, args = "", inGroup = false): Promise<string> {
  const user = w.users[USER[role]];
  const chat = inGroup ? w.h.group() : w.h.privateChat(user);
  w.h.clearCalls();
  await w.h.command(user, chat, name, args);
  await w.h.command(user, chat, "huy"); // leave any flow the command started
  return w.h.replies(chat.id).slice(0, -1).join("\n");
}

/** A fresh open capmoi request (filed by the clerk), pressed with `action` by `role` in the support chat. */
let pressed = 0;
async function press(w: World, role: Role, action: "take" | "approve" | "reject"): Promise<string> {
  // A different person each time: one person has at most one open request.
  pressed++;
  const request = await w.services.requests.createCapmoi(
    {
      fullName: "Lê Văn Tâm",
      birthDate: `1990-02-${String((pressed % 28) + 1).padStart(2, "0")}`,
      unitId: w.units.pcntt,
      employmentType: "civil_servant",
    },
    staffActor(w.staffIds.clerk),
  );
  const user = w.users[USER[role]];
  w.h.clearCalls();
  await w.h.callback(user, w.h.group(), `rq:1:${action}:${request.id}`);
  const after = await w.services.requests.get(request.id);
  const changed = after?.state !== "open";
  await w.h.command(user, w.h.group(), "huy");
  const toast = w.h.callbackAnswers().join("\n");
  const prompt = w.h.replies(SUPPORT_CHAT_ID).join("\n");
  return `${changed ? "STATE_CHANGED " : ""}${toast}\n${prompt}`;
}

async function endorse(w: World, role: Role, action: "endorse" | "reject"): Promise<string> {
  const request = await w.services.requests.createCapmoi(
    {
      fullName: "Đặng Thị Bình",
      birthDate: "1992-05-06",
      unitId: w.units.pcntt,
      employmentType: "civil_servant",
      subjectStaffId: w.staffIds.self,
    },
    staffActor(w.staffIds.self),
  );
  expect(request.state).toBe("pending_endorsement");
  const user = w.users[USER[role]];
  const chat = w.h.privateChat(user);
  w.h.clearCalls();
  await w.h.callback(user, chat, `rq:1:${action}:${request.id}`);
  const after = await w.services.requests.get(request.id);
  await w.h.command(user, chat, "huy");
  const toast = w.h.callbackAnswers().join("\n");
  const replies = w.h.replies(chat.id).join("\n");
  // Leave no open request behind for the next role (one person, one open request).
  if (after && ["pending_endorsement", "open", "in_progress"].includes(after.state))
    await w.services.requests.cancel(request.id, staffActor(w.staffIds.self));
  return `${after?.state !== "pending_endorsement" ? "STATE_CHANGED " : ""}${toast}\n${replies}`;
}

const ROWS: Row[] = [
  {
    name: "/capmoi (step by step, for someone else)",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "capmoi"),
    allowedText: /Họ và tên người được cấp\?/,
    refusedText: /cho chính anh\/chị|chưa được liên kết/,
  },
  {
    name: "/capmoi (one-line, for someone else)",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "capmoi", "Lê Văn Tâm; 14/02/1990; Phòng CNTT; chuyên viên; biên chế"),
    allowedText: /Địa chỉ đề xuất: levantam@phuyen\.gov\.vn/,
    refusedText: /chỉ có thể đề nghị cấp hộp thư cho chính mình|chưa được liên kết/,
  },
  {
    name: "/khoiphuc (someone else's locked mailbox in Phòng CNTT)",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "khoiphuc", "nguyenvanan@phuyen.gov.vn"),
    allowedText: /đang bị tạm khóa/,
    refusedText: /Không tìm thấy hộp thư|chưa được liên kết/,
  },
  {
    name: "/doimk (private)",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: A, unlinked: R },
    run: (w, role) => command(w, role, "doimk"),
    // Nobody here owns a mailbox: the linked are told so (the command itself is open to them).
    allowedText: /chưa có hộp thư nào để đổi mật khẩu/,
    refusedText: NOT_LINKED,
  },
  {
    name: "/doimk (in a group)",
    expect: { clerk: R, unit_head: R, support: R, admin: R, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "doimk", "", true),
    allowedText: /^$/,
    refusedText: /chỉ làm trong chat riêng/,
  },
  {
    name: "/trangthai (own)",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: A, unlinked: R },
    run: (w, role) => command(w, role, "trangthai"),
    allowedText: /hộp thư/i,
    refusedText: NOT_LINKED,
  },
  {
    name: "/trangthai <someone else's mailbox>",
    expect: { clerk: A, unit_head: A, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "trangthai", "nguyenvanan@phuyen.gov.vn"),
    allowedText: /nguyenvanan@phuyen\.gov\.vn \(cá nhân\): đang bị tạm khóa/,
    refusedText: /không được xem|chưa được liên kết/,
  },
  {
    name: "/hangdoi",
    expect: { clerk: R, unit_head: R, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "hangdoi"),
    allowedText: /Hàng đợi/,
    refusedText: /không có quyền|chưa được liên kết/,
  },
  {
    name: "/baonghi",
    expect: { clerk: R, unit_head: A, support: R, admin: A, staff: R, unlinked: R },
    run: (w, role) => command(w, role, "baonghi", "nguyenvanan@phuyen.gov.vn 30/06/2027 đi học dài hạn"),
    allowedText: /Đã ghi nhận báo nghỉ/,
    refusedText: /Chỉ Thủ trưởng đơn vị|chưa được liên kết/,
  },
  {
    name: "button [Nhận xử lý]",
    expect: { clerk: R, unit_head: R, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => press(w, role, "take"),
    allowedText: /STATE_CHANGED .*đã nhận xử lý/s,
    refusedText: /^(?!STATE_CHANGED)[\s\S]*(không có quyền|chưa liên kết)/,
  },
  {
    name: "button [Duyệt]",
    expect: { clerk: R, unit_head: R, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => press(w, role, "approve"),
    allowedText: /STATE_CHANGED .*Đã duyệt/s,
    refusedText: /^(?!STATE_CHANGED)[\s\S]*(không có quyền|chưa liên kết)/,
  },
  {
    name: "button [Từ chối] (support card)",
    expect: { clerk: R, unit_head: R, support: A, admin: A, staff: R, unlinked: R },
    run: (w, role) => press(w, role, "reject"),
    allowedText: /Lý do từ chối yêu cầu/,
    refusedText: /^(?!STATE_CHANGED)[\s\S]*(không có quyền|chưa liên kết)/,
  },
  {
    name: "button [Đồng ý] (endorsement)",
    expect: { clerk: R, unit_head: A, support: R, admin: A, staff: R, unlinked: R },
    run: (w, role) => endorse(w, role, "endorse"),
    allowedText: /STATE_CHANGED .*Đã xác nhận/s,
    refusedText: /^(?!STATE_CHANGED)[\s\S]*(không có quyền|chưa liên kết)/,
  },
  {
    name: "button [Từ chối] (endorsement)",
    expect: { clerk: R, unit_head: A, support: R, admin: A, staff: R, unlinked: R },
    run: (w, role) => endorse(w, role, "reject"),
    allowedText: /Lý do từ chối yêu cầu/,
    refusedText: /^(?!STATE_CHANGED)[\s\S]*(không có quyền|chưa liên kết)/,
  },
];

describeEachDb(
  "role matrix",
  (getDb) => {
    for (const row of ROWS) {
      it(row.name, async () => {
        const w = await makeWorld(getDb());
        const table: string[] = [];
        for (const role of ROLES) {
          const before = row.expect[role] === R ? await countRows(w.database) : undefined;
          const text = await row.run(w, role);
          const wanted = row.expect[role];
          const pattern = wanted === A ? row.allowedText : row.refusedText;
          if (!pattern.test(text)) table.push(`${role}: expected ${wanted}, got: ${text.slice(0, 300)}`);
          if (before && !row.name.startsWith("button")) {
            const after = await countRows(w.database);
            // Refusals write nothing but technical rows (processed updates, flow sessions).
            for (const table_ of ["requests", "mailboxes", "absence_notices", "audit_log", "staff"]) {
              expect(after[table_], `${row.name} as ${role} changed ${table_}`).toBe(before[table_]);
            }
          }
        }
        expect(table).toEqual([]);
      });
    }
  },
  { resetEach: true },
);
