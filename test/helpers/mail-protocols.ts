/** Minimal raw-socket clients for tests: IMAP LOGIN, POP3 USER/PASS and LMTP delivery. */
import { Socket } from "node:net";

/** A line-oriented conversation: send a line, wait for a reply line that matches. */
class LineSocket {
  #buffer = "";
  #waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  #lines: string[] = [];
  readonly socket = new Socket();

  constructor() {
    this.socket.setEncoding("utf8");
    this.socket.on("data", (chunk: string) => {
      this.#buffer += chunk;
      let i: number;
      while ((i = this.#buffer.indexOf("\r\n")) >= 0) {
        const line = this.#buffer.slice(0, i);
        this.#buffer = this.#buffer.slice(i + 2);
        this.#lines.push(line);
        this.#wake();
      }
    });
    this.socket.on("error", () => undefined);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      const index = this.#lines.findIndex(waiter.test);
      if (index >= 0) {
        const [line] = this.#lines.splice(0, index + 1).slice(-1);
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(line as string);
      }
    }
  }

  connect(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.connect(port, "127.0.0.1", () => resolve());
    });
  }

  waitFor(test: (line: string) => boolean, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply in ${timeoutMs} ms`)), timeoutMs);
      this.#waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      this.#wake();
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}

const quote = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** The tagged reply to LOGIN, e.g. "a1 OK Logged in" or "a1 NO [CONTACTADMIN] …". */
export async function imapLogin(port: number, user: string, password: string): Promise<string> {
  const s = new LineSocket();
  try {
    await s.connect(port);
    await s.waitFor((l) => l.startsWith("* OK"));
    s.send(`a1 LOGIN ${quote(user)} ${quote(password)}`);
    const reply = await s.waitFor((l) => l.startsWith("a1 "));
    s.send("a2 LOGOUT");
    return reply;
  } finally {
    s.close();
  }
}

/** The reply to PASS, e.g. "+OK Logged in." or "-ERR …". */
export async function pop3Login(port: number, user: string, password: string): Promise<string> {
  const s = new LineSocket();
  try {
    await s.connect(port);
    await s.waitFor((l) => l.startsWith("+OK"));
    s.send(`USER ${user}`);
    await s.waitFor((l) => l.startsWith("+OK") || l.startsWith("-ERR"));
    s.send(`PASS ${password}`);
    const reply = await s.waitFor((l) => l.startsWith("+OK") || l.startsWith("-ERR"));
    s.send("QUIT");
    return reply;
  } finally {
    s.close();
  }
}

/** Delivers one message over LMTP; returns the reply to RCPT (a refusal) or to the data (per recipient). */
export async function lmtpDeliver(port: number, from: string, to: string, message: string): Promise<string> {
  const s = new LineSocket();
  const final = (l: string) => /^\d{3} /.test(l);
  try {
    await s.connect(port);
    await s.waitFor((l) => l.startsWith("220 "));
    s.send("LHLO mailbot.test");
    await s.waitFor((l) => l.startsWith("250 "));
    s.send(`MAIL FROM:<${from}>`);
    await s.waitFor(final);
    s.send(`RCPT TO:<${to}>`);
    const rcpt = await s.waitFor(final);
    if (!rcpt.startsWith("250")) return rcpt;
    s.send("DATA");
    await s.waitFor(final);
    const body = message.replace(/\r?\n/g, "\r\n").replace(/^\./gm, "..");
    s.socket.write(`${body}\r\n.\r\n`);
    const reply = await s.waitFor(final, 30_000);
    s.send("QUIT");
    return reply;
  } finally {
    s.close();
  }
}

export function officialMessage(input: {
  from: string;
  to: string;
  subject: string;
  messageId: string;
  headers?: string[];
  body?: string;
}): string {
  return [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${input.subject}`,
    `Message-ID: ${input.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    ...(input.headers ?? []),
    "",
    input.body ?? "Kinh gui don vi, de nghi phuc dap truoc ngay 10.",
    "",
  ].join("\n");
}
