/**
 * A real Dovecot for tests: the generated configuration, on loopback high ports, as an
 * unprivileged user (the `dovecot` system user when the test runs as root, else the current
 * user), reading a fresh PostgreSQL test database as the role `mailbot_mailserver`.
 *
 * Skipped only outside CI when the Debian packages or PostgreSQL are missing (and says so);
 * with CI=true a missing package fails the run.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type { Database } from "../../src/db/client.ts";
import { connectionFromUrl, generateMailserverConfig } from "../../src/mailserver/dovecot-config.ts";
import { startProcess } from "./process.ts";

const REQUIRED = [
  "/usr/sbin/dovecot",
  "/usr/bin/doveadm",
  "/usr/sbin/postmap",
  "/usr/lib/dovecot/modules/lib10_last_login_plugin.so",
  "/usr/lib/dovecot/modules/lib10_quota_plugin.so",
  "/usr/lib/dovecot/modules/auth/libdriver_pgsql.so",
  "/usr/lib/dovecot/lmtp",
  "/usr/lib/dovecot/pop3",
  "/usr/lib/dovecot/imap",
];

function postfixPgsql(): boolean {
  const result = spawnSync("postconf", ["-m"], { encoding: "utf8" });
  return result.status === 0 && /\bpgsql\b/.test(result.stdout);
}

/** Why the mail-server tests cannot run here, or null when they can. */
/** Appended to the tests' dovecot.conf: no failure delay, no auth penalty (anvil). */
const NO_LOGIN_DELAY = `auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;

export function mailserverUnavailable(env: NodeJS.ProcessEnv = process.env): string | null {
  const missing = REQUIRED.filter((path) => !existsSync(path));
  if (missing.length === 0 && !postfixPgsql()) missing.push("postfix-pgsql (postconf -m)");
  if (missing.length > 0) return `missing: ${missing.join(", ")}`;
  if (!env.TEST_DATABASE_URL?.trim())
    return "TEST_DATABASE_URL is not set (the mail server needs PostgreSQL)";
  return null;
}

/** Throws under CI=true instead of skipping. */
export function mailserverTestsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const why = mailserverUnavailable(env);
  if (why === null) return true;
  if (env.CI === "true") throw new Error(`CI=true but the mail-server tests cannot run: ${why}`);
  process.stderr.write(
    `[mailserver tests skipped] ${why}. Install dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-pgsql postfix-pgsql.\n`,
  );
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitForBanner(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      const done = (value: boolean) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(2000, () => done(false));
      socket.once("data", (chunk) => done(chunk.toString().startsWith("* OK")));
      socket.once("error", () => done(false));
      socket.connect(port, "127.0.0.1");
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not answer on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface RunningDovecot {
  dir: string;
  ports: { imap: number; pop3: number; lmtp: number; doveadmHttp: number };
  apiKey: string;
  doveadmUrl: string;
  postfixDir: string;
  log(): string;
  stop(): Promise<void>;
}

function runAs(): { user: string; group: string; uid?: number; gid?: number } {
  const me = userInfo();
  if (me.uid !== 0) {
    const group = spawnSync("id", ["-gn"], { encoding: "utf8" }).stdout.trim();
    return { user: me.username, group };
  }
  const uid = Number(spawnSync("id", ["-u", "dovecot"], { encoding: "utf8" }).stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "dovecot"], { encoding: "utf8" }).stdout.trim());
  return { user: "dovecot", group: "dovecot", uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory())
    for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

/**
 * Starts Dovecot on `database` (a PostgreSQL test database). Always `stop()` it. `timeoutMs`
 * bounds the start; `hardLimitMs` its whole life (it serves a whole test file).
 */
export async function startDovecot(
  database: Database,
  timeoutMs = 60_000, // generous: a loaded machine starts Dovecot slowly
  hardLimitMs = 900_000,
): Promise<RunningDovecot> {
  if (database.driver !== "postgres") throw new Error("Dovecot needs the PostgreSQL driver");
  // The role is created NOLOGIN by the migration; the operator (here: the test) allows login.
  await database.execute(`alter role mailbot_mailserver login`);
  const dir = mkdtempSync(join(tmpdir(), "mailbot-dovecot-"));
  const who = runAs();
  const ports = {
    imap: await freePort(),
    pop3: await freePort(),
    lmtp: await freePort(),
    doveadmHttp: await freePort(),
  };
  const apiKey = randomBytes(18).toString("base64url");
  const files = generateMailserverConfig(connectionFromUrl(database.url), {
    configDir: dir,
    baseDir: join(dir, "run"),
    stateDir: join(dir, "state"),
    mailRoot: join(dir, "mail"),
    logPath: join(dir, "dovecot.log"),
    mailUser: who.user,
    mailGroup: who.group,
    unprivileged: true,
    listen: "127.0.0.1",
    ports,
    doveadmApiKey: apiKey,
    tls: null,
    postmaster: "postmaster@mailbot.test",
    instanceName: `mailbot-${randomBytes(4).toString("hex")}`,
  });
  mkdirSync(join(dir, "postfix"));
  for (const file of files) {
    // Tests only: a refused login answers at once, without Dovecot's brute-force delay (2 s, and
    // growing per client IP: every test logs in from 127.0.0.1). The generated configuration
    // keeps both; the tests assert the refusal, not its timing.
    const content = file.name === "dovecot.conf" ? `${file.content}\n${NO_LOGIN_DELAY}` : file.content;
    writeFileSync(join(dir, file.name), content, { mode: file.mode });
  }
  if (who.uid !== undefined && who.gid !== undefined) chownTree(dir, who.uid, who.gid);

  // Through the one spawn helper: its own process group (Dovecot's auth, imap and lmtp children
  // go with it) and a hard limit, so a test file that dies cannot leave it holding its ports.
  const child = startProcess("/usr/sbin/dovecot", ["-F", "-c", join(dir, "dovecot.conf")], {
    timeoutMs: hardLimitMs,
    ...(who.uid !== undefined ? { uid: who.uid, gid: who.gid } : {}),
  });
  const readLog = (): string => {
    const path = join(dir, "dovecot.log");
    return `${child.stdout()}${child.stderr()}${existsSync(path) ? spawnSync("tail", ["-n", "60", path], { encoding: "utf8" }).stdout : ""}`;
  };
  const stop = async (): Promise<void> => {
    await child.stop(5000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForBanner(ports.imap, Date.now() + timeoutMs),
      child.exited.then(() => {
        throw new Error(`Dovecot exited at start-up:\n${readLog()}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    dir,
    ports,
    apiKey,
    doveadmUrl: `http://127.0.0.1:${ports.doveadmHttp}/doveadm/v1`,
    postfixDir: join(dir, "postfix"),
    log: readLog,
    stop,
  };
}

/** `postmap -q KEY pgsql:FILE`: the value, or null when the map has no entry. */
export function postmapQuery(file: string, key: string): string | null {
  const result = spawnSync("/usr/sbin/postmap", ["-q", key, `pgsql:${file}`], {
    encoding: "utf8",
    timeout: 15_000,
  });
  if (result.status === 1) return null;
  if (result.status !== 0) throw new Error(`postmap failed (${result.status}): ${result.stderr}`);
  return result.stdout.trim();
}
