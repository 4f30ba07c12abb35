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
import { dropButtons, keyboard, requestButton } from "../src/bot/keyboards.ts";
import { vnDateOf } from "../src/calendar/time.ts";
import { formatVnDate } from "../src/calendar/time.ts";
import { rolesFor } from "../src/policy/permissions.ts";
import { findProfile } from "../src/policy/profiles/index.ts";
import { EmploymentType, LeaderLevel, MailboxKind } from "../src/policy/types.ts";
import { staffActor, type RequestView, type StaffView, type UnitView } from "../src/services/types.ts";
import { postToSupport, sendSafely } from "./shared/notify.ts";
import {
  CAPMOI_FORM_HELP,
  fold,
  KIND_LABELS,
  LEADER_LEVEL_LABELS,
  matchUnit,
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
});
type Data = z.infer<typeof Data>;
type Step = "name" | "birth" | "unit" | "level" | "employment" | "months" | "confirm" | "pick";

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
  pickPrompt: () => "Chọn một địa chỉ khác, hoặc gõ địa chỉ anh/chị muốn:",
  noAlternatives: () =>
    "Quy chế không đưa ra địa chỉ thay thế cho người này. Gõ địa chỉ anh/chị muốn (cùng tên miền), hoặc bấm Quay lại.",
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
    await ctx.reply(`${question} Gõ tên hoặc ký hiệu đơn vị.`);
    return;
  }
  const rows = units.map((u) => [ctx.flow.button(u.name, `u${u.id}`)]);
  await ctx.reply(question, { reply_markup: keyboard(rows) });
}

async function askLevel(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "level", data);
  await ctx.reply(m.level(), {
    reply_markup: keyboard([
      (Object.keys(LEADER_LEVEL_LABELS) as (keyof typeof LEADER_LEVEL_LABELS)[]).map((level) =>
        ctx.flow.button(LEADER_LEVEL_LABELS[level], level),
      ),
    ]),
  });
}

/**
 * The profile's minimum contract for a personal mailbox (mic Điều 6.3: 12 months), for the unit
 * chosen in the flow; the buttons offer exactly that threshold, never a hard-coded one.
 */
async function minContractMonths(ctx: BotContext, data: Data): Promise<number> {
  const unitId = data.unitId ?? ctx.staff?.unitId;
  const unit = unitId ? await ctx.services.directory.getUnit(unitId) : null;
  const profile = unit ? findProfile(unit.profileId) : undefined;
  return profile?.eligibility.minContractMonths ?? 0;
}

async function askEmployment(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "employment", data);
  const min = await minContractMonths(ctx, data);
  const contract =
    min > 0
      ? [
          ctx.flow.button(`Hợp đồng ≥ ${min} tháng`, "cmin"),
          ctx.flow.button(`Hợp đồng < ${min} tháng`, "cmo"),
        ]
      : [ctx.flow.button("Hợp đồng", "cmo")];
  await ctx.reply(m.employment(), {
    reply_markup: keyboard([[ctx.flow.button("Biên chế", "cs")], contract]),
  });
}

/** Asks the services for the address, refuses when not eligible, else shows the confirmation. */
async function propose(ctx: BotContext, data: Data): Promise<void> {
  const preview = await ctx.services.requests.previewCapmoi(capmoiInput(ctx, data));
  const proposal = preview.proposal;
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
  const why = chosenByHand ? "(địa chỉ do anh/chị chọn)" : `(${data.rule ?? ""})`;
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
      const next = { ...data, fullName: parsed.value };
      if (data.kind === "group") return askUnit(ctx, next);
      await flow.goto(ctx, "birth", next);
      await ctx.reply(m.birth());
    },

    async birth(ctx, data, input) {
      const text = textOf(input);
      if (text === null) return;
      const parsed = parseBirthDate(text, today(ctx));
      if (!parsed.ok) return ctx.reply(parsed.error);
      await askUnit(ctx, { ...data, birthDate: parsed.value });
    },

    async unit(ctx, data, input) {
      const units = await scopeUnits(ctx);
      const typed = input.kind === "text" ? input.text : `#${input.value.replace(/^u/, "")}`;
      const long = tooLong(typed);
      if (long) return ctx.reply(long);
      const found = matchUnit(typed, units);
      if (!found.ok) return ctx.reply(found.error);
      if (input.kind === "button") await dropButtons(ctx);
      const next = { ...data, unitId: found.value.id, unitName: found.value.name };
      if (data.kind === "personal") return askLevel(ctx, next);
      return propose(ctx, next);
    },

    async level(ctx, data, input) {
      const parsed = input.kind === "button" ? LeaderLevel.safeParse(input.value) : null;
      const level = parsed?.success
        ? { ok: true as const, value: parsed.data }
        : parseLeaderLevel(textOf(input) ?? "");
      if (!level.ok) return ctx.reply(level.error);
      if (input.kind === "button") await dropButtons(ctx);
      await askEmployment(ctx, { ...data, leaderLevel: level.value });
    },

    async employment(ctx, data, input) {
      if (input.kind === "button") {
        await dropButtons(ctx);
        if (input.value === "cs")
          return propose(ctx, { ...data, employmentType: "civil_servant", contractMonths: null });
        const min = input.value === "cmin" ? await minContractMonths(ctx, data) : 0;
        if (min > 0) return propose(ctx, { ...data, employmentType: "contract", contractMonths: min });
        await flow.goto(ctx, "months", { ...data, employmentType: "contract" });
        return ctx.reply(m.months());
      }
      const parsed = parseEmployment(input.text);
      if (!parsed.ok) return ctx.reply(parsed.error);
      await propose(ctx, { ...data, ...parsed.value });
    },

    async months(ctx, data, input) {
      const parsed = parseContractMonths(textOf(input) ?? "");
      if (!parsed.ok) return ctx.reply(parsed.error);
      await propose(ctx, { ...data, employmentType: "contract", contractMonths: parsed.value });
    },

    async confirm(ctx, data, input) {
      if (input.kind !== "button") {
        return ctx.reply("Hãy bấm một nút: Gửi yêu cầu, Chọn địa chỉ khác hoặc Hủy (hoặc gõ /huy).");
      }
      await dropButtons(ctx);
      if (input.value === "cancel") {
        await ctx.flow.end();
        return ctx.reply(m.cancelled());
      }
      if (input.value === "other") {
        const alternatives = data.alternatives ?? [];
        await flow.goto(ctx, "pick", data);
        const rows = alternatives.map((address, i) => [ctx.flow.button(address, `a${i}`)]);
        rows.push([ctx.flow.button("Quay lại", "back")]);
        return ctx.reply(alternatives.length > 0 ? m.pickPrompt() : m.noAlternatives(), {
          reply_markup: keyboard(rows),
        });
      }
      if (input.value === "send") return submit(ctx, data);
    },

    async pick(ctx, data, input) {
      if (input.kind === "text") {
        // An address typed by hand; the service checks its domain and whether it is free.
        const typed = parseAddress(input.text);
        if (!typed.ok) return ctx.reply(typed.error);
        const domain = data.address?.split("@")[1];
        if (domain && !typed.value.endsWith(`@${domain}`)) {
          return ctx.reply(`Địa chỉ phải thuộc tên miền ${domain}. Gõ lại, hoặc bấm Quay lại.`);
        }
        const others = [data.address, ...(data.alternatives ?? [])].filter(
          (a): a is string => !!a && a !== typed.value,
        );
        return showConfirm(ctx, { ...data, address: typed.value, alternatives: others.slice(0, 8) }, true);
      }
      await dropButtons(ctx);
      if (input.value === "back") return showConfirm(ctx, data, false);
      const index = Number(input.value.replace(/^a/, ""));
      const chosen = (data.alternatives ?? [])[index];
      if (chosen === undefined) return showConfirm(ctx, data, false);
      const others = (data.alternatives ?? []).filter((a) => a !== chosen);
      if (data.address) others.unshift(data.address);
      await showConfirm(ctx, { ...data, address: chosen, alternatives: others.slice(0, 8) }, true);
    },
  },
});

async function submit(ctx: BotContext, data: Data): Promise<void> {
  const state = await ctx.flow.current();
  const key = `capmoi:${ctx.chat?.id}:${ctx.from?.id}:${state?.nonce ?? ctx.update.update_id}`;
  const me = ctx.staff as StaffView;
  const request = await ctx.services.requests.createCapmoi(
    { ...capmoiInput(ctx, data), address: data.address, idempotencyKey: key },
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
  const unit = matchUnit(form.value.unitText, units);
  if (!unit.ok) return ctx.reply(m.refused(unit.error));
  const data: Data = {
    self: false,
    kind: form.value.kind,
    fullName: form.value.fullName,
    birthDate: form.value.birthDate,
    unitId: unit.value.id,
    unitName: unit.value.name,
    leaderLevel: form.value.leaderLevel,
    employmentType: form.value.employment.employmentType,
    contractMonths: form.value.employment.contractMonths,
  };
  await flow.start(ctx, "confirm", data);
  await propose(ctx, data);
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
