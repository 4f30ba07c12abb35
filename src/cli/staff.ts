/**
 * `staff list` and `staff find`: the operator's directory. People with their mã cán bộ, unit,
 * chức vụ, addresses (with status), roles and whether Telegram is linked, as a table that reads
 * on a terminal and on paper; `--json` for scripts.
 */
import { z } from "zod";
import { LEADER_LEVEL_LABELS, MAILBOX_STATUS_SHORT_LABELS, ROLE_LABELS } from "../policy/vocabulary.ts";
import type { StaffListing } from "../services/directory.ts";
import { noPositionals, PROFILE_OPTION, textTable } from "./common.ts";
import { defineCommand, done } from "./types.ts";

const HEADERS = ["Mã CB", "Họ và tên", "Đơn vị", "Chức vụ", "Hộp thư", "Vai trò", "Telegram", "Tình trạng"];

function row(p: StaffListing): string[] {
  return [
    p.externalId ?? `(số ${p.id})`,
    p.fullName,
    p.unitName,
    LEADER_LEVEL_LABELS[p.leaderLevel],
    p.mailboxes.length === 0
      ? "—"
      : p.mailboxes
          .map((m) => `${m.address} (${MAILBOX_STATUS_SHORT_LABELS[m.status]}${m.keeper ? ", giữ hộ" : ""})`)
          .join(", "),
    p.roleScopes.length === 0
      ? "—"
      : p.roleScopes.map((r) => `${ROLE_LABELS[r.role]} (${r.unitName ?? "toàn hệ thống"})`).join(", "),
    p.telegramUserId === null ? "chưa liên kết" : "đã liên kết",
    p.employmentStatus === "left" ? `đã nghỉ${p.leftOn ? ` từ ${p.leftOn}` : ""}` : "đang công tác",
  ];
}

/** What --json gives per person: names, not only ids. */
function jsonOf(p: StaffListing): Record<string, unknown> {
  return {
    staffId: p.id,
    code: p.externalId,
    fullName: p.fullName,
    birthDate: p.birthDate,
    unit: p.unitName,
    unitId: p.unitId,
    profile: p.profileId,
    position: LEADER_LEVEL_LABELS[p.leaderLevel],
    leaderLevel: p.leaderLevel,
    employmentStatus: p.employmentStatus,
    leftOn: p.leftOn,
    telegramLinked: p.telegramUserId !== null,
    mailboxes: p.mailboxes,
    roles: p.roleScopes,
  };
}

const list = defineCommand({
  path: ["staff", "list"],
  usage: "staff list [--unit UNIT] [--profile P] [--json]",
  summary: {
    vi: "Danh sách cán bộ: mã, đơn vị, chức vụ, hộp thư, vai trò",
    en: "List staff: code, unit, position, mailboxes, roles",
  },
  details: {
    vi: "--unit nhận tên đơn vị, ký hiệu hoặc ma_don_vi; liệt kê cả các đơn vị cấp dưới.",
    en: "--unit takes the unit's name, abbreviation or import code; units below it are included.",
  },
  options: {
    unit: {
      type: "string",
      value: "UNIT",
      vi: "Tên, ký hiệu hoặc ma_don_vi của đơn vị",
      en: "Unit name, abbreviation or import code",
    },
    profile: PROFILE_OPTION,
  },
  schema: z.object({
    unit: z.string().trim().min(1).max(200).optional(),
    profile: z.string().optional(),
    positionals: noPositionals,
  }),
  examples: [
    "staff list --unit demo-stttt",
    'staff list --unit "Phòng Một"',
    "staff list --profile phuyen --json",
  ],
  async run(input, ctx) {
    if (input.profile) ctx.profile(input.profile);
    const { people, unitName } = await ctx.withServices(async (services) => {
      const unit = input.unit ? await services.directory.findUnitByRef(input.unit) : null;
      const people = await services.directory.listStaff({
        ...(unit ? { unitId: unit.id } : {}),
        ...(input.profile ? { profileId: input.profile } : {}),
      });
      return { people, unitName: unit?.name ?? null };
    });
    const scope = unitName
      ? `${unitName} và các đơn vị cấp dưới`
      : input.profile
        ? `hồ sơ ${input.profile}`
        : "";
    const title =
      people.length === 0
        ? `Không có cán bộ nào${scope ? ` trong ${scope}` : ""}.`
        : `${people.length} cán bộ${scope ? ` (${scope})` : ""}:`;
    return done(
      { count: people.length, unit: unitName, staff: people.map(jsonOf) },
      people.length === 0 ? [title] : [title, ...textTable(HEADERS, people.map(row))],
    );
  },
});

const find = defineCommand({
  path: ["staff", "find"],
  usage: "staff find <TEXT> [--json]",
  summary: {
    vi: "Tìm cán bộ theo tên (không dấu, gõ sai nhẹ cũng được), mã cán bộ hoặc địa chỉ thư",
    en: "Find staff by name (diacritics and small typos tolerated), staff code or address",
  },
  options: {},
  positionals: [{ name: "TEXT", vi: "Họ tên, mã cán bộ hoặc địa chỉ", en: "Name, staff code or address" }],
  schema: z.object({
    positionals: z
      .array(z.string())
      .min(1, { message: "Cần nội dung cần tìm, ví dụ: staff find nguyen van an." })
      .transform((words) => words.join(" ").trim())
      .refine((s) => s.length > 0 && s.length <= 100, { message: "Nội dung tìm từ 1 đến 100 ký tự." }),
  }),
  examples: ["staff find nguyen van an", "staff find CB0012", "staff find annv@phuyen.gov.vn --json"],
  async run(input, ctx) {
    const text = input.positionals;
    const people = await ctx.withServices((services) => services.directory.searchStaff(text));
    return done(
      { count: people.length, staff: people.map(jsonOf) },
      people.length === 0
        ? [`Không tìm thấy cán bộ nào khớp “${text}”. Thử bớt chữ, hoặc tìm theo mã cán bộ/địa chỉ thư.`]
        : [`${people.length} cán bộ khớp “${text}”:`, ...textTable(HEADERS, people.map(row))],
    );
  },
});

export const staffCommands = [list, find];
