// `mailbot mailserver …` as a real process: what it writes, what it refuses, what it never prints.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cleanEnv, startNode, stopAllProcesses } from "../helpers/process.ts";

afterEach(stopAllProcesses);

async function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = startNode(["--import", "tsx", "src/cli.ts", ...args], {
    env: cleanEnv(/^(DATABASE_URL|MAILSERVER|DOVEADM_API_URL|DOVEADM_API_KEY)$/, {
      LOG_LEVEL: "warn",
      NO_COLOR: "1",
      ...env,
    }),
    timeoutMs: 120_000,
  });
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const KEY = "k3y-for-doveadm-api-0123456789";
const DB = "postgres://mailbot@db.internal:5432/mailbot";

describe("mailbot mailserver config", () => {
  it("writes Dovecot and Postfix files for the role, with TLS; the role's password only in the 0640 files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailbot-mscfg-"));
    const pw = join(dir, "role.pw");
    writeFileSync(pw, "Role-Secret-42\n");
    const out = join(dir, "out");
    const r = await cli(
      [
        "mailserver",
        "config",
        "--out",
        out,
        "--postmaster",
        "postmaster@phuyen.gov.vn",
        "--tls-cert",
        "/etc/ssl/certs/mail.pem",
        "--tls-key",
        "/etc/ssl/private/mail.key",
        "--db-password-file",
        pw,
        "--json",
      ],
      { DATABASE_URL: DB, DOVEADM_API_KEY: KEY },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("Role-Secret-42");
    const conf = readFileSync(join(out, "dovecot.conf"), "utf8");
    expect(conf).toContain("ssl = required");
    expect(conf).toContain("disable_plaintext_auth = yes");
    expect(conf).toContain("last_login_key = last-login/%s/%u");
    const sqlConf = readFileSync(join(out, "dovecot-sql.conf.ext"), "utf8");
    expect(sqlConf).toContain(
      "connect = host=db.internal port=5432 dbname=mailbot user=mailbot_mailserver password=Role-Secret-42",
    );
    expect(sqlConf).toMatch(/password_query = SELECT .* FROM mailserver_passdb/);
    expect(statSync(join(out, "dovecot-sql.conf.ext")).mode & 0o777).toBe(0o640);
    const map = readFileSync(join(out, "postfix", "pgsql-sender-access.cf"), "utf8");
    expect(map).toContain("user = mailbot_mailserver");
    expect(map).toContain("FROM mailserver_sender_access");
    // Nothing generated names mailbot's own database user.
    for (const name of ["dovecot-sql.conf.ext", "dovecot-dict-sql.conf.ext", "postfix/pgsql-mailboxes.cf"]) {
      expect(readFileSync(join(out, name), "utf8")).not.toMatch(/user\s*=\s*mailbot\b(?!_)/);
    }
    if (existsSync("/usr/sbin/dovecot")) {
      // Dovecot itself parses what we wrote (TLS files and the vmail user are not needed for -n).
      const check = spawnSync("/usr/sbin/dovecot", ["-n", "-c", join(out, "dovecot.conf")], {
        encoding: "utf8",
      });
      expect(check.stderr).not.toMatch(/Error|Fatal/);
    }
  }, 240_000);

  it("refuses without a PostgreSQL DATABASE_URL, without TLS or --no-tls, and when MAILSERVER=none", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailbot-mscfg-"));
    const base = ["mailserver", "config", "--out", dir, "--postmaster", "postmaster@phuyen.gov.vn"];
    // Independent processes: started together, so a busy machine waits for them once.
    const [noPg, noTls, none, half] = await Promise.all([
      cli([...base, "--no-tls", "--json"], { DOVEADM_API_KEY: KEY }),
      cli(base, { DATABASE_URL: DB, DOVEADM_API_KEY: KEY }),
      cli(["mailserver", "sync", "--json"], {}),
      cli(["mailserver", "sync"], { MAILSERVER: "dovecot", DATABASE_URL: DB }),
    ]);
    expect(noPg.code).toBe(1);
    expect(JSON.parse(noPg.stdout)).toMatchObject({ ok: false, error: { code: "needs_postgresql" } });
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toContain("--tls-cert");
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ error: { code: "mailserver_none" } });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("DOVEADM_API_URL");
  }, 240_000);
});
