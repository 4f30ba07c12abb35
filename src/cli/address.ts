/** `address personal|unit`: preview the address the naming rules give. */
import { z } from "zod";
import {
  proposePersonalAddress,
  proposeUnitAddress,
  type AddressProposal,
} from "../policy/addresses/index.ts";
import type { Profile } from "../policy/profile.ts";
import { UNIT_KINDS } from "../policy/types.ts";
import { calendarDate, noPositionals, PROFILE_OPTION } from "./common.ts";
import { type CliOption, type CommandResult, defineCommand, done, rejected } from "./types.ts";

const TAKEN_OPTION: CliOption = {
  type: "string",
  multiple: true,
  value: "ADDR",
  vi: "Địa chỉ đã có người dùng (lặp lại được; có thể bỏ @tên-miền)",
  en: "An address already in use (repeatable; the @domain may be left out)",
};

/** Taken addresses as full lower-case addresses; a bare local part gets the profile's domain. */
function takenSet(profile: Profile, taken: readonly string[] | undefined): Set<string> {
  const set = new Set<string>();
  for (const raw of taken ?? []) {
    const a = raw.trim().toLowerCase();
    if (a) set.add(a.includes("@") ? a : `${a}@${profile.domain}`);
  }
  return set;
}

function output(p: AddressProposal, withAlternatives: boolean): CommandResult {
  const json: Record<string, unknown> = withAlternatives
    ? {
        address: p.address,
        localPart: p.localPart,
        rule: p.rule,
        ruleId: p.ruleId,
        alternatives: p.alternatives,
      }
    : { address: p.address, localPart: p.localPart, rule: p.rule };
  return done(json, [
    p.address,
    `Quy tắc: ${p.rule}`,
    ...(withAlternatives && p.alternatives.length > 0
      ? [`Có thể chọn thay: ${p.alternatives.join(", ")}`]
      : []),
  ]);
}

const personal = defineCommand({
  path: ["address", "personal"],
  usage: 'address personal --profile P --name "…" [--unit U] [--birth YYYY-MM-DD] [--taken ADDR]… [--json]',
  summary: {
    vi: "Đề xuất địa chỉ hộp thư cá nhân theo quy tắc đặt tên của hồ sơ",
    en: "Propose a personal mailbox address by the profile's naming rules",
  },
  options: {
    profile: PROFILE_OPTION,
    name: { type: "string", value: '"…"', vi: "Họ và tên, có dấu", en: "Full name, with diacritics" },
    unit: {
      type: "string",
      value: "U",
      vi: "Ký hiệu đơn vị (mic: dvbe.cntt) hoặc cơ quan (ninhbinh: annv.stttt)",
      en: "Unit symbol (mic: dvbe.cntt) or agency (ninhbinh: annv.stttt)",
    },
    agency: { type: "string", value: "A", vi: "Cơ quan (nếu khác --unit)", en: "Agency (if not --unit)" },
    ward: {
      type: "string",
      value: "W",
      vi: "Phường (binhtan: cán bộ phường)",
      en: "Ward (binhtan ward staff)",
    },
    birth: {
      type: "string",
      value: "YYYY-MM-DD",
      vi: "Ngày sinh (phuyen dùng khi trùng tên)",
      en: "Birth date (phuyen uses it on collisions)",
    },
    taken: TAKEN_OPTION,
  },
  schema: z.object({
    profile: z.string().optional(),
    name: z.string({ message: 'Thiếu --name "Họ và tên".' }),
    unit: z.string().optional(),
    agency: z.string().optional(),
    ward: z.string().optional(),
    birth: calendarDate.optional(),
    taken: z.array(z.string()).optional(),
    positionals: noPositionals,
  }),
  examples: [
    'address personal --profile mic --name "Đỗ Văn Bê" --unit cntt --taken dvbe --json',
    'address personal --profile phuyen --name "Nguyễn Văn A" --birth 1979-03-05 --taken nguyenvana',
  ],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const r = proposePersonalAddress(
      profile,
      {
        fullName: input.name,
        birthDate: input.birth ?? null,
        unitSymbol: input.unit ?? null,
        agency: input.agency ?? input.unit ?? null,
        ward: input.ward ?? null,
      },
      takenSet(profile, input.taken),
    );
    return r.ok ? output(r.value, true) : rejected(r.error.code, r.error.message);
  },
});

const unit = defineCommand({
  path: ["address", "unit"],
  usage:
    'address unit --profile P (--abbr "…" | --name "…") [--parent LOCALPART] [--kind K] [--taken ADDR]… [--json]',
  summary: {
    vi: "Đề xuất địa chỉ hộp thư đơn vị (cơ quan, huyện, xã, phòng, nhóm)",
    en: "Propose a unit mailbox address (agency, district, commune, division, group)",
  },
  details: {
    vi: "Không có --kind: --abbr → cơ quan (có --parent → phòng); --name → huyện (có --parent → xã).",
    en: "Without --kind: --abbr → agency (with --parent → division); --name → district (with --parent → commune).",
  },
  options: {
    profile: PROFILE_OPTION,
    abbr: {
      type: "string",
      value: '"…"',
      vi: "Ký hiệu, tên viết tắt (PTTH&TTĐT, STTTT)",
      en: "Symbol or abbreviation (PTTH&TTĐT, STTTT)",
    },
    name: {
      type: "string",
      value: '"…"',
      vi: "Tên địa danh (Tuy Hòa, Hòa An)",
      en: "Place name (Tuy Hòa, Hòa An)",
    },
    parent: {
      type: "string",
      value: "LOCALPART",
      vi: "Phần trước @ của hộp thư đơn vị cấp trên",
      en: "Local part of the parent unit's mailbox",
    },
    kind: {
      type: "string",
      value: "agency|district|commune|division|group",
      vi: "Loại đơn vị (mặc định: suy ra như trên)",
      en: "Unit kind (default: inferred as above)",
    },
    taken: TAKEN_OPTION,
    override: {
      type: "string",
      value: "LOCALPART",
      vi: "Địa chỉ do quản trị viên chọn khi địa chỉ theo quy tắc đã có đơn vị khác dùng",
      en: "The operator's own local part when the rule's address is taken by another unit",
    },
  },
  schema: z
    .object({
      profile: z.string().optional(),
      override: z.string().optional(),
      abbr: z.string().optional(),
      name: z.string().optional(),
      parent: z.string().optional(),
      kind: z
        .enum([...UNIT_KINDS, "group"], {
          message: "Loại đơn vị: agency, district, commune, division hoặc group.",
        })
        .optional(),
      taken: z.array(z.string()).optional(),
      positionals: noPositionals,
    })
    .refine((v) => (v.abbr === undefined) !== (v.name === undefined), {
      message: "Cần đúng một trong --abbr hoặc --name.",
      path: ["abbr"],
    }),
  examples: [
    'address unit --profile mic --abbr "PTTH&TTĐT" --json',
    'address unit --profile phuyen --name "Hòa An" --parent phuhoa',
  ],
  async run(input, ctx) {
    const profile = ctx.profile(input.profile);
    const kind =
      input.kind ??
      (input.abbr !== undefined
        ? input.parent
          ? "division"
          : "agency"
        : input.parent
          ? "commune"
          : "district");
    const r = proposeUnitAddress(
      profile,
      {
        kind,
        abbr: input.abbr ?? null,
        name: input.name ?? null,
        parentLocalPart: input.parent ?? null,
        override: input.override ?? null,
      },
      takenSet(profile, input.taken),
    );
    return r.ok ? output(r.value, false) : rejected(r.error.code, r.error.message);
  },
});

export const addressCommands = [personal, unit];
