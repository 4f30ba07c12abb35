// The profile's mail limits reach Postfix: `mailbot mailserver config --profile P` writes the
// attachment size the document allows (mic Điều 8.3b: 20 MB; Postfix's default 10 MB would refuse
// it) and a mime_header_checks table refusing the file types it forbids (ninhbinh Điều 11.6:
// "Không gửi nhận tệp tin thực thi", i.e. *.exe, *.com, *.dll, *.net — Điều 3.7). The table is
// checked with Postfix's own `postmap -q`, as Postfix reads it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliInProcess } from "../helpers/cli.ts";

const ENV = {
  DATABASE_URL: "postgres://mailbot@db.internal:5432/mailbot",
  DOVEADM_API_KEY: "k3y-for-doveadm-api-0123456789",
};
const POSTMAP = "/usr/sbin/postmap";

async function generate(profile: string | null): Promise<{ out: string; stdout: string }> {
  const out = join(mkdtempSync(join(tmpdir(), "mailbot-limits-")), "out");
  const args = [
    "mailserver",
    "config",
    "--out",
    out,
    "--postmaster",
    "postmaster@example.gov.vn",
    "--no-tls",
  ];
  const r = await runCliInProcess(profile ? [...args, "--profile", profile] : args, { env: ENV });
  expect(r.code, r.stderr).toBe(0);
  return { out, stdout: r.stdout };
}

/** What Postfix's regexp table answers for one MIME header line; null when nothing matches. */
function mimeCheck(table: string, header: string): string | null {
  const r = spawnSync(POSTMAP, ["-q", header, `regexp:${table}`], { encoding: "utf8", timeout: 15_000 });
  if (r.status === 1) return null;
  if (r.status !== 0) throw new Error(`postmap failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

describe("mailserver config --profile: the document's mail limits in Postfix", () => {
  it("mic allows 20 MB attachments per message (message_size_limit leaves room for base64), blocks no type", async () => {
    const { out, stdout } = await generate("mic");
    const mainCf = readFileSync(join(out, "postfix", "main.cf.mailbot"), "utf8");
    const limit = Number(/^message_size_limit = (\d+)$/m.exec(mainCf)?.[1]);
    // A 20 MB attachment is 26.7 MB once base64-encoded: it must fit, with room for the text.
    expect(limit).toBeGreaterThan((20 * 1024 * 1024 * 4) / 3);
    expect(limit).toBeLessThan(32 * 1024 * 1024);
    expect(mainCf).toContain("Điều 8.3b");
    expect(mainCf).not.toContain("mime_header_checks");
    expect(existsSync(join(out, "postfix", "blocked-attachments.regexp"))).toBe(false);
    expect(stdout).toContain("tối đa 20 MB/thư");
  });

  it("ninhbinh refuses executable attachments (Điều 11.6) and lets documents through", async () => {
    const { out, stdout } = await generate("ninhbinh");
    const mainCf = readFileSync(join(out, "postfix", "main.cf.mailbot"), "utf8");
    expect(mainCf).toContain("mime_header_checks = regexp:/etc/postfix/mailbot/blocked-attachments.regexp");
    expect(mainCf).not.toContain("message_size_limit");
    expect(stdout).toContain("chặn tệp .exe .com .dll .net");
    const table = join(out, "postfix", "blocked-attachments.regexp");
    if (!existsSync(POSTMAP)) {
      expect(process.env.CI, "CI installs postfix: postmap must be there").not.toBe("true");
      return;
    }
    for (const header of [
      'Content-Disposition: attachment; filename="setup.exe"',
      "Content-Type: application/octet-stream; name=TOOL.DLL",
      'Content-Type: application/x-msdownload; name="a.b.com"; charset=binary',
      'Content-Type: application/octet-stream; name= "cai dat.exe"',
      'Content-Disposition: attachment; filename*0="bao-cao.net"',
    ]) {
      expect(mimeCheck(table, header), header).toMatch(/^REJECT .*dieu 11\.6/);
    }
    for (const header of [
      'Content-Disposition: attachment; filename="bao-cao.pdf"',
      'Content-Disposition: attachment; filename="exe-huong-dan.docx"',
      'Content-Disposition: attachment; filename="ghi-chu-exe"',
      "Content-Type: text/plain; charset=utf-8",
    ]) {
      expect(mimeCheck(table, header), header).toBeNull();
    }
  });

  it("without --profile, says Postfix keeps its defaults", async () => {
    const { out, stdout } = await generate(null);
    expect(readFileSync(join(out, "postfix", "main.cf.mailbot"), "utf8")).not.toMatch(
      /message_size_limit|mime_header_checks/,
    );
    expect(stdout).toContain("Chưa có --profile");
  });
});
