// The operator's directory through the CLI, in-process, on one embedded PGlite folder: import,
// staff list/find, --staff by mã cán bộ (and its refusals), names instead of ids in the output,
// link codes for a whole unit. The steps build on each other, so they run in order.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { runCliInProcess, type Run } from "../helpers/cli.ts";
import { seedPgliteDir } from "../helpers/db.ts";

let dir = "";

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite"), ...env } });
}

/** A query on this file's database while no CLI command holds it. */
async function query<T extends Record<string, unknown>>(text: string): Promise<T[]> {
  const database = await openDatabase({ dataDir: join(dir, "pglite") });
  try {
    return await database.execute<T>(text);
  } finally {
    await database.close();
  }
}

function json<T = Record<string, unknown>>(r: Run): T {
  const text = r.stdout.trim();
  expect(text.split("\n"), r.stderr).toHaveLength(1);
  return JSON.parse(text) as T;
}

const UNITS_CSV =
  "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so\n" +
  "OP-SO,Sở Vận Hành,co_quan,sovh,,phuyen\n" +
  "OP-P1,Phòng Tổ chức,phong,ptc,OP-SO,phuyen\n" +
  "OP-P2,Phòng Kỹ thuật,phong,pkt,OP-SO,phuyen\n" +
  "OP-KHAC,Sở Khác,co_quan,sokhac,,phuyen\n";

// Two people named Nguyễn Văn An (different units); one with an address in the file.
const STAFF_CSV =
  "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email\n" +
  "CB001,Nguyễn Văn An,1985-03-02,OP-P1,Trưởng phòng,bien_che,,annv.op@phuyen.gov.vn\n" +
  "CB002,Nguyễn Văn An,1990-07-15,OP-P2,nhan_vien,bien_che,,\n" +
  "CB003,Trần Thị Bích Ngọc,1992-01-20,OP-P2,Văn thư,bien_che,,\n" +
  "CB004,Lê Hoàng Phúc,1979-12-01,OP-KHAC,nhan_vien,bien_che,,\n";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-operator-cli-"));
  await seedPgliteDir(join(dir, "pglite"));
  writeFileSync(join(dir, "units.csv"), UNITS_CSV);
  writeFileSync(join(dir, "staff.csv"), STAFF_CSV);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Listed {
  staffId: number;
  code: string | null;
  fullName: string;
  unit: string;
  position: string;
  mailboxes: { address: string; status: string }[];
  roles: { role: string; unitName: string | null }[];
}

describe("the operator's directory", { timeout: 300_000 }, () => {
  it("imports units and staff", async () => {
    const units = await cli(["import", "units", join(dir, "units.csv")]);
    expect(units.code, units.stderr).toBe(0);
    const people = await cli(["import", "staff", join(dir, "staff.csv")]);
    expect(people.code, people.stdout + people.stderr).toBe(0);
    expect(people.stdout).toContain("4 mới");
  });

  it("staff list --unit by name shows the subtree as a table with codes, units, chức vụ, addresses", async () => {
    const r = await cli(["staff", "list", "--unit", "so van hanh"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("3 cán bộ (Sở Vận Hành và các đơn vị cấp dưới):");
    expect(lines[1]).toMatch(/^Mã CB\s+Họ và tên\s+Đơn vị\s+Chức vụ\s+Hộp thư\s+Vai trò\s+Telegram/);
    const an = lines.find((l) => l.startsWith("CB001"));
    expect(an).toMatch(
      /Nguyễn Văn An\s+Phòng Tổ chức\s+Lãnh đạo phòng\s+annv\.op@phuyen\.gov\.vn \(hoạt động\)/,
    );
    expect(r.stdout).not.toContain("Lê Hoàng Phúc");

    const all = json<{ count: number; staff: Listed[] }>(
      await cli(["staff", "list", "--profile", "phuyen", "--json"]),
    );
    expect(all.count).toBe(4);
    expect(all.staff.map((s) => s.code).sort()).toEqual(["CB001", "CB002", "CB003", "CB004"]);

    const unknown = await cli(["staff", "list", "--unit", "Phòng Tổ"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("Không có đơn vị “Phòng Tổ”. Có phải: Phòng Tổ chức (ma_don_vi OP-P1)?");
  });

  it("staff find: without diacritics, with a typo, by code, by address", async () => {
    const plain = json<{ staff: Listed[] }>(await cli(["staff", "find", "tran thi bich ngoc", "--json"]));
    expect(plain.staff.map((s) => s.code)).toEqual(["CB003"]);

    const typo = json<{ staff: Listed[] }>(await cli(["staff", "find", "Tran Thi Bich Ngoic", "--json"]));
    expect(typo.staff.map((s) => s.code)).toEqual(["CB003"]);

    const byCode = json<{ staff: Listed[] }>(await cli(["staff", "find", "cb004", "--json"]));
    expect(byCode.staff.map((s) => s.fullName)).toEqual(["Lê Hoàng Phúc"]);

    const byAddress = await cli(["staff", "find", "annv.op"]);
    expect(byAddress.code, byAddress.stderr).toBe(0);
    expect(byAddress.stdout).toContain("1 cán bộ khớp “annv.op”:");
    expect(byAddress.stdout).toContain("CB001");

    const both = json<{ staff: Listed[] }>(await cli(["staff", "find", "nguyen", "van", "an", "--json"]));
    expect(both.staff.map((s) => s.code).sort()).toEqual(["CB001", "CB002"]);

    const none = await cli(["staff", "find", "khong co ai"]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("Không tìm thấy cán bộ nào khớp “khong co ai”.");
  });

  it("--staff takes the mã cán bộ; the output names the person and the unit, not internal ids", async () => {
    const granted = await cli(["role", "grant", "--staff", "CB003", "--role", "clerk", "--unit", "OP-P2"]);
    expect(granted.code, granted.stdout + granted.stderr).toBe(0);
    expect(granted.stdout.trim()).toBe(
      "Đã cấp quyền văn thư (clerk) cho Trần Thị Bích Ngọc (mã CB003, Phòng Kỹ thuật), phạm vi Phòng Kỹ thuật và các đơn vị cấp dưới.",
    );
    expect(granted.stdout).not.toMatch(/#\d/);

    const listed = await cli(["staff", "find", "CB003"]);
    expect(listed.stdout).toContain("văn thư (Phòng Kỹ thuật)");

    const moved = await cli(["mover", "--staff", "cb004", "--unit", "Phòng Tổ chức"]);
    expect(moved.code, moved.stdout).toBe(0);
    expect(moved.stdout.trim()).toBe("Đã chuyển Lê Hoàng Phúc (mã CB004) từ Sở Khác sang Phòng Tổ chức.");

    const code = await cli(["link-code", "--staff", "CB001"]);
    expect(code.code, code.stdout).toBe(0);
    expect(code.stdout).toMatch(/^Mã liên kết cho Nguyễn Văn An \(mã CB001, Phòng Tổ chức\): [A-Z0-9]{12} /);

    const leaver = await cli(["leaver", "--staff", "annv.op@phuyen.gov.vn", "--left", "2027-06-30"]);
    expect(leaver.code, leaver.stdout).toBe(0);
    expect(leaver.stdout).toContain("Nguyễn Văn An (mã CB001, Phòng Tổ chức) nghỉ từ 2027-06-30.");
  });

  it("an ambiguous or unknown --staff is refused with the candidates named", async () => {
    const twins = await cli(["role", "grant", "--staff", "Nguyen Van An", "--role", "support"]);
    expect(twins.code).toBe(1);
    expect(twins.stdout).toContain("“Nguyen Van An” khớp với 2 cán bộ:");
    expect(twins.stdout).toContain("Nguyễn Văn An (mã CB001, Phòng Tổ chức, annv.op@phuyen.gov.vn)");
    expect(twins.stdout).toContain("Nguyễn Văn An (mã CB002, Phòng Kỹ thuật)");
    expect(twins.stdout).toContain("Hãy dùng mã cán bộ hoặc địa chỉ thư");

    const typo = await cli(["link-code", "--staff", "CB0003", "--json"]);
    expect(typo.code).toBe(1);
    expect(json(typo)).toMatchObject({ ok: false, error: { code: "not_found" } });

    const near = await cli(["link-code", "--staff", "Tran Thi Bich Ngok"]);
    expect(near.code).toBe(1);
    expect(near.stdout.trim()).toBe(
      "Không tìm thấy cán bộ “Tran Thi Bich Ngok”. Có phải: Trần Thị Bích Ngọc (mã CB003, Phòng Kỹ thuật)? " +
        "Dùng mã cán bộ (ma_can_bo trong tệp nhập), địa chỉ thư, hoặc tìm bằng: mailbot staff find <tên>.",
    );

    // A unique full name is enough.
    const unique = await cli(["link-code", "--staff", "le hoang phuc", "--json"]);
    expect(unique.code, unique.stdout).toBe(0);
    expect(json(unique)).toMatchObject({ staffCode: "CB004", fullName: "Lê Hoàng Phúc" });
  });

  it("link-code --unit: a printable list, one code per unlinked person; a re-run mints no duplicates", async () => {
    const out = join(dir, "ma.txt");
    const first = await cli(["link-code", "--unit", "OP-SO", "--ttl-hours", "72", "--out", out], {
      BOT_USERNAME: "mailbot_test_bot",
    });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    // CB001 has left (leaver above); CB004 still holds the unused code made above: nothing new.
    expect(first.stdout).toContain(
      "2 mã mới cho Sở Vận Hành; 1 người còn giữ mã chưa dùng nên không tạo mã mới (dùng --renew để hủy mã cũ và tạo mã mới): Lê Hoàng Phúc (hết hạn ",
    );
    expect(first.stdout).toContain(`Đã ghi danh sách 2 mã ra tệp ${out}.`);
    const sheet = readFileSync(out, "utf8");
    expect(sheet).toContain("MÃ LIÊN KẾT TELEGRAM — Sở Vận Hành");
    const rows = sheet.split("\n").filter((l) => /^CB00\d/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^CB002\s+Nguyễn Văn An\s+Phòng Kỹ thuật\s+Chuyên viên\s+([A-Z2-9]{12})\s+\d\d\/\d\d\/\d{4} \d\d:\d\d\s+https:\/\/t\.me\/mailbot_test_bot\?start=\1$/,
    );
    expect(rows[1]).toMatch(/^CB003\s+Trần Thị Bích Ngọc\s+Phòng Kỹ thuật/);
    expect(statSync(out).mode & 0o077).toBe(0);

    const again = json<{ issued: unknown[]; pending: { staffCode: string }[] }>(
      await cli(["link-code", "--unit", "OP-SO", "--json"]),
    );
    expect(again.issued).toEqual([]);
    expect(again.pending.map((p) => p.staffCode).sort()).toEqual(["CB002", "CB003", "CB004"]);

    const renewed = json<{ issued: { staffCode: string; code: string }[] }>(
      await cli(["link-code", "--unit", "Phòng Kỹ thuật", "--renew", "--json"]),
    );
    expect(renewed.issued.map((p) => p.staffCode)).toEqual(["CB002", "CB003"]);

    // One audit row per code made: 2 single codes above, 2 for the unit, 2 renewed.
    const audits = await query<{ n: number }>(
      "select count(*)::int as n from audit_log where action = 'link_code.create' and actor = 'cli'",
    );
    expect(audits[0]?.n).toBe(6);
  });

  it("import staff --issue-mailboxes: --dry-run shows the addresses it would issue and writes nothing; the real run issues those", async () => {
    const file = join(dir, "new-staff.csv");
    writeFileSync(
      file,
      "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email\n" +
        "CB010,Phạm Minh Đức,1991-05-05,OP-KHAC,Phó phòng,bien_che,,\n" +
        "CB011,Phạm Minh Đức,1993-09-09,OP-KHAC,nhan_vien,bien_che,,\n" +
        "CB012,Võ Thị Lan,1988-02-14,OP-KHAC,nhan_vien,bien_che,,\n",
    );
    const counts = async () =>
      (
        await query<{ staff: number; boxes: number; audit: number }>(
          "select (select count(*)::int from staff) as staff, (select count(*)::int from mailboxes) as boxes, (select count(*)::int from audit_log) as audit",
        )
      )[0];
    const before = await counts();

    const dry = await cli(["import", "staff", file, "--issue-mailboxes", "--dry-run"]);
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    const issuedLines = (r: Run) => r.stdout.split("\n").filter((l) => l.includes(" → "));
    expect(dry.stdout).toContain(
      "Chạy thử (--dry-run), CHƯA GHI GÌ. Nhập thật 3 dòng này sẽ có: 3 mới, 0 cập nhật, 0 không đổi, 3 hộp thư mới (3 địa chỉ cấp theo quy tắc).",
    );
    expect(dry.stdout).toContain("Địa chỉ sẽ cấp khi nhập thật (3):");
    const planned = issuedLines(dry);
    expect(planned).toHaveLength(3);
    expect(planned[0]).toMatch(/^ {2}Phạm Minh Đức \(mã CB010, dòng 2\) → [a-z0-9.]+@phuyen\.gov\.vn$/);
    // The namesakes get different addresses.
    expect(new Set(planned.map((l) => l.split(" → ")[1])).size).toBe(3);
    // Nothing written: no person, no mailbox, no audit row.
    expect(await counts()).toEqual(before);
    expect(json<{ count: number }>(await cli(["staff", "find", "CB010", "--json"])).count).toBe(0);

    const real = await cli(["import", "staff", file, "--issue-mailboxes"]);
    expect(real.code, real.stdout + real.stderr).toBe(0);
    expect(real.stdout).toContain("Địa chỉ đã cấp (3; chủ hộp thư lấy mật khẩu tạm bằng /doimk):");
    expect(issuedLines(real)).toEqual(planned);
    const after = await counts();
    expect(after?.staff).toBe((before?.staff ?? 0) + 3);
    expect(after?.boxes).toBe((before?.boxes ?? 0) + 3);
  });

  it("import staff --issue-mailboxes --dry-run --skip-bad with a bad row: refused, but lists after the errors what a real run would issue", async () => {
    const file = join(dir, "some-bad.csv");
    writeFileSync(
      file,
      "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email\n" +
        "CB020,Trịnh Văn Khải,1990-04-04,OP-KHAC,nhan_vien,bien_che,,\n" +
        "CB021,Ngô Thị Bé,1992-06-06,KHONG-CO,nhan_vien,bien_che,,\n",
    );
    const dry = await cli(["import", "staff", file, "--issue-mailboxes", "--dry-run", "--skip-bad"]);
    expect(dry.code, dry.stdout + dry.stderr).toBe(1);
    const lines = dry.stdout.split("\n");
    const heading = lines.indexOf("Địa chỉ sẽ cấp khi nhập thật (1):");
    expect(heading).toBeGreaterThan(lines.findIndex((l) => l.startsWith("  dòng 3 (CB021)")));
    expect(lines[heading + 1]).toMatch(
      /^ {2}Trịnh Văn Khải \(mã CB020, dòng 2\) → [a-z0-9.]+@phuyen\.gov\.vn$/,
    );
  });

  it("mailbox lock/unlock: reason and operator audited, the mail server told through the outbox, repeats change nothing", async () => {
    const address = "annv.op@phuyen.gov.vn";
    const missing = await cli(["mailbox", "lock", address]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Thiếu --reason "…"');

    const locked = await cli(["mailbox", "lock", address, "--reason", "Gửi thư rác lúc 02:00"]);
    expect(locked.code, locked.stdout + locked.stderr).toBe(0);
    expect(locked.stdout).toContain(
      `Đã khóa hộp thư ${address} (Nguyễn Văn An, Phòng Tổ chức): nghi bị lộ mật khẩu hoặc bị chiếm quyền; lý do: Gửi thư rác lúc 02:00.`,
    );
    expect(locked.stdout).toContain("lệnh ngắt các phiên đang mở đã vào hàng đợi máy chủ thư");
    const again = await cli(["mailbox", "lock", address, "--reason", "Gửi thư rác lúc 02:00", "--json"]);
    expect(json(again)).toMatchObject({ ok: true, changed: false, status: "locked" });

    const outbox = await query<{ action: string; cause: string }>(
      `select action, cause from mailserver_outbox where address = '${address}' order by id`,
    );
    expect(outbox).toEqual([{ action: "kick", cause: "active->locked" }]);
    const audits = await query<{ action: string; details: { reason: string; operator: string | null } }>(
      "select action, details from audit_log where action like 'mailbox.security_%' order by id",
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]?.details.reason).toBe("Gửi thư rác lúc 02:00");
    expect(audits[0]?.details.operator).toEqual(expect.any(String));

    const unlocked = await cli(["mailbox", "unlock", address, "--reason", "Đã đổi mật khẩu"]);
    expect(unlocked.code, unlocked.stdout + unlocked.stderr).toBe(0);
    expect(unlocked.stdout).toContain(
      `Đã mở khóa an ninh cho hộp thư ${address} (Nguyễn Văn An, Phòng Tổ chức); trạng thái: đang hoạt động.`,
    );
    const twice = await cli(["mailbox", "unlock", address]);
    expect(twice.code).toBe(0);
    expect(twice.stdout).toContain("không bị khóa an ninh (đang hoạt động); không thay đổi gì.");
    const after = await query<{ n: number }>(
      "select count(*)::int as n from audit_log where action like 'mailbox.security_%'",
    );
    expect(after[0]?.n).toBe(2);

    const unknown = await cli(["mailbox", "lock", "khongco@phuyen.gov.vn", "--reason", "thử lại"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain("Không có hộp thư khongco@phuyen.gov.vn");
  });
});
