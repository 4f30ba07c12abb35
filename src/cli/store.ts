/**
 * `migrate`, `import units|staff`, `seed demo`, `link-code`, `role grant|revoke`, `leaver`: the
 * directory and request store from the command line. Each runs in `ctx.withDatabase` (the
 * configured database, migrated, closed afterwards); refusals from the services (ServiceError)
 * become exit 1 with their message in the router.
 */
import { z } from "zod";
import { databaseTargetOf } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Role } from "../policy/types.ts";
import { ROLES } from "../policy/types.ts";
import { MAX_FILE_BYTES, STAFF_HEADERS, UNIT_HEADERS } from "../services/import-columns.ts";
import { isServiceError } from "../services/errors.ts";
import type { ImportReport } from "../services/import/index.ts";
import type { Services } from "../services/index.ts";
import { CLI } from "../services/types.ts";
import { calendarDate, noPositionals, PROFILE_OPTION, vnHuman } from "./common.ts";
import { defineCommand, done, rejected, UsageError, type CliContext, type CliOption } from "./types.ts";

/** "--staff 12" or "--staff an@phuyen.gov.vn". */
const staffRef = z
  .string({ message: "Thiếu --staff (mã cán bộ hoặc địa chỉ thư)." })
  .trim()
  .min(1)
  .max(254)
  .transform((s) => (/^\d{1,12}$/.test(s) ? { staffId: Number(s) } : { address: s }));
type StaffRef = z.output<typeof staffRef>;

const STAFF_OPTION: CliOption = {
  type: "string",
  value: "ID|ADDRESS",
  vi: "Mã cán bộ hoặc địa chỉ thư",
  en: "Staff id or mailbox address",
};

/** Runs `fn` on the services with `--staff` resolved to a staff id (not found: exit 1). */
async function withStaff<T>(
  ctx: CliContext,
  ref: StaffRef,
  fn: (services: Services, staffId: number, database: Database) => Promise<T>,
): Promise<T> {
  const [{ createContext }, { resolveStaffRef }] = await Promise.all([
    import("../services/context.ts"),
    import("../services/identity.ts"),
  ]);
  return ctx.withServices(async (services, database) =>
    fn(services, await resolveStaffRef(createContext(database), ref), database),
  );
}

/** "--unit 7" or "--unit demo-stttt" (the unit's import code). */
async function resolveUnitRef(services: Services, ref: string): Promise<number> {
  return (await services.directory.findUnitByRef(ref)).id;
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

function importText(report: ImportReport, skipBad: boolean): string[] {
  const lines: string[] = [];
  if (report.written) {
    lines.push(
      `Đã nhập ${report.rows} dòng: ${report.created} mới, ${report.updated} cập nhật, ${report.unchanged} không đổi` +
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
  return lines;
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
      const report = await ctx.withDatabase((database) =>
        kind === "units" ? importUnits(database, bytes, options) : importStaff(database, bytes, options),
      );
      const text = importText(report, options.skipBad);
      if (!report.written && report.errors.length > 0) {
        return rejected("bad_rows", text[0] as string, { report }, text);
      }
      return done({ ok: true, report }, text);
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
  options: {},
  schema: z.object({ positionals: noPositionals }),
  examples: ["seed demo"],
  async run(_input, ctx) {
    const { seedDemo } = await import("../demo/seed.ts");
    const report = await ctx.withDatabase((database) => seedDemo(database));
    const text = [
      report.changed ? "Đã tạo dữ liệu mẫu." : "Dữ liệu mẫu đã có sẵn, không thay đổi gì.",
      `${report.units} đơn vị, ${report.staff} cán bộ, ${report.mailboxes} hộp thư. Thử trong trò chuyện trên máy với /as <tên>:`,
      ...report.users.map((u) => `  ${u.name} — ${u.note}${u.address ? ` (${u.address})` : ""}`),
    ];
    return done({ ...report }, text);
  },
});

const linkCode = defineCommand({
  path: ["link-code"],
  usage: "link-code --staff <ID|ADDRESS> [--ttl-hours H] [--json]",
  summary: {
    vi: "Tạo mã liên kết tài khoản Telegram cho một cán bộ",
    en: "Create a Telegram link code for a staff member",
  },
  details: {
    vi: "Mã dùng một lần, hết hạn sau 24 giờ (mặc định). Đưa cho cán bộ đường dẫn in ra (cần BOT_USERNAME) hoặc mã để gõ /start <mã>.",
    en: "Single use, expires after 24 hours by default. Give the printed link (needs BOT_USERNAME) or the code (/start <code>).",
  },
  options: {
    staff: STAFF_OPTION,
    "ttl-hours": { type: "string", value: "H", vi: "Hiệu lực (giờ, 1–720)", en: "Validity in hours (1–720)" },
  },
  schema: z.object({
    staff: staffRef,
    "ttl-hours": z
      .string()
      .regex(/^\d{1,3}$/, { message: "Số giờ phải là số nguyên." })
      .transform(Number)
      .refine((n) => n >= 1 && n <= 720, { message: "Từ 1 đến 720 giờ." })
      .optional(),
    positionals: noPositionals,
  }),
  examples: ["link-code --staff nguyenvanan@phuyen.gov.vn", "link-code --staff 12 --ttl-hours 2 --json"],
  async run(input, ctx) {
    const result = await ctx.withServices((services) =>
      services.identity.createLinkCode(input.staff, CLI, (input["ttl-hours"] ?? 24) * 60),
    );
    const bot = ctx.config.botUsername;
    const url = bot ? `https://t.me/${bot}?start=${result.code}` : null;
    return done(
      { code: result.code, url, staffId: result.staffId, expiresAt: result.expiresAt.toISOString() },
      [
        `Mã liên kết cho cán bộ #${result.staffId}: ${result.code} (dùng một lần, hết hạn ${vnHuman(result.expiresAt)}).`,
        url
          ? `Đường dẫn: ${url}`
          : "Đặt BOT_USERNAME để in đường dẫn t.me; hoặc bảo cán bộ gõ /start " + result.code + " với bot.",
      ],
    );
  },
});

const roleCommand = (action: "grant" | "revoke") =>
  defineCommand({
    path: ["role", action],
    usage: `role ${action} --staff <ID|ADDRESS> --role ${ROLES.join("|")} [--unit UNIT_ID|MA_DON_VI] [--json]`,
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
        vi: "Mã số đơn vị hoặc ma_don_vi",
        en: "Unit id or its import code",
      },
    },
    schema: z.object({
      staff: staffRef,
      role: z.enum(ROLES, { message: `Quyền phải là một trong: ${ROLES.join(", ")}.` }),
      unit: z.string().trim().min(1).max(60).optional(),
      positionals: noPositionals,
    }),
    examples: [
      `role ${action} --staff 12 --role support`,
      `role ${action} --staff annv@phuyen.gov.vn --role clerk --unit demo-stttt`,
    ],
    async run(input, ctx) {
      return withStaff(ctx, input.staff, async (services, staffId) => {
        const unitId = input.unit ? await resolveUnitRef(services, input.unit) : null;
        await services.access[action](staffId, input.role as Role, unitId, CLI);
        const scope = unitId === null ? "toàn hệ thống" : `đơn vị #${unitId} và cấp dưới`;
        return done({ ok: true, staffId, role: input.role, unitId }, [
          action === "grant"
            ? `Đã cấp quyền ${input.role} cho cán bộ #${staffId} (${scope}).`
            : `Đã thu hồi quyền ${input.role} của cán bộ #${staffId} (${scope}).`,
        ]);
      });
    },
  });

const leaver = defineCommand({
  path: ["leaver"],
  usage: "leaver --staff <ID|ADDRESS> --left YYYY-MM-DD [--json]",
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
  examples: ["leaver --staff nguyenvanan@phuyen.gov.vn --left 2026-12-31"],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, staffId) => {
      const result = await services.directory.markLeaver(staffId, input.left, CLI);
      return done(
        {
          staffId,
          leftOn: input.left,
          sendLockAt: result.sendLockAt?.toISOString() ?? null,
          revokeAt: result.revokeAt.toISOString(),
          mailboxes: result.mailboxes,
          keeperOf: result.keeperOf,
        },
        [
          `Cán bộ #${staffId} nghỉ từ ${input.left}.`,
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
  usage: "mover --staff <ID|ADDRESS> --unit UNIT_ID|MA_DON_VI [--json]",
  summary: {
    vi: "Cán bộ chuyển đơn vị trong cùng cơ quan: cập nhật danh bạ (địa chỉ thư giữ nguyên)",
    en: "Staff member moves to another unit: update the directory (the address is kept)",
  },
  options: {
    staff: STAFF_OPTION,
    unit: {
      type: "string",
      value: "UNIT",
      vi: "Mã số đơn vị mới hoặc ma_don_vi",
      en: "New unit id or import code",
    },
  },
  schema: z.object({
    staff: staffRef,
    unit: z.string({ message: "Thiếu --unit." }).trim().min(1).max(60),
    positionals: noPositionals,
  }),
  examples: ["mover --staff nguyenvanan@phuyen.gov.vn --unit demo-pnv"],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, staffId) => {
      const unitId = await resolveUnitRef(services, input.unit);
      const { keeperOf } = await services.directory.moveStaff(staffId, unitId, CLI);
      return done({ ok: true, staffId, unitId, keeperOf }, [
        `Đã chuyển cán bộ #${staffId} sang đơn vị #${unitId}.`,
        ...keeperLines(keeperOf),
      ]);
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
  usage: "keeper --mailbox ADDRESS --staff <ID|ADDRESS> [--json]",
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
  examples: ["keeper --mailbox vanthu.sotttt@phuyen.gov.vn --staff 12"],
  async run(input, ctx) {
    return withStaff(ctx, input.staff, async (services, staffId) => {
      const mailbox = await services.directory.findMailbox(input.mailbox);
      if (!mailbox) {
        return rejected("not_found", `Không có hộp thư ${input.mailbox}. Hãy kiểm tra lại địa chỉ.`);
      }
      const changed = await services.directory.setKeeper(mailbox.id, staffId, CLI);
      return done({ ok: true, changed, mailbox: mailbox.address, staffId }, [
        changed
          ? `Cán bộ #${staffId} quản lý hộp thư ${mailbox.address}.`
          : `Cán bộ #${staffId} đã quản lý hộp thư ${mailbox.address}: không thay đổi.`,
      ]);
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
