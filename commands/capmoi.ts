/**
 * /capmoi — ask for a new mailbox.
 *
 * Who: a unit head, clerk or support member for anyone in the units of their scope (any kind:
 * personal, unit, group); any other linked staff member for themselves only (personal), which
 * first goes to their unit head for endorsement ([Đồng ý] [Từ chối], handled in support.ts).
 *
 * How: step by step (name → birth date → unit → leader level → employment), or the one-line
 * form documented in shared/parse.ts. Then the proposed address with the rule that made it,
 * alternatives when the first choice collided, and [Gửi yêu cầu] [Chọn địa chỉ khác] [Hủy].
 * Every decision (eligibility, naming, reservation, endorsement) is the services'.
 */
import { Composer } from "grammy";
import { z } from "zod";
import type { BotContext, BotFeature } from "../src/bot/context.ts";
import { defineFlow, type FlowInput } from "../src/bot/flows.ts";
import { COMMAND_DESCRIPTIONS, formatDeadline, t } from "../src/bot/i18n.ts";
import { dropButtons, keyboard, onCallback, requestButton, resendButton } from "../src/bot/keyboards.ts";
import { may } from "../src/bot/middleware/require-role.ts";
import { vnDateOf } from "../src/calendar/time.ts";
import { formatVnDate } from "../src/calendar/time.ts";
import { rolesFor } from "../src/policy/permissions.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import { EmploymentType, LeaderLevel, MailboxKind } from "../src/policy/types.ts";
import { existingMessage } from "../src/services/requests/index.ts";
import { staffActor, type RequestView, type StaffView, type UnitView } from "../src/services/types.ts";
import { matchUnitTyped } from "./shared/unit-match.ts";
import { postToSupport, sendSafely } from "./shared/notify.ts";
import {
  CAPMOI_FORM_HELP,
  fold,
  KIND_LABELS,
  LEADER_LEVEL_LABELS,
  parseAddress,
  parseBirthDate,
  parseCapmoiForm,
  parseContractMonths,
  parseEmployment,
  parseFullName,
  parseLeaderLevel,
  tooLong,
} from "./shared/parse.ts";

/** Units offered as buttons; beyond this the person types the name. */
const MAX_UNIT_BUTTONS = 12;

const Data = z.object({
  self: z.boolean(),
  kind: MailboxKind,
  fullName: z.string().optional(),
  birthDate: z.string().nullable().optional(),
  unitId: z.number().int().positive().optional(),
  unitName: z.string().optional(),
  leaderLevel: LeaderLevel.optional(),
  employmentType: EmploymentType.optional(),
  contractMonths: z.number().int().positive().nullable().optional(),
  subjectStaffId: z.number().int().positive().optional(),
  address: z.string().optional(),
  rule: z.string().optional(),
  alternatives: z.array(z.string()).max(10).optional(),
  /** The unit as typed in the one-line form, resolved after the name check. */
  unitText: z.string().max(500).optional(),
  /** The clerk confirmed a name written without diacritics. */
  nameConfirmed: z.boolean().optional(),
  /** An address outside the rules, chosen by the support desk (marked on the request). */
  override: z.boolean().optional(),
  /** Directory people offered for the typed name. */
  known: z.array(z.number().int().positive()).max(6).optional(),
});
type Data = z.infer<typeof Data>;
type Step =
  | "name"
  | "known"
  | "nameok"
  | "birth"
  | "unit"
  | "keeper"
  | "level"
  | "employment"
  | "months"
  | "confirm"
  | "pick";

const m = {
  start: () => "Cấp mới hộp thư công vụ. Họ và tên người được cấp? (gõ /huy để dừng)",
  startKinds: () => "Nếu cần hộp thư của đơn vị hoặc của một nhóm, bấm nút bên dưới.",
  groupName: () => "Tên nhóm (hộp thư dùng chung của nhóm)? Ví dụ: Tổ Công Tác Chuyển Đổi Số.",
  birth: () => "Ngày sinh (dd/mm/yyyy)?",
  unit: () => "Đơn vị công tác?",
  unitTyped: () => "Đơn vị công tác? Gõ tên hoặc ký hiệu đơn vị.",
  unitForUnitMailbox: () => "Hộp thư của đơn vị nào?",
  level: () => "Chức vụ?",
  employment: () => "Hình thức làm việc?",
  months: () => "Hợp đồng bao nhiêu tháng? Gõ số tháng, ví dụ: 18.",
  noUnits: () =>
    "Anh/chị không có đơn vị nào trong phạm vi được đề nghị cấp hộp thư. Hãy liên hệ bộ phận hỗ trợ nếu cần được cấp quyền.",
  onlySelf: () =>
    "Chưa thể gửi yêu cầu: anh/chị chỉ có thể đề nghị cấp hộp thư cho chính mình.\n" +
    "Yêu cầu cho người khác do Thủ trưởng đơn vị hoặc người được ủy quyền (văn thư) gửi.",
  selfIntro: (s: StaffView) =>
    `Đề nghị cấp hộp thư cá nhân cho chính anh/chị: ${s.fullName} (${s.unitName}). ` +
    "Yêu cầu sẽ được gửi tới Thủ trưởng đơn vị xác nhận trước khi chuyển bộ phận hỗ trợ.",
  refused: (why: string) => `Chưa thể gửi yêu cầu: ${why}`,
  pickPrompt: () => "Chọn một địa chỉ khác theo quy tắc đặt tên của quy chế:",
  pickPromptSupport: () =>
    "Chọn một địa chỉ khác theo quy tắc đặt tên. Bộ phận hỗ trợ có thể gõ một địa chỉ ngoài quy tắc (sẽ được ghi là ngoại lệ).",
  noAlternatives: () => "Quy chế không đưa ra địa chỉ thay thế cho người này. Bấm Quay lại.",
  pickTypedRefused: () =>
    "Chỉ chọn được các địa chỉ theo quy tắc đặt tên ở trên; địa chỉ ngoài quy tắc do bộ phận hỗ trợ cấp (ngoại lệ). Bấm một nút, hoặc Quay lại.",
  guessUnit: (names: string[]) =>
    names.length === 1
      ? `Có phải «${names[0]}»?`
      : `Có phải một trong các đơn vị sau? Bấm để chọn, hoặc gõ lại tên đơn vị.`,
  noDiacritics: (name: string) =>
    `Họ và tên «${name}» được viết không dấu. Tên chính thức trong hồ sơ phải đúng như giấy tờ, có dấu tiếng Việt ` +
    "(ví dụ: Nguyễn Văn An). Gõ lại họ và tên có dấu, hoặc bấm «Giữ nguyên» nếu tên thật sự không có dấu.",
  knownPeople: () =>
    "Trong danh bạ đã có người trùng tên. Nếu là một trong những người này, bấm để dùng hồ sơ sẵn có; nếu không, bấm «Người khác».",
  keeper: (unit: string) =>
    `Ai giữ hộp thư của ${unit}? (văn thư hoặc người được giao quản lý hộp thư đơn vị)`,
  existing: (text: string) => `Chưa gửi yêu cầu mới: ${text}`,
  cancelled: () => "Đã hủy. Chưa có yêu cầu nào được gửi.",
  sent: (r: RequestView, operator: string) =>
    `Đã gửi yêu cầu #${r.id} tới ${operator}.${r.dueAt ? ` Hạn xử lý: ${formatDeadline(r.dueAt)}.` : ""}\n` +
    `Dùng /trangthai ${r.id} để theo dõi.`,
  sentForEndorsement: (r: RequestView, heads: number) =>
    `Đã ghi nhận yêu cầu #${r.id} (${r.address}). Yêu cầu đang chờ Thủ trưởng đơn vị xác nhận` +
    (heads > 0
      ? "; sau khi được xác nhận, bộ phận hỗ trợ sẽ xử lý."
      : ". Hiện chưa có Thủ trưởng đơn vị nào dùng bot: hãy báo Thủ trưởng đơn vị hoặc văn thư.") +
    `\nDùng /trangthai ${r.id} để theo dõi.`,
  addressChanged: (wanted: string, got: string) =>
    `Lưu ý: địa chỉ ${wanted} vừa có người khác giữ, nên yêu cầu dùng địa chỉ ${got}.`,
  endorseAsk: (r: RequestView) =>
    `📝 Yêu cầu #${r.id}: ${r.requesterName} (${r.unitName}) đề nghị cấp hộp thư cá nhân ${r.address} cho chính mình.\n` +
    "Anh/chị xác nhận đề nghị này? Sau khi xác nhận, yêu cầu được chuyển bộ phận hỗ trợ.",
};

function operatorOf(profileId: string): string {
  return findProfile(profileId)?.operator.name ?? "bộ phận hỗ trợ";
}

function employmentLabel(d: Data): string {
  if (d.employmentType === "civil_servant") return "Biên chế";
  if (d.employmentType === "contract") return `Hợp đồng ${d.contractMonths ?? "?"} tháng`;
  return "";
}

function summary(d: Data): string {
  const lines = [`Loại hộp thư: ${KIND_LABELS[d.kind].toLocaleLowerCase("vi")}`];
  if (d.kind === "personal") {
    lines.push(`Họ và tên: ${d.fullName ?? ""}`);
    if (d.birthDate) lines.push(`Ngày sinh: ${formatVnDate(d.birthDate)}`);
  } else if (d.kind === "group") {
    lines.push(`Tên nhóm: ${d.fullName ?? ""}`);
  }
  lines.push(`Đơn vị: ${d.unitName ?? ""}`);
  if (d.kind === "personal") {
    if (d.leaderLevel) lines.push(`Chức vụ: ${LEADER_LEVEL_LABELS[d.leaderLevel]}`);
    lines.push(`Hình thức: ${employmentLabel(d)}`);
  }
  return lines.join("\n");
}

async function scopeUnits(ctx: BotContext): Promise<UnitView[]> {
  if (!ctx.staff) return [];
  return ctx.services.access.unitsInScope(ctx.staff, rolesFor("request.create_for_others"));
}

function today(ctx: BotContext): string {
  return vnDateOf(ctx.now());
}

function textOf(input: FlowInput): string | null {
  return input.kind === "text" ? input.text : null;
}

/** A name with no Vietnamese mark at all ("Nguyen Van An"): likely typed without a Vietnamese keyboard. */
export function lacksDiacritics(name: string): boolean {
  return !/[\u0300-\u036f]/.test(name.normalize("NFD")) && !/[đĐ]/.test(name);
}

const BACK = "back";
function isBack(input: FlowInput): boolean {
  if (input.kind === "button") return input.value === BACK;
  return /^(quay lai|tro lai|back)$/.test(fold(input.text));
}
function backRow(ctx: BotContext) {
  return [ctx.flow.button("« Quay lại", BACK)];
}

// ---------------------------------------------------------------------------------------------
// Asking each question (after moving the flow to its step, so the buttons carry the new seq)

async function askName(ctx: BotContext, data: Data, isStart: boolean): Promise<void> {
  if (isStart) await flow.start(ctx, "name", data);
  else await flow.goto(ctx, "name", data);
  if (data.kind === "group") {
    await ctx.reply(m.groupName());
    return;
  }
  await ctx.reply(`${m.start()}\n${m.startKinds()}`, {
    reply_markup: keyboard([
      [ctx.flow.button("Hộp thư đơn vị", "k_unit"), ctx.flow.button("Hộp thư nhóm", "k_group")],
    ]),
  });
}

async function askBirth(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "birth", data);
  await ctx.reply(m.birth(), { reply_markup: keyboard([backRow(ctx)]) });
}

async function askUnit(ctx: BotContext, data: Data): Promise<void> {
  const units = await scopeUnits(ctx);
  if (units.length === 0) {
    await ctx.flow.end();
    await ctx.reply(m.noUnits());
    return;
  }
  await flow.goto(ctx, "unit", data);
  const question = data.kind === "unit" ? m.unitForUnitMailbox() : m.unit();
  if (units.length > MAX_UNIT_BUTTONS) {
    await ctx.reply(`${question} Gõ tên hoặc ký hiệu đơn vị.`, { reply_markup: keyboard([backRow(ctx)]) });
    return;
  }
  const rows = units.map((u) => [ctx.flow.button(u.name, `u${u.id}`)]);
  rows.push(backRow(ctx));
  await ctx.reply(question, { reply_markup: keyboard(rows) });
}

/** After the unit: a resolved one-line form goes straight to the proposal. */
async function afterUnit(ctx: BotContext, data: Data): Promise<void> {
  if (data.kind !== "personal") return askKeeper(ctx, data);
  if (data.leaderLevel && data.employmentType) return propose(ctx, data);
  return askLevel(ctx, data);
}

/** A unit or group mailbox is kept by someone: the requester, or a person of that unit. */
async function askKeeper(ctx: BotContext, data: Data): Promise<void> {
  const me = ctx.staff as StaffView;
  await flow.goto(ctx, "keeper", data);
  const people = data.unitId
    ? (await ctx.services.directory.findStaff({ unitId: data.unitId, limit: 6 })).filter(
        (p) => p.id !== me.id,
      )
    : [];
  const rows = [[ctx.flow.button(`Tôi (${me.fullName})`, `p${me.id}`)]];
  for (const p of people) rows.push([ctx.flow.button(p.fullName, `p${p.id}`)]);
  rows.push(backRow(ctx));
  await ctx.reply(m.keeper(data.unitName ?? ""), { reply_markup: keyboard(rows) });
}

/** Resolves typed unit text: sure → next step; a guess → "Có phải …?" buttons on the unit step. */
async function resolveUnit(ctx: BotContext, data: Data, typed: string): Promise<unknown> {
  const units = await scopeUnits(ctx);
  const found = matchUnitTyped(typed, units);
  if (found.kind === "none") return ctx.reply(found.message);
  if (found.kind === "sure") {
    return afterUnit(ctx, { ...data, unitId: found.unit.id, unitName: found.unit.name, unitText: undefined });
  }
  await flow.goto(ctx, "unit", { ...data, unitText: undefined });
  const rows = found.candidates.map((u) => [ctx.flow.button(u.name, `u${u.id}`)]);
  rows.push(backRow(ctx));
  return ctx.reply(m.guessUnit(found.candidates.map((u) => u.name)), { reply_markup: keyboard(rows) });
}

async function askLevel(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "level", data);
  await ctx.reply(m.level(), {
    reply_markup: keyboard([
      (Object.keys(LEADER_LEVEL_LABELS) as (keyof typeof LEADER_LEVEL_LABELS)[]).map((level) =>
        ctx.flow.button(LEADER_LEVEL_LABELS[level], level),
      ),
      backRow(ctx),
    ]),
  });
}

async function askEmployment(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "employment", data);
  // Issue 10 (rules): one "Hợp đồng" button, then the length is asked — never an exact
  // "12 months" nobody stated; the policy (checkEligibility) judges the stated length.
  const contract = [ctx.flow.button("Hợp đồng", "cmo")];
  await ctx.reply(m.employment(), {
    reply_markup: keyboard([[ctx.flow.button("Biên chế", "cs")], contract, backRow(ctx)]),
  });
}

/** Asks the services for the address, refuses when not eligible, else shows the confirmation. */
async function propose(ctx: BotContext, data: Data): Promise<void> {
  const preview = await ctx.services.requests.previewCapmoi(capmoiInput(ctx, data));
  const proposal = preview.proposal;
  if (preview.existing) {
    await ctx.flow.end();
    await ctx.reply(m.existing(existingMessage(data.fullName ?? "", preview.existing)));
    return;
  }
  if (!preview.eligibility.ok) {
    await ctx.flow.end();
    await ctx.reply(m.refused(preview.eligibility.message));
    return;
  }
  const next: Data = {
    ...data,
    address: proposal.address,
    rule: proposal.rule,
    alternatives: proposal.alternatives.filter((a) => a !== proposal.address).slice(0, 8),
  };
  await showConfirm(ctx, next, false);
}

async function showConfirm(ctx: BotContext, data: Data, chosenByHand: boolean): Promise<void> {
  await flow.goto(ctx, "confirm", data);
  const why = data.override
    ? "(⚠️ NGOẠI LỆ: địa chỉ ngoài quy tắc đặt tên, do bộ phận hỗ trợ chọn)"
    : chosenByHand
      ? "(địa chỉ khác theo quy tắc đặt tên)"
      : `(${data.rule ?? ""})`;
  const buttons = [
    ctx.flow.button("Gửi yêu cầu", "send"),
    ctx.flow.button("Chọn địa chỉ khác", "other"),
    ctx.flow.button("Hủy", "cancel"),
  ];
  await ctx.reply(`${summary(data)}\n\nĐịa chỉ đề xuất: ${data.address}\n${why}`, {
    reply_markup: keyboard([buttons]),
  });
}

function capmoiInput(ctx: BotContext, d: Data) {
  const me = ctx.staff as StaffView;
  return {
    fullName: d.kind === "unit" ? me.fullName : (d.fullName ?? ""),
    birthDate: d.kind === "personal" ? (d.birthDate ?? null) : null,
    unitId: d.unitId ?? me.unitId,
    leaderLevel: d.leaderLevel ?? "staff",
    employmentType: d.employmentType ?? "civil_servant",
    contractMonths: d.employmentType === "contract" ? (d.contractMonths ?? null) : null,
    kind: d.kind,
    ...(d.subjectStaffId !== undefined ? { subjectStaffId: d.subjectStaffId } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Steps

export const flow = defineFlow<Data, Step>({
  id: "capmoi",
  schema: Data,
  steps: {
    async name(ctx, data, input) {
      if (input.kind === "button") {
        if (input.value === "k_unit") return askUnit(ctx, { ...data, kind: "unit" });
        if (input.value === "k_group") return askName(ctx, { ...data, kind: "group" }, false);
        return;
      }
      const parsed = parseFullName(input.text);
      if (!parsed.ok) return ctx.reply(`${parsed.error} Gõ lại họ và tên (hoặc /huy để dừng).`);
      return afterName(ctx, { ...data, fullName: parsed.value, nameConfirmed: false });
    },

    async nameok(ctx, data, input) {
      if (input.kind === "text") {
        const parsed = parseFullName(input.text);
        if (!parsed.ok) return ctx.reply(`${parsed.error} Gõ lại họ và tên (hoặc /huy để dừng).`);
        return afterName(ctx, { ...data, fullName: parsed.value, nameConfirmed: false });
      }
      await dropButtons(ctx);
      if (input.value === "keep") return afterName(ctx, { ...data, nameConfirmed: true });
      return askName(ctx, { self: false, kind: data.kind }, false);
    },

    async known(ctx, data, input) {
      if (input.kind !== "button") return ctx.reply(m.knownPeople());
      await dropButtons(ctx);
      if (input.value === "other") return nextAfterName(ctx, { ...data, known: undefined });
      const id = Number(input.value.replace(/^p/, ""));
      if (!(data.known ?? []).includes(id)) return;
      const [person] = await ctx.services.directory.findStaff({ id });
      if (!person) return nextAfterName(ctx, data);
      return propose(ctx, {
        ...data,
        known: undefined,
        fullName: person.fullName,
        birthDate: person.birthDate,
        unitId: person.unitId,
        unitName: person.unitName,
        leaderLevel: person.leaderLevel,
        employmentType: person.employmentType,
        contractMonths: person.contractMonths,
        subjectStaffId: person.id,
      });
    },

    async birth(ctx, data, input) {
      if (isBack(input)) return askName(ctx, { self: false, kind: data.kind }, false);
      const text = textOf(input);
      if (text === null) return;
      const parsed = parseBirthDate(text, today(ctx));
      if (!parsed.ok) return ctx.reply(parsed.error);
      await askUnit(ctx, { ...data, birthDate: parsed.value });
    },

    async unit(ctx, data, input) {
      if (isBack(input)) {
        if (data.kind === "personal") return askBirth(ctx, data);
        return askName(ctx, { self: false, kind: data.kind === "group" ? "group" : "personal" }, false);
      }
      if (input.kind === "text") {
        const long = tooLong(input.text);
        if (long) return ctx.reply(long);
        return resolveUnit(ctx, data, input.text);
      }
      const units = await scopeUnits(ctx);
      const chosen = units.find((u) => `u${u.id}` === input.value);
      if (!chosen) return;
      await dropButtons(ctx);
      await afterUnit(ctx, { ...data, unitId: chosen.id, unitName: chosen.name });
    },

    async keeper(ctx, data, input) {
      if (isBack(input)) return askUnit(ctx, data);
      if (input.kind !== "button") return ctx.reply("Hãy bấm tên người giữ hộp thư (hoặc « Quay lại).");
      const id = Number(input.value.replace(/^p/, ""));
      const [person] = Number.isInteger(id) && id > 0 ? await ctx.services.directory.findStaff({ id }) : [];
      const me = ctx.staff as StaffView;
      if (!person || (person.id !== me.id && person.unitId !== data.unitId)) return;
      await dropButtons(ctx);
      await propose(ctx, { ...data, subjectStaffId: person.id });
    },

    async level(ctx, data, input) {
      if (isBack(input)) return askUnit(ctx, data);
      const parsed = input.kind === "button" ? LeaderLevel.safeParse(input.value) : null;
      const level = parsed?.success
        ? { ok: true as const, value: parsed.data }
        : parseLeaderLevel(textOf(input) ?? "");
      if (!level.ok) return ctx.reply(level.error);
      if (input.kind === "button") await dropButtons(ctx);
      await askEmployment(ctx, { ...data, leaderLevel: level.value });
    },

    async employment(ctx, data, input) {
      if (isBack(input)) return askLevel(ctx, data);
      if (input.kind === "button") {
        await dropButtons(ctx);
        if (input.value === "cs")
          return propose(ctx, { ...data, employmentType: "civil_servant", contractMonths: null });
        await flow.goto(ctx, "months", { ...data, employmentType: "contract" });
        return ctx.reply(m.months(), { reply_markup: keyboard([backRow(ctx)]) });
      }
      const parsed = parseEmployment(input.text);
      if (!parsed.ok) return ctx.reply(parsed.error);
      await propose(ctx, { ...data, ...parsed.value });
    },

    async months(ctx, data, input) {
      if (isBack(input)) return askEmployment(ctx, data);
      const parsed = parseContractMonths(textOf(input) ?? "");
      if (!parsed.ok) return ctx.reply(parsed.error);
      await propose(ctx, { ...data, employmentType: "contract", contractMonths: parsed.value });
    },

    async confirm(ctx, data, input) {
      if (input.kind !== "button") {
        if (isBack(input)) return stepBeforeConfirm(ctx, data);
        return ctx.reply("Hãy bấm một nút: Gửi yêu cầu, Chọn địa chỉ khác hoặc Hủy (hoặc gõ /huy).");
      }
      await dropButtons(ctx);
      if (input.value === BACK) return stepBeforeConfirm(ctx, data);
      if (input.value === "cancel") {
        await ctx.flow.end();
        return ctx.reply(m.cancelled());
      }
      if (input.value === "other") {
        const alternatives = data.alternatives ?? [];
        await flow.goto(ctx, "pick", data);
        const rows = alternatives.map((address, i) => [ctx.flow.button(address, `a${i}`)]);
        rows.push(backRow(ctx));
        const support = await mayOverride(ctx, data);
        const prompt =
          alternatives.length === 0 ? m.noAlternatives() : support ? m.pickPromptSupport() : m.pickPrompt();
        return ctx.reply(prompt, { reply_markup: keyboard(rows) });
      }
      if (input.value === "send") return submit(ctx, data);
    },

    async pick(ctx, data, input) {
      if (input.kind === "text") {
        // Only the support desk may type an address outside the rules, and it is marked as such.
        if (!(await mayOverride(ctx, data))) return ctx.reply(m.pickTypedRefused());
        const typed = parseAddress(input.text);
        if (!typed.ok) return ctx.reply(typed.error);
        const domain = data.address?.split("@")[1];
        if (domain && !typed.value.endsWith(`@${domain}`)) {
          return ctx.reply(`Địa chỉ phải thuộc tên miền ${domain}. Gõ lại, hoặc bấm Quay lại.`);
        }
        const ruled = [data.address, ...(data.alternatives ?? [])].filter((a): a is string => !!a);
        const others = ruled.filter((a) => a !== typed.value);
        return showConfirm(
          ctx,
          {
            ...data,
            address: typed.value,
            override: !ruled.includes(typed.value),
            alternatives: others.slice(0, 8),
          },
          true,
        );
      }
      await dropButtons(ctx);
      if (input.value === BACK) return showConfirm(ctx, data, false);
      const index = Number(input.value.replace(/^a/, ""));
      const chosen = (data.alternatives ?? [])[index];
      if (chosen === undefined) return showConfirm(ctx, data, false);
      const others = (data.alternatives ?? []).filter((a) => a !== chosen);
      if (data.address) others.unshift(data.address);
      await showConfirm(
        ctx,
        { ...data, address: chosen, override: false, alternatives: others.slice(0, 8) },
        true,
      );
    },
  },
});

/** The support desk (over the unit) may give an address outside the naming rules. */
async function mayOverride(ctx: BotContext, data: Data): Promise<boolean> {
  return data.unitId !== undefined && (await may(ctx, "request.handle", { unitId: data.unitId }));
}

async function stepBeforeConfirm(ctx: BotContext, data: Data): Promise<void> {
  if (data.self) return;
  if (data.kind !== "personal") return askKeeper(ctx, data);
  if (data.employmentType === "contract") return askEmployment(ctx, data);
  return askEmployment(ctx, data);
}

/**
 * After a name: warn once about a name without diacritics, then offer people of the directory
 * with that name (one person, one record), then the next question.
 */
async function afterName(ctx: BotContext, data: Data): Promise<unknown> {
  const name = data.fullName ?? "";
  if (data.kind === "personal" && !data.nameConfirmed && lacksDiacritics(name)) {
    await flow.goto(ctx, "nameok", data);
    return ctx.reply(m.noDiacritics(name), {
      reply_markup: keyboard([[ctx.flow.button("Giữ nguyên", "keep"), ctx.flow.button("Gõ lại", "retype")]]),
    });
  }
  if (data.kind === "personal" && data.unitText === undefined) {
    const scope = new Set((await scopeUnits(ctx)).map((u) => u.id));
    const people = (await ctx.services.directory.findStaff({ name, limit: 20 }))
      .filter((p) => scope.has(p.unitId) && fold(p.fullName) === fold(name))
      .slice(0, 5);
    if (people.length > 0) {
      await flow.goto(ctx, "known", { ...data, known: people.map((p) => p.id) });
      const rows = people.map((p) => [
        ctx.flow.button(
          `${p.fullName} — ${p.unitName}${p.birthDate ? `, ${formatVnDate(p.birthDate)}` : ""}`.slice(0, 60),
          `p${p.id}`,
        ),
      ]);
      rows.push([ctx.flow.button("Người khác", "other")]);
      return ctx.reply(m.knownPeople(), { reply_markup: keyboard(rows) });
    }
  }
  return nextAfterName(ctx, data);
}

async function nextAfterName(ctx: BotContext, data: Data): Promise<unknown> {
  if (data.unitText !== undefined) return resolveUnit(ctx, data, data.unitText);
  if (data.kind === "group") return askUnit(ctx, data);
  return askBirth(ctx, data);
}

async function submit(ctx: BotContext, data: Data): Promise<void> {
  const state = await ctx.flow.current();
  const key = `capmoi:${ctx.chat?.id}:${ctx.from?.id}:${state?.nonce ?? ctx.update.update_id}`;
  const me = ctx.staff as StaffView;
  const request = await ctx.services.requests.createCapmoi(
    {
      ...capmoiInput(ctx, data),
      address: data.address,
      ...(data.override ? { addressOverride: true } : {}),
      idempotencyKey: key,
    },
    staffActor(me.id),
  );
  await ctx.flow.end();
  const notes: string[] = [];
  if (data.address && request.address && request.address !== data.address) {
    notes.push(m.addressChanged(data.address, request.address));
  }
  if (request.state === "pending_endorsement") {
    const reached = await askEndorsement(ctx, request);
    await ctx.reply([m.sentForEndorsement(request, reached), ...notes].join("\n"));
    return;
  }
  await postToSupport(ctx, request, me);
  await ctx.reply([m.sent(request, operatorOf(request.profileId)), ...notes].join("\n"));
}

/** Sends the endorsement question to the nearest unit heads who use the bot; how many were reached. */
async function askEndorsement(ctx: BotContext, request: RequestView): Promise<number> {
  const heads = await ctx.services.access.holders("unit_head", request.unitId);
  const nearest = heads.filter((h) => h.telegramUserId !== null && h.id !== request.requesterStaffId);
  let reached = 0;
  for (const head of nearest.slice(0, 5)) {
    const sent = await sendSafely(ctx, head.telegramUserId as number, m.endorseAsk(request), {
      reply_markup: keyboard([
        [
          requestButton.button("Đồng ý", "endorse", request.id),
          requestButton.button("Từ chối", "reject", request.id),
        ],
      ]),
    });
    if (sent) reached++;
  }
  return reached;
}

// ---------------------------------------------------------------------------------------------
// The command

export const composer = new Composer<BotContext>();

composer.command("capmoi", async (ctx) => {
  const me = ctx.staff;
  if (!me) return ctx.reply(t.notLinked());
  const args = ctx.match.trim();
  const long = tooLong(args);
  if (long) return ctx.reply(long);
  const units = await scopeUnits(ctx);

  if (units.length === 0) {
    // An ordinary staff member: only for themselves, with the data of their own record.
    const typedName = args.split(";")[0]?.trim() ?? "";
    if (typedName && fold(typedName) !== fold(me.fullName)) return ctx.reply(m.onlySelf());
    const data: Data = {
      self: true,
      kind: "personal",
      fullName: me.fullName,
      birthDate: me.birthDate,
      unitId: me.unitId,
      unitName: me.unitName,
      leaderLevel: me.leaderLevel,
      employmentType: me.employmentType,
      contractMonths: me.contractMonths,
      subjectStaffId: me.id,
    };
    await flow.start(ctx, "confirm", data);
    await ctx.reply(m.selfIntro(me));
    return propose(ctx, data);
  }

  if (!args) return askName(ctx, { self: false, kind: "personal" }, true);

  const form = parseCapmoiForm(args, today(ctx));
  if (!form.ok) return ctx.reply(form.error);
  const data: Data = {
    self: false,
    kind: form.value.kind,
    fullName: form.value.fullName,
    birthDate: form.value.birthDate,
    unitText: form.value.unitText,
    leaderLevel: form.value.leaderLevel,
    employmentType: form.value.employment.employmentType,
    contractMonths: form.value.employment.contractMonths,
  };
  await flow.start(ctx, "name", data);
  await afterName(ctx, data);
});

// "Gửi lại" under a rejection: the same form, filled in with the rejected request's data.
onCallback(composer, resendButton, async (ctx, [id]) => {
  const me = ctx.staff;
  const request = await ctx.services.requests.get(id);
  if (!me || !request || request.kind !== "capmoi" || request.requesterStaffId !== me.id) {
    return ctx.answerCallbackQuery({ text: "Không gửi lại được yêu cầu này.", show_alert: true });
  }
  if (request.state !== "rejected") {
    return ctx.answerCallbackQuery({
      text: `Yêu cầu #${id} không ở trạng thái bị từ chối.`,
      show_alert: true,
    });
  }
  await ctx.answerCallbackQuery();
  const p = ResendPayload.safeParse(request.payload);
  if (!p.success) return ctx.reply("Không đọc được dữ liệu của yêu cầu cũ. Hãy gõ /capmoi để làm lại.");
  const data: Data = {
    self: request.subjectStaffId === me.id && p.data.mailboxKind === "personal",
    kind: p.data.mailboxKind,
    fullName: p.data.fullName,
    birthDate: p.data.birthDate,
    unitId: request.unitId,
    unitName: request.unitName,
    leaderLevel: p.data.leaderLevel,
    employmentType: p.data.employmentType,
    contractMonths: p.data.contractMonths,
    ...(request.subjectStaffId ? { subjectStaffId: request.subjectStaffId } : {}),
  };
  await flow.start(ctx, "confirm", data);
  await ctx.reply(
    `Gửi lại yêu cầu #${id} (lý do từ chối: ${request.reason ?? ""}). Kiểm tra và sửa nếu cần:`,
  );
  await propose(ctx, data);
});

const ResendPayload = z.object({
  fullName: z.string(),
  birthDate: z.string().nullable(),
  leaderLevel: LeaderLevel,
  employmentType: EmploymentType,
  contractMonths: z.number().int().nullable(),
  mailboxKind: MailboxKind,
});

export const feature: BotFeature = {
  name: "capmoi",
  composer,
  flows: [flow as never],
  commands: [
    { command: "capmoi", description: COMMAND_DESCRIPTIONS.capmoi, audience: "linked", place: "any" },
  ],
};

export { CAPMOI_FORM_HELP };
