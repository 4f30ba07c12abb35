/**
 * `audit verify` (the audit hash chain) and `db roles` (the least-privilege role set-up):
 * issue 9 item 1, docs/security.md.
 */
import { z } from "zod";
import { noPositionals } from "./common.ts";
import { defineCommand, done, rejected, UsageError } from "./types.ts";

const auditVerify = defineCommand({
  path: ["audit", "verify"],
  usage: "audit verify [--json]",
  summary: {
    vi: "Kiểm tra chuỗi băm của nhật ký kiểm toán",
    en: "Verify the audit log's hash chain",
  },
  details: {
    vi: "Tính lại mã băm từng dòng theo thứ tự chuỗi. Toàn vẹn: in số dòng và mã băm cuối (nên ghi lại ở nơi khác). Đứt: in dòng đầu tiên bị đứt, mã thoát 1.",
    en: "Recomputes every row's hash in chain order. Intact: prints the count and the head hash (write it down elsewhere). Broken: names the first broken row, exit 1.",
  },
  options: {},
  schema: z.object({ positionals: noPositionals }),
  examples: ["audit verify", "audit verify --json"],
  async run(_input, ctx) {
    // The database layer loads only when this command runs (fast pure commands; see types.ts).
    const { REASON_TEXT, verifyAuditChain } = await import("../services/audit-verify.ts");
    const result = await ctx.withDatabase((database) => verifyAuditChain(database.db));
    if (result.ok) {
      return done({ ok: true, count: result.count, head: result.head }, [
        `ok: nhật ký kiểm toán toàn vẹn, ${result.count} dòng. Mã băm cuối / head: ${result.head}`,
      ]);
    }
    const { broken } = result;
    const where = broken.id === null ? "cuối chuỗi / end of the chain" : `dòng id ${broken.id}`;
    const message = `Chuỗi băm nhật ký kiểm toán bị đứt tại ${where}: ${REASON_TEXT[broken.reason]}. ${result.count} dòng trước đó hợp lệ.`;
    return rejected("audit_chain_broken", message, { broken, verified: result.count });
  },
});

const dbRoles = defineCommand({
  path: ["db", "roles"],
  usage: "db roles [--apply] [--database NAME] [--json]",
  summary: {
    vi: "In (hoặc áp dụng) lệnh SQL tạo vai trò mailbot_owner / mailbot_app",
    en: "Print (or apply) the SQL for the mailbot_owner / mailbot_app roles",
  },
  details: {
    vi: "Không có --apply: in lệnh SQL để quản trị viên PostgreSQL chạy. --apply: cấp lại quyền cho mailbot_app bằng MIGRATION_DATABASE_URL (vai trò sở hữu).",
    en: "Without --apply: prints the SQL for a PostgreSQL superuser. --apply: re-grants mailbot_app's rights through MIGRATION_DATABASE_URL (the owner).",
  },
  options: {
    apply: { type: "boolean", vi: "Cấp quyền ngay (cần MIGRATION_DATABASE_URL)", en: "Apply the grants now" },
    database: {
      type: "string",
      value: "NAME",
      vi: "Tên cơ sở dữ liệu (mặc định mailbot)",
      en: "Database name",
    },
  },
  schema: z.object({
    positionals: noPositionals,
    apply: z.boolean().optional(),
    database: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "Tên cơ sở dữ liệu chỉ gồm a-z, 0-9, _.")
      .default("mailbot"),
  }),
  examples: ["db roles", "db roles --apply"],
  async run(input, ctx) {
    const { APP_GRANTS, APP_ROLE, operatorSetupSql } = await import("../db/roles.ts");
    if (!input.apply) {
      const lines = operatorSetupSql(input.database);
      return done({ sql: lines.filter((l) => !l.startsWith("--")) }, lines);
    }
    const url = ctx.config.migrationDatabaseUrl;
    if (!url) {
      throw new UsageError(
        "Cần MIGRATION_DATABASE_URL (vai trò sở hữu mailbot_owner) để cấp quyền. / MIGRATION_DATABASE_URL is required.",
      );
    }
    const { openDatabase } = await import("../db/client.ts");
    const owner = await openDatabase({ url, maxConnections: 1 });
    try {
      const [exists] = await owner.execute<{ n: number }>(
        `select count(*)::int as n from pg_roles where rolname = '${APP_ROLE}'`,
      );
      if (!exists?.n) {
        return rejected(
          "role_missing",
          `Chưa có vai trò ${APP_ROLE}: chạy "mailbot db roles" để xem lệnh tạo.`,
        );
      }
      await owner.db.transaction(async (tx) => {
        for (const statement of APP_GRANTS) await tx.execute(statement);
      });
    } finally {
      await owner.close();
    }
    return done({ applied: APP_GRANTS.length, role: APP_ROLE }, [
      `Đã cấp quyền cho ${APP_ROLE} (${APP_GRANTS.length} lệnh).`,
    ]);
  },
});

export const auditCommands = [auditVerify, dbRoles];
