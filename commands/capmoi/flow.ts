/** The /capmoi conversation: one question per step, then the proposal, confirmation and request. */
import type { BotContext } from "../../src/bot/context.ts";
import { defineFlow, type FlowInput } from "../../src/bot/flows.ts";
import { dropButtons, keyboard, requestButton } from "../../src/bot/keyboards.ts";
import { may } from "../../src/bot/middleware/require-role.ts";
import { formatVnDate, vnDateOf } from "../../src/calendar/time.ts";
import { rolesFor } from "../../src/policy/permissions.ts";
import { LeaderLevel } from "../../src/policy/types.ts";
import { existingMessage } from "../../src/services/requests/index.ts";
import { type RequestView, staffActor, type StaffView, type UnitView } from "../../src/services/types.ts";
import { postToSupport, sendSafely } from "../shared/notify.ts";
import {
  EMPLOYMENT_LABELS,
  fold,
  LEADER_LEVEL_LABELS,
  parseAddress,
  parseBirthDate,
  parseContractMonths,
  parseEmployment,
  parseFullName,
  parseLeaderLevel,
  tooLong,
} from "../shared/parse.ts";
import { matchUnitTyped } from "../shared/unit-match.ts";
import { Data, MAX_UNIT_BUTTONS, type Step } from "./form.ts";
import { m, operatorOf, summary } from "./messages.ts";

export async function scopeUnits(ctx: BotContext): Promise<UnitView[]> {
  if (!ctx.staff) return [];
  return ctx.services.access.unitsInScope(ctx.staff, rolesFor("request.create_for_others"));
}

export function today(ctx: BotContext): string {
  return vnDateOf(ctx.now());
}

export function textOf(input: FlowInput): string | null {
  return input.kind === "text" ? input.text : null;
}

/** A name with no Vietnamese mark at all ("Nguyen Van An"): likely typed without a Vietnamese keyboard. */
export function lacksDiacritics(name: string): boolean {
  return !/[\u0300-\u036f]/.test(name.normalize("NFD")) && !/[đĐ]/.test(name);
}

export const BACK = "back";
export function isBack(input: FlowInput): boolean {
  if (input.kind === "button") return input.value === BACK;
  return /^(quay lai|tro lai|back)$/.test(fold(input.text));
}
export function backRow(ctx: BotContext) {
  return [ctx.flow.button("« Quay lại", BACK)];
}

// ---------------------------------------------------------------------------------------------
// Asking each question (after moving the flow to its step, so the buttons carry the new seq)

export async function askName(ctx: BotContext, data: Data, isStart: boolean): Promise<void> {
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

export async function askBirth(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "birth", data);
  await ctx.reply(m.birth(), { reply_markup: keyboard([backRow(ctx)]) });
}

export async function askUnit(ctx: BotContext, data: Data): Promise<void> {
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
export async function afterUnit(ctx: BotContext, data: Data): Promise<void> {
  if (data.kind !== "personal") return askKeeper(ctx, data);
  if (data.leaderLevel && data.employmentType) return propose(ctx, data);
  return askLevel(ctx, data);
}

/** A unit or group mailbox is kept by someone: the requester, or a person of that unit. */
export async function askKeeper(ctx: BotContext, data: Data): Promise<void> {
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
export async function resolveUnit(ctx: BotContext, data: Data, typed: string): Promise<unknown> {
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

export async function askLevel(ctx: BotContext, data: Data): Promise<void> {
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

export async function askEmployment(ctx: BotContext, data: Data): Promise<void> {
  await flow.goto(ctx, "employment", data);
  // Issue 10 (rules): one "Hợp đồng" button, then the length is asked — never an exact
  // "12 months" nobody stated; the policy (checkEligibility) judges the stated length.
  const contract = [ctx.flow.button(EMPLOYMENT_LABELS.contract, "cmo")];
  await ctx.reply(m.employment(), {
    reply_markup: keyboard([
      [ctx.flow.button(EMPLOYMENT_LABELS.civil_servant, "cs")],
      contract,
      backRow(ctx),
    ]),
  });
}

/** Asks the services for the address, refuses when not eligible, else shows the confirmation. */
export async function propose(ctx: BotContext, data: Data): Promise<void> {
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

export async function showConfirm(ctx: BotContext, data: Data, chosenByHand: boolean): Promise<void> {
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

export function capmoiInput(ctx: BotContext, d: Data) {
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
export async function mayOverride(ctx: BotContext, data: Data): Promise<boolean> {
  return data.unitId !== undefined && (await may(ctx, "request.handle", { unitId: data.unitId }));
}

export async function stepBeforeConfirm(ctx: BotContext, data: Data): Promise<void> {
  if (data.self) return;
  if (data.kind !== "personal") return askKeeper(ctx, data);
  if (data.employmentType === "contract") return askEmployment(ctx, data);
  return askEmployment(ctx, data);
}

/**
 * After a name: warn once about a name without diacritics, then offer people of the directory
 * with that name (one person, one record), then the next question.
 */
export async function afterName(ctx: BotContext, data: Data): Promise<unknown> {
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

export async function nextAfterName(ctx: BotContext, data: Data): Promise<unknown> {
  if (data.unitText !== undefined) return resolveUnit(ctx, data, data.unitText);
  if (data.kind === "group") return askUnit(ctx, data);
  return askBirth(ctx, data);
}

export async function submit(ctx: BotContext, data: Data): Promise<void> {
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
export async function askEndorsement(ctx: BotContext, request: RequestView): Promise<number> {
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
