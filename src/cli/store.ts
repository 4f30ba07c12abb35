/**
 * `migrate`, `import units|staff`, `seed demo`, `link-code`, `role grant|revoke`, `leaver`: the
 * directory and request store from the command line. Each runs in `ctx.withDatabase` (the
 * configured database, migrated, closed afterwards); refusals from the services (ServiceError)
 * become exit 1 with their message in the router.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { databaseTargetOf } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Role } from "../policy/types.ts";
import { ROLES } from "../policy/types.ts";
import { LEADER_LEVEL_LABELS, ROLE_LABELS } from "../policy/vocabulary.ts";
import { MAX_FILE_BYTES, STAFF_HEADERS, UNIT_HEADERS } from "../services/import-columns.ts";
import { isServiceError } from "../services/errors.ts";
import type { ImportReport, IssuedAddress } from "../services/import/index.ts";
import type { Services } from "../services/index.ts";
import type { StaffView, UnitView } from "../services/types.ts";
import { CLI } from "../services/types.ts";
import { calendarDate, isoInstant, noPositionals, PROFILE_OPTION, textTable, vnHuman } from "./common.ts";
import {
  defineCommand,
  done,
  rejected,
  UsageError,
  type CliContext,
  type CliOption,
  type CommandResult,
} from "./types.ts";

/** "--staff CB0012" (mã cán bộ), "--staff an@phuyen.gov.vn", "--staff 12", "--staff Tôn Nữ Ẩn". */
export const staffRef = z
  .string({ message: "Thiếu --staff (mã cán bộ, địa chỉ thư hoặc họ tên)." })
  .trim()
  .min(1, { message: "Thiếu --staff (mã cán bộ, địa chỉ thư hoặc họ tên)." })
  .max(254);

export const STAFF_OPTION: CliOption = {
  type: "string",
  value: "MA_CB|ADDRESS",
  vi: "Mã cán bộ (ma_can_bo trong tệp nhập), địa chỉ thư, hoặc họ tên nếu chỉ một người có tên đó",
  en: "Staff code (ma_can_bo of the import file), mailbox address, or a full name only one person has",
};

/** "Tôn Nữ Ẩn (mã CLI-CB1, Phòng Một)". */
export function personLabel(p: StaffView): string {
  return `${p.fullName} (${p.externalId ? `mã ${p.externalId}, ` : ""}${p.unitName})`;
}

/** Runs `fn` on the services with `--staff` resolved to one person (unknown/ambiguous: exit 1). */
async function withStaff<T>(
  ctx: CliContext,
  ref: string,
  fn: (services: Services, person: StaffView, database: Database) => Promise<T>,
): Promise<T> {
  return ctx.withServices(async (services, database) =>
    fn(services, await services.directory.resolveStaff(ref), database),
  );
}

/** "--unit demo-stttt" (the unit's import code), its name or abbreviation, or its number. */
async function resolveUnitRef(services: Services, ref: string): Promise<UnitView> {
  return services.directory.findUnitByRef(ref);
}

const migrate = defineCommand({
  path: ["migrate"],
  usage: "migrate [--json]",
  summary: { vi: "Tạo/cập nhật cấu trúc cơ sở dữ liệu", en: "Apply database migrations" },
  details: {
    vi: "Dùng DATABASE_URL nếu có, nếu không thì PGlite trong DATA_DIR/pglite (mặc định ./data/pglite). Chạy nhiều lần không sao.",
    en: "Uses DATABASE_URL when set, else embedded PGlite in DATA_DIR/pglite (default ./data/pglite). Safe to repeat.",
  },
  options: {},
  schema: z.object({ positionals: noPositionals }),
  examples: ["migrate", "DATABASE_URL=postgres://mailbot@localhost/mailbot mailbot migrate"],
  async run(_input, ctx) {
    const { redactUrl } = await import("../db/client.ts");
    const target = databaseTargetOf(ctx.config);
    const where = "url" in target ? redactUrl(target.url) : target.dataDir;
    await ctx.withDatabase(async () => undefined);
    return done({ migrated: true, database: where }, [`Đã cập nhật cơ sở dữ liệu (${where}).`]);
  },
});

/**
 * The report as text. The issued addresses come last: the list printed from memory
 * (report.issued), or only its heading when they were written to a file as they were issued
 * (`streamed`, printed after it by the router).
 */
function importText(report: ImportReport, skipBad: boolean, dryRun: boolean, streamed = 0): string[] {
  const lines: string[] = [];
  const wouldWrite = dryRun && report.kind === "staff" && (report.errorCount === 0 || skipBad);
  if (report.written) {
    lines.push(
      `Đã nhập ${report.rows} dòng: ${report.created} mới, ${report.updated} cập nhật, ${report.unchanged} không đổi` +
        (report.mailboxesCreated ? `, ${report.mailboxesCreated} hộp thư mới` : "") +
        (report.addressesIssued ? ` (${report.addressesIssued} địa chỉ cấp theo quy tắc)` : "") +
        ".",
    );
  } else if (wouldWrite) {
    lines.push(
      `Chạy thử (--dry-run), CHƯA GHI GÌ. Nhập thật ${report.rows} dòng này sẽ có: ${report.created} mới, ${report.updated} cập nhật, ${report.unchanged} không đổi` +
        (report.mailboxesCreated ? `, ${report.mailboxesCreated} hộp thư mới` : "") +
        (report.addressesIssued ? ` (${report.addressesIssued} địa chỉ cấp theo quy tắc)` : "") +
        ".",
    );
  } else if (report.errors.length === 0) {
    lines.push(`Kiểm tra ${report.rows} dòng: không có lỗi (chưa ghi gì).`);
  } else {
    lines.push(
      `Có ${report.errorCount} dòng lỗi nên CHƯA GHI GÌ. Sửa tệp rồi nhập lại, hoặc dùng --skip-bad để nhập các dòng đúng.`,
    );
  }
  if (report.errors.length > 0) {
    if (report.written && skipBad) lines.push(`Đã bỏ qua ${report.errorCount} dòng lỗi:`);
    else if (wouldWrite) lines.push(`Sẽ bỏ qua ${report.errorCount} dòng lỗi:`);
    for (const e of report.errors) lines.push(`  dòng ${e.line}${e.code ? ` (${e.code})` : ""}: ${e.reason}`);
    if (report.errorCount > report.errors.length)
      lines.push(
        `  … và ${report.errorCount - report.errors.length} dòng lỗi khác (chỉ liệt kê ${report.errors.length} dòng đầu).`,
      );
  }
  if (report.notIssued.length > 0) {
    lines.push(`${report.notIssued.length} cán bộ chưa được cấp địa chỉ:`);
    for (const e of report.notIssued)
      lines.push(`  dòng ${e.line}${e.code ? ` (${e.code})` : ""}: ${e.reason}`);
  }
  // Cleared by the service when nothing was (or would be) written: then no list either.
  const issued = report.issued.length || (report.addressesIssued > 0 ? streamed : 0);
  if (issued > 0) {
    lines.push(
      report.written
        ? `Địa chỉ đã cấp (${issued}; chủ hộp thư lấy mật khẩu tạm bằng /doimk):`
        : `Địa chỉ sẽ cấp khi nhập thật (${issued}):`,
    );
    for (const a of report.issued) lines.push(issuedLine(a));
  }
  return lines;
}

const issuedLine = (a: IssuedAddress) => `  ${a.fullName} (mã ${a.code}, dòng ${a.line}) → ${a.address}`;

/**
 * A file (readable by its owner only) that takes the issued addresses as the import plans them,
 * so 500,000 of them are never held in memory; printed after the report, then removed.
 */
async function issuedFile(): Promise<{
  onIssued: (a: IssuedAddress) => void;
  count: () => number;
  close: () => Promise<void>;
  read: () => AsyncIterable<string>;
  remove: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), "mailbot-import-"));
  const file = join(dir, "issued.txt");
  const out = createWriteStream(file, { mode: 0o600 });
  // A write that fails (disk full) is reported when the file is closed, not as a crash.
  let failed: Error | null = null;
  out.on("error", (error) => (failed ??= error));
  let count = 0;
  const remove = () => rm(dir, { recursive: true, force: true });
  return {
    onIssued: (a) => {
      count++;
      out.write(`${issuedLine(a)}\n`);
    },
    count: () => count,
    close: async () => {
      out.end();
      if (!out.closed) await once(out, "close");
      if (failed) {
        await remove();
        throw failed;
      }
    },
    async *read() {
      try {
        for await (const chunk of createReadStream(file, { encoding: "utf8" })) yield chunk as string;
      } finally {
        await remove();
      }
    },
    remove,
  };
}

const importCommand = (kind: "units" | "staff") =>
  defineCommand({
    path: ["import", kind],
    usage: `import ${kind} FILE [--skip-bad] [--profile P]${kind === "staff" ? " [--issue-mailboxes]" : ""} [--encoding utf8|tcvn3|vni] [--dry-run] [--json]`,
    summary:
      kind === "units"
        ? { vi: "Nhập danh sách đơn vị từ tệp CSV", en: "Import units from a CSV file" }
        : { vi: "Nhập danh sách cán bộ từ tệp CSV", en: "Import staff from a CSV file" },
    details: {
      vi:
        `Tệp CSV UTF-8 (có hoặc không có BOM), dòng đầu là tiêu đề: ${(kind === "units" ? UNIT_HEADERS : STAFF_HEADERS).join(",")}. ` +
        "Tiêu đề có dấu (“Họ và tên”) cũng được. Có dòng lỗi thì không ghi gì (trừ khi --skip-bad); nhập lại cùng tệp không thay đổi gì. " +
        `Tệp tối đa ${MAX_FILE_BYTES / 1048576} MB.` +
        (kind === "staff"
          ? " --issue-mailboxes: cấp địa chỉ theo quy tắc cho cán bộ chưa có (không tạo mật khẩu; dùng /doimk)."
          : ""),
      en:
        `UTF-8 CSV (BOM optional), header line: ${(kind === "units" ? UNIT_HEADERS : STAFF_HEADERS).join(",")}. ` +
        "Vietnamese headers with diacritics are accepted. Any bad row means nothing is written (unless --skip-bad); re-importing the same file changes nothing. " +
        `Files up to ${MAX_FILE_BYTES / 1048576} MB.` +
        (kind === "staff"
          ? " --issue-mailboxes: generate addresses for staff without one (no passwords; use /doimk)."
          : ""),
    },
    options: {
      "skip-bad": {
        type: "boolean",
        vi: "Nhập các dòng đúng, bỏ qua dòng lỗi",
        en: "Write the good rows, skip the bad ones",
      },
      profile: PROFILE_OPTION,
      ...(kind === "staff"
        ? {
            "issue-mailboxes": {
              type: "boolean" as const,
              vi: "Cấp địa chỉ cho cán bộ chưa có hộp thư",
              en: "Issue addresses to staff without a mailbox",
            },
          }
        : {}),
      encoding: {
        type: "string",
        value: "utf8|tcvn3|vni",
        vi: "Bảng mã của tệp (mặc định utf8; tcvn3/vni cho tệp cũ)",
        en: "File encoding (default utf8; tcvn3/vni for legacy files)",
      },
      "dry-run": { type: "boolean", vi: "Chỉ kiểm tra, không ghi", en: "Validate only, write nothing" },
    },
    positionals: [{ name: "FILE", vi: "Tệp .csv", en: "A .csv file" }],
    schema: z.object({
      positionals: z.array(z.string()).length(1, { message: "Cần đúng một tệp CSV." }),
      "skip-bad": z.boolean().optional(),
      profile: z.string().optional(),
      "issue-mailboxes": z.boolean().optional(),
      encoding: z.enum(["utf8", "tcvn3", "vni"], { message: "Chỉ nhận utf8, tcvn3 hoặc vni." }).optional(),
      "dry-run": z.boolean().optional(),
    }),
    examples: [
      `import ${kind} ${kind === "units" ? "donvi.csv --profile phuyen" : "canbo.csv --issue-mailboxes"}`,
      `import ${kind} tep.csv --skip-bad --json`,
    ],
    async run(input, ctx) {
      if (input.profile) ctx.profile(input.profile);
      const path = input.positionals[0] as string;
      const { importStaff, importUnits, openImportFile } = await import("../services/import/index.ts");
      let bytes: AsyncIterable<Uint8Array>;
      try {
        // A stream of bytes, not text: a legacy-encoded file must be detected, not silently
        // mangled, and a large file must not sit in memory. Too large: refused before reading.
        bytes = await openImportFile(path);
      } catch (error) {
        if (isServiceError(error)) throw error;
        throw new UsageError(
          `Không đọc được tệp ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
        );
      }
      const options = {
        skipBad: input["skip-bad"] === true,
        dryRun: input["dry-run"] === true,
        ...(input.profile ? { profileId: input.profile } : {}),
        ...(input.encoding ? { encoding: input.encoding } : {}),
        issueMailboxes: input["issue-mailboxes"] === true,
        actor: CLI,
      };
      // --json prints one object, so there the addresses stay in the report's list.
      const sink = kind === "staff" && options.issueMailboxes && !ctx.json ? await issuedFile() : null;
      let report: ImportReport;
      try {
        report = await ctx.withDatabase((database) =>
          kind === "units"
            ? importUnits(database, bytes, options)
            : importStaff(database, bytes, sink ? { ...options, onIssued: sink.onIssued } : options),
        );
      } catch (error) {
        await sink?.close().catch(() => undefined);
        await sink?.remove();
        throw error;
      }
      await sink?.close();
      const text = importText(report, options.skipBad, options.dryRun, sink?.count());
      const result =
        !report.written && report.errors.length > 0
          ? rejected("bad_rows", text[0] as string, { report }, text)
          : done({ ok: true, report }, text);
      // A dry run with --skip-bad and bad rows is refused yet lists what it would issue.
      if (sink && report.addressesIssued > 0) return { ...result, tail: sink.read };
      await sink?.remove();
      return result;
    },
  });

const seed = defineCommand({
  path: ["seed", "demo"],
  usage: "seed demo [--json]",
  summary: {
    vi: "Tạo dữ liệu mẫu (tỉnh giả định, hồ sơ phuyen)",
    en: "Create demo data (fictional province, phuyen profile)",
  },
  details: {
    vi: "Vài sở, huyện Tuy An với 3 xã, 50 cán bộ (có người trùng tên), hộp thư đơn vị, các vai trò, vài hộp thư bị khóa/lâu không dùng và vài yêu cầu đang mở. Chạy lại không thay đổi gì.",
    en: "A few agencies, Tuy An district with 3 communes, 50 staff (with same-name collisions), unit mailboxes, roles, some locked/idle mailboxes and open requests. Re-running changes nothing.",
  },
  options: {
    at: {
      type: "string",
      value: "ISO",
      vi: "Thời điểm giả định của dữ liệu mẫu (hoạt động, hạn, yêu cầu tính từ lúc này), ví dụ 2026-12-02T10:00",
      en: "Pretend time of the demo data (activity, deadlines, requests count from it), e.g. 2026-12-02T10:00",
    },
  },
  schema: z.object({ at: isoInstant.optional(), positionals: noPositionals }),
  examples: ["seed demo", "seed demo --at 2026-12-02T10:00"],
  async run(input, ctx) {
    const { seedDemo } = await import("../demo/seed.ts");
    const report = await ctx.withDatabase((database) =>
      seedDemo(database, input.at ? { now: input.at } : {}),
    );
    const text = [
      report.changed ? "Đã tạo dữ liệu mẫu." : "Dữ liệu mẫu đã có sẵn, không thay đổi gì.",
      `${report.units} đơn vị, ${report.staff} cán bộ, ${report.mailboxes} hộp thư. Thử trong trò chuyện trên máy với /as <tên>:`,
      ...report.users.map((u) => `  ${u.name} — ${u.note}${u.address ? ` (${u.address})` : ""}`),
    ];
    return done({ ...report }, text);
  },
});

const TTL_HOURS = z
  .string()
  .regex(/^\d{1,3}$/, { message: "Số giờ phải là số nguyên." })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 720, { message: "Từ 1 đến 720 giờ." })
  .optional();

const linkCode = defineCommand({
  path: ["link-code"],
  usage: "link-code (--staff <MA_CB|ADDRESS> | --unit UNIT [--out FILE] [--renew]) [--ttl-hours H] [--json]",
  summary: {
    vi: "Tạo mã liên kết tài khoản Telegram cho một cán bộ, hoặc cho cả một đơn vị (danh sách để in)",
    en: "Create a Telegram link code for a staff member, or for a whole unit (a printable list)",
  },
  details: {
    vi:
      "Mã dùng một lần, hết hạn sau 24 giờ (mặc định). Đưa cho cán bộ đường dẫn in ra (cần BOT_USERNAME) hoặc mã để gõ /start <mã>. " +
      "--unit: một mã cho mỗi cán bộ đang công tác (kể cả đơn vị cấp dưới) chưa liên kết Telegram. Người còn giữ mã chưa dùng, chưa hết hạn " +
      "thì không tạo mã mới (mã chỉ hiện một lần nên không in lại được); --renew: hủy mã cũ và tạo mã mới cho họ. --out ghi danh sách ra tệp.",
    en:
      "Single use, expires after 24 hours by default. Give the printed link (needs BOT_USERNAME) or the code (/start <code>). " +
      "--unit: one code per working person of the unit (and units below) without a linked Telegram account. Someone still holding an " +
      "unused, unexpired code gets none (codes are shown once and cannot be reprinted); --renew voids it and makes a new one. --out writes the list to a file.",
  },
  options: {
    staff: STAFF_OPTION,
    unit: {
      type: "string",
      value: "UNIT",
      vi: "Cả đơn vị: tên, ký hiệu hoặc ma_don_vi",
      en: "A whole unit: name, abbreviation or import code",
    },
    out: {
      type: "string",
      value: "FILE",
      vi: "Ghi danh sách ra tệp (UTF-8)",
      en: "Write the list to a file",
    },
    renew: {
      type: "boolean",
      vi: "Với --unit: thay cả mã cũ chưa dùng",
      en: "With --unit: replace unused earlier codes too",
    },
    "ttl-hours": { type: "string", value: "H", vi: "Hiệu lực (giờ, 1–720)", en: "Validity in hours (1–720)" },
  },
  schema: z
    .object({
      staff: staffRef.optional(),
      unit: z.string().trim().min(1).max(200).optional(),
      out: z.string().min(1).optional(),
      renew: z.boolean().optional(),
      "ttl-hours": TTL_HOURS,
      positionals: noPositionals,
    })
    .refine((v) => (v.staff === undefined) !== (v.unit === undefined), {
      message: "Cần đúng một trong --staff (một cán bộ) hoặc --unit (cả đơn vị).",
    })
    .refine((v) => v.unit !== undefined || (v.out === undefined && v.renew === undefined), {
      message: "--out và --renew chỉ dùng với --unit.",
    }),
  examples: [
    "link-code --staff CB0012",
    "link-code --staff nguyenvanan@phuyen.gov.vn --ttl-hours 2 --json",
    "link-code --unit demo-stttt --ttl-hours 72 --out ma-lien-ket.txt",
  ],
  async run(input, ctx) {
    const ttlMinutes = (input["ttl-hours"] ?? 24) * 60;
    const bot = ctx.config.botUsername;
    const linkOf = (code: string) => (bot ? `https://t.me/${bot}?start=${code}` : null);
    if (input.unit !== undefined) return unitLinkCodes(ctx, input.unit, ttlMinutes, input, linkOf);
    const staffText = input.staff as string;
    const { result, person } = await withStaff(ctx, staffText, async (services, person) => ({
      person,
      result: await services.identity.createLinkCode({ staffId: person.id }, CLI, ttlMinutes),
    }));
    const url = linkOf(result.code);
    return done(
      {
        code: result.code,
        url,
        staffId: result.staffId,
        staffCode: person.externalId,
        fullName: person.fullName,
        unit: person.unitName,
        expiresAt: result.expiresAt.toISOString(),
      },
      [
        `Mã liên kết cho ${personLabel(person)}: ${result.code} (dùng một lần, hết hạn ${vnHuman(result.expiresAt)}).`,
        url
          ? `Đường dẫn: ${url}`
          : "Đặt BOT_USERNAME để in đường dẫn t.me; hoặc bảo cán bộ gõ /start " + result.code + " với bot.",
      ],
    );
  },
});

async function unitLinkCodes(
  ctx: CliContext,
  unitRef: string,
  ttlMinutes: number,
  input: { out?: string | undefined; renew?: boolean | undefined },
  linkOf: (code: string) => string | null,
): Promise<CommandResult> {
  const { unit, result } = await ctx.withServices(async (services) => {
    const unit = await resolveUnitRef(services, unitRef);
    return {
      unit,
      result: await services.identity.createUnitLinkCodes(unit.id, CLI, {
        ttlMinutes,
        renew: input.renew === true,
      }),
    };
  });
  const sheet = [
    `MÃ LIÊN KẾT TELEGRAM — ${unit.name} (và các đơn vị cấp dưới)`,
    `In lúc ${vnHuman(new Date())}. Mỗi mã dùng một lần: mở đường dẫn, hoặc gõ /start <mã> với bot${ctx.config.botUsername ? ` @${ctx.config.botUsername}` : ""}.`,
    "",
    ...(result.issued.length === 0
      ? ["Không có mã mới nào."]
      : textTable(
          [
            "Mã CB",
            "Họ và tên",
            "Đơn vị",
            "Chức vụ",
            "Mã liên kết",
            "Hết hạn",
            ...(ctx.config.botUsername ? ["Đường dẫn"] : []),
          ],
          result.issued.map((e) => [
            e.code ?? "—",
            e.fullName,
            e.unitName,
            LEADER_LEVEL_LABELS[e.leaderLevel],
            e.linkCode as string,
            vnHuman(e.expiresAt),
            ...(ctx.config.botUsername ? [linkOf(e.linkCode as string) ?? ""] : []),
          ]),
        )),
  ];
  const notes = [
    `${result.issued.length} mã mới cho ${unit.name}` +
      (result.linked > 0 ? `; ${result.linked} người đã liên kết Telegram (bỏ qua)` : "") +
      (result.pending.length > 0
        ? `; ${result.pending.length} người còn giữ mã chưa dùng nên không tạo mã mới (dùng --renew để hủy mã cũ và tạo mã mới): ${result.pending
            .map((e) => `${e.fullName} (hết hạn ${vnHuman(e.expiresAt)})`)
            .join(", ")}`
        : "") +
      ".",
  ];
  let written = false;
  let writeError = "";
  if (input.out !== undefined) {
    try {
      await ctx.writeTextFile(input.out, `${sheet.join("\n")}\n`);
      written = true;
    } catch (error) {
      // The codes exist now and are shown only once: print them rather than lose them.
      writeError = error instanceof Error ? error.message : String(error);
    }
  }
  const json = {
    unit: unit.name,
    unitId: unit.id,
    issued: result.issued.map((e) => ({
      staffId: e.staffId,
      staffCode: e.code,
      fullName: e.fullName,
      unit: e.unitName,
      position: LEADER_LEVEL_LABELS[e.leaderLevel],
      code: e.linkCode,
      url: linkOf(e.linkCode as string),
      expiresAt: e.expiresAt.toISOString(),
    })),
    pending: result.pending.map((e) => ({
      staffId: e.staffId,
      staffCode: e.code,
      fullName: e.fullName,
      unit: e.unitName,
      expiresAt: e.expiresAt.toISOString(),
    })),
    linked: result.linked,
    out: written ? input.out : null,
  };
  return done(
    json,
    written
      ? [...notes, `Đã ghi danh sách ${result.issued.length} mã ra tệp ${input.out}.`]
      : [
          ...sheet,
          "",
          ...notes,
          ...(writeError ? [`${writeError} Danh sách mã in ở trên; hãy lưu lại.`] : []),
        ],
  );
}

/** "toàn hệ thống" or "Phòng Một và các đơn vị cấp dưới". */
function scopeText(unit: UnitView | null): string {
  return unit === null ? "toàn hệ thống" : `${unit.name} và các đơn vị cấp dưới`;
}

const roleCommand = (action: "grant" | "revoke") =>
  defineCommand({
    path: ["role", action],
    usage: `role ${action} --staff <MA_CB|ADDRESS> --role ${ROLES.join("|")} [--unit UNIT] [--json]`,
    summary:
      action === "grant"
        ? { vi: "Cấp quyền cho cán bộ", en: "Grant a role" }
        : { vi: "Thu hồi quyền của cán bộ", en: "Revoke a role" },
    details: {
      vi: "Quyền áp dụng cho đơn vị và mọi đơn vị cấp dưới; không có --unit = toàn hệ thống.",
      en: "A role covers the unit and everything below it; without --unit it applies everywhere.",
    },
    options: {
      staff: STAFF_OPTION,
      role: {
        type: "string",
        value: "ROLE",
        vi: `Quyền: ${ROLES.join(", ")}`,
        en: `Role: ${ROLES.join(", ")}`,
      },
      unit: {
        type: "string",
        value: "UNIT",
        vi: "Tên, ký hiệu hoặc ma_don_vi của đơn vị",
        en: "Unit name, abbreviation or import code",
      },
    },
    schema: z.object({
      staff: staffRef,
      role: z.enum(ROLES, { message: `Quyền phải là một trong: ${ROLES.join(", ")}.` }),
      unit: z.string().trim().min(1).max(200).optional(),
      positionals: noPositionals,
    }),
    examples: [
      `role ${action} --staff CB0012 --role support`,
      `role ${action} --staff annv@phuyen.gov.vn --role clerk --unit demo-stttt`,
    ],
    async run(input, ctx) {
      return withStaff(ctx, input.staff, async (services, person) => {
        const unit = input.unit ? await resolveUnitRef(services, input.unit) : null;
        await services.access[action](person.id, input.role as Role, unit?.id ?? null, CLI);
        const role = `${ROLE_LABELS[input.role as Role]} (${input.role})`;
        return done(
          {
            ok: true,
            staffId: person.id,
            staffCode: person.externalId,
            fullName: person.fullName,
            role: input.role,
            unitId: unit?.id ?? null,
            unit: unit?.name ?? null,
          },
          [
            action === "grant"
              ? `Đã cấp quyền ${role} cho ${personLabel(person)}, phạm vi ${scopeText(unit)}.`
              : `Đã thu hồi quyền ${role} của ${personLabel(person)}, phạm vi ${scopeText(unit)}.`,
          ],
        );
      });
    },
  });

const leaver = defineCommand({
  path: ["leaver"],
  usage: "leaver --staff <MA_CB|ADDRESS> --left YYYY-MM-DD [--json]",
  summary: {
    vi: "Ghi nhận cán bộ nghỉ việc/chuyển công tác và lịch khóa, thu hồi hộp thư",
    en: "Record a leaver and schedule send-lock and revocation",
  },
  options: {
    staff: STAFF_OPTION,
    left: { type: "string", value: "YYYY-MM-DD", vi: "Ngày nghỉ chính thức", en: "Official leaving date" },
  },
  schema: z.object({
    staff: staffRef,
    left: calendarDate,
    positionals: noPositionals,
  }),
  examples: [
    "leaver --staff nguyenvanan@phuyen.gov.vn --left 2026-12-31",
    "leaver --staff CB0012 --left 2026-12-31",
  ],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, person) => {
      const result = await services.directory.markLeaver(person.id, input.left, CLI);
      return done(
        {
          staffId: person.id,
          staffCode: person.externalId,
          fullName: person.fullName,
          leftOn: input.left,
          sendLockAt: result.sendLockAt?.toISOString() ?? null,
          revokeAt: result.revokeAt.toISOString(),
          mailboxes: result.mailboxes,
          keeperOf: result.keeperOf,
        },
        [
          `${personLabel(person)} nghỉ từ ${input.left}.`,
          result.sendLockAt ? `Khóa gửi thư: ${vnHuman(result.sendLockAt)}.` : "Không khóa gửi riêng.",
          `Thu hồi hộp thư: ${vnHuman(result.revokeAt)}.`,
          result.mailboxes.length
            ? `Hộp thư: ${result.mailboxes.join(", ")}.`
            : "Cán bộ này không có hộp thư cá nhân.",
          ...keeperLines(result.keeperOf),
        ],
      );
    });
  },
});

const mover = defineCommand({
  path: ["mover"],
  usage: "mover --staff <MA_CB|ADDRESS> --unit UNIT [--json]",
  summary: {
    vi: "Cán bộ chuyển đơn vị trong cùng cơ quan: cập nhật danh bạ (địa chỉ thư giữ nguyên)",
    en: "Staff member moves to another unit: update the directory (the address is kept)",
  },
  options: {
    staff: STAFF_OPTION,
    unit: {
      type: "string",
      value: "UNIT",
      vi: "Đơn vị mới: tên, ký hiệu hoặc ma_don_vi",
      en: "New unit: name, abbreviation or import code",
    },
  },
  schema: z.object({
    staff: staffRef,
    unit: z.string({ message: "Thiếu --unit." }).trim().min(1).max(200),
    positionals: noPositionals,
  }),
  examples: ["mover --staff nguyenvanan@phuyen.gov.vn --unit demo-pnv"],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, person) => {
      const unit = await resolveUnitRef(services, input.unit);
      const { keeperOf } = await services.directory.moveStaff(person.id, unit.id, CLI);
      const text =
        person.unitId === unit.id
          ? `${personLabel(person)} đã ở ${unit.name}; không thay đổi gì.`
          : `Đã chuyển ${person.fullName}${person.externalId ? ` (mã ${person.externalId})` : ""} từ ${person.unitName} sang ${unit.name}.`;
      return done(
        {
          ok: true,
          staffId: person.id,
          staffCode: person.externalId,
          fullName: person.fullName,
          fromUnit: person.unitName,
          unitId: unit.id,
          unit: unit.name,
          keeperOf,
        },
        [text, ...keeperLines(keeperOf)],
      );
    });
  },
});

/** The unit mailboxes a leaver or mover kept: the head is reminded until `keeper` names a new one. */
function keeperLines(keeperOf: readonly string[]): string[] {
  return keeperOf.length
    ? [
        `Hộp thư đơn vị do cán bộ này quản lý cần bàn giao: ${keeperOf.join(", ")}. Thủ trưởng đơn vị sẽ được nhắc cho đến khi giao người quản lý mới (mailbot keeper).`,
      ]
    : [];
}

const keeper = defineCommand({
  path: ["keeper"],
  usage: "keeper --mailbox ADDRESS --staff <MÃ CB|ADDRESS|ID> [--json]",
  summary: {
    vi: "Giao người quản lý hộp thư của cơ quan, đơn vị (sau khi bàn giao)",
    en: "Name the keeper of a unit/group mailbox (after a handover)",
  },
  options: {
    mailbox: { type: "string", value: "ADDRESS", vi: "Địa chỉ hộp thư đơn vị", en: "Unit mailbox address" },
    staff: STAFF_OPTION,
  },
  schema: z.object({
    mailbox: z.string({ message: "Thiếu --mailbox." }).trim().toLowerCase().min(3).max(254),
    staff: staffRef,
    positionals: noPositionals,
  }),
  examples: ["keeper --mailbox vanthu.sotttt@phuyen.gov.vn --staff CB0012"],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, person) => {
      const mailbox = await services.directory.findMailbox(input.mailbox);
      if (!mailbox) {
        return rejected("not_found", `Không có hộp thư ${input.mailbox}. Hãy kiểm tra lại địa chỉ.`);
      }
      const changed = await services.directory.setKeeper(mailbox.id, person.id, CLI);
      return done(
        { ok: true, changed, mailbox: mailbox.address, staffId: person.id, fullName: person.fullName },
        [
          changed
            ? `${personLabel(person)} quản lý hộp thư ${mailbox.address}.`
            : `${personLabel(person)} đã quản lý hộp thư ${mailbox.address}: không thay đổi.`,
        ],
      );
    });
  },
});

export const storeCommands = [
  migrate,
  importCommand("units"),
  importCommand("staff"),
  seed,
  linkCode,
  roleCommand("grant"),
  roleCommand("revoke"),
  leaver,
  mover,
  keeper,
];
