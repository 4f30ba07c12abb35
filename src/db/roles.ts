/**
 * Least-privilege roles on a PostgreSQL server (docs/security.md):
 *   mailbot_owner  owns the database and runs migrations (MIGRATION_DATABASE_URL);
 *   mailbot_app    the bot, scheduler and CLI at run time (DATABASE_URL): read/write on the
 *                  tables, but only SELECT/INSERT on audit_log and SELECT on audit_chain_head;
 *                  owns nothing, so it cannot ALTER or DISABLE a trigger.
 * Migration 0005 applies the same grants when it can; `mailbot db roles --apply` re-applies
 * them (e.g. when the role was created after the migration ran).
 */

export const OWNER_ROLE = "mailbot_owner";
export const APP_ROLE = "mailbot_app";

/** Grants for mailbot_app, run as the owner in the mailbot database. Idempotent. */
export const APP_GRANTS: readonly string[] = [
  `GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`,
  `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`,
  `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM ${APP_ROLE}`,
  `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_chain_head FROM ${APP_ROLE}`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`,
  `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`,
];

/** What a superuser runs once, before the first `mailbot migrate`, to create both roles. */
export function operatorSetupSql(database = "mailbot"): string[] {
  return [
    `-- Chạy một lần bằng tài khoản quản trị PostgreSQL (superuser); thay mật khẩu.`,
    `-- Run once as a PostgreSQL superuser; replace the passwords.`,
    `CREATE ROLE ${OWNER_ROLE} LOGIN PASSWORD 'đổi-mật-khẩu-owner';`,
    `CREATE ROLE ${APP_ROLE} LOGIN PASSWORD 'đổi-mật-khẩu-app';`,
    `CREATE DATABASE ${database} OWNER ${OWNER_ROLE};`,
    `-- .env:`,
    `--   MIGRATION_DATABASE_URL=postgres://${OWNER_ROLE}:…@host:5432/${database}`,
    `--   DATABASE_URL=postgres://${APP_ROLE}:…@host:5432/${database}`,
    `-- Sau đó / then: mailbot migrate   (the migration grants ${APP_ROLE} its rights)`,
    `-- Quyền của ${APP_ROLE}, chạy bằng ${OWNER_ROLE} trong CSDL ${database} (mailbot db roles --apply):`,
    ...APP_GRANTS.map((statement) => `${statement};`),
  ];
}
