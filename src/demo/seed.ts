/**
 * `mailbot seed demo`: a small fictional province on the phuyen profile, so a new user has
 * something to try in the console chat. Every name and code here is invented.
 *
 * Idempotent: units and staff go through the CSV importer (upsert by code, compare before
 * write), mailboxes and grants are inserted only when missing, activity dates are written only
 * when still empty, and the demo requests carry idempotency keys. Running it twice changes
 * nothing the second time. It is also atomic: see `seedDemo`.
 */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { executeRows, type Database, type Db, type Tx } from "../db/client.ts";
import { mailboxes, roleGrants, staff, trackedMessages, units, type Unit } from "../db/schema.ts";
import { proposeUnitAddress } from "../policy/addresses/index.ts";
import { getProfile } from "../policy/profiles/index.ts";
import type { Role } from "../policy/types.ts";
import { writeAudit } from "../services/audit.ts";
import { createServices } from "../services/index.ts";
import { importStaff, importUnits } from "../services/import/index.ts";
import type { ServicesOptions } from "../services/context.ts";

const PROFILE = "phuyen";

/** [code, name, kind, abbr, parent code] */
const UNITS: [string, string, string, string, string][] = [
  ["demo-vpubnd", "Văn phòng UBND tỉnh", "co_quan", "vpubnd", ""],
  ["demo-stttt", "Sở Thông tin và Truyền thông", "co_quan", "stttt", ""],
  ["demo-stttt-ttcntt", "Trung tâm Công nghệ thông tin và Truyền thông", "phong", "ttcntt", "demo-stttt"],
  ["demo-stttt-pcntt", "Phòng Công nghệ thông tin", "phong", "pcntt", "demo-stttt"],
  ["demo-stttt-vp", "Văn phòng Sở", "phong", "vp", "demo-stttt"],
  ["demo-snv", "Sở Nội vụ", "co_quan", "snv", ""],
  ["demo-stc", "Sở Tài chính", "co_quan", "stc", ""],
  ["demo-tuyan", "Tuy An", "huyen", "tuyan", ""],
  ["demo-tuyan-andan", "An Dân", "xa", "andan", "demo-tuyan"],
  ["demo-tuyan-anninhdong", "An Ninh Đông", "xa", "anninhdong", "demo-tuyan"],
  ["demo-tuyan-anthach", "An Thạch", "xa", "anthach", "demo-tuyan"],
];

/** [code, full name, birth date, unit code, leader level, employment, contract months] */
const STAFF: [string, string, string, string, string, string, string][] = [
  ["demo-001", "Trần Quốc Bảo", "1972-04-12", "demo-stttt", "lanh_dao_so", "bien_che", ""],
  ["demo-002", "Nguyễn Thị Hồng Nhung", "1985-09-03", "demo-stttt-ttcntt", "lanh_dao_phong", "bien_che", ""],
  ["demo-003", "Lê Minh Tuấn", "1990-01-22", "demo-stttt-ttcntt", "nhan_vien", "bien_che", ""],
  ["demo-004", "Phạm Thị Thu Hà", "1993-06-30", "demo-stttt-ttcntt", "nhan_vien", "bien_che", ""],
  ["demo-005", "Võ Văn Hùng", "1988-11-11", "demo-stttt-pcntt", "lanh_dao_phong", "bien_che", ""],
  ["demo-006", "Nguyễn Văn An", "1991-02-14", "demo-stttt-pcntt", "nhan_vien", "bien_che", ""],
  ["demo-007", "Nguyễn Văn An", "1987-07-19", "demo-snv", "nhan_vien", "bien_che", ""],
  ["demo-008", "Nguyễn Văn An", "1991-08-02", "demo-stc", "nhan_vien", "hop_dong", "24"],
  ["demo-009", "Đặng Thị Mai", "1979-03-08", "demo-stttt-vp", "nhan_vien", "bien_che", ""],
  ["demo-010", "Huỳnh Ngọc Sơn", "1983-12-01", "demo-stttt-vp", "lanh_dao_phong", "bien_che", ""],
  ["demo-011", "Bùi Thị Lan", "1995-05-25", "demo-stttt-pcntt", "nhan_vien", "hop_dong", "12"],
  ["demo-012", "Hồ Văn Tài", "1996-10-10", "demo-stttt-ttcntt", "nhan_vien", "hop_dong", "24"],
  ["demo-013", "Phan Văn Long", "1970-08-17", "demo-vpubnd", "lanh_dao_so", "bien_che", ""],
  ["demo-014", "Trương Thị Kim Oanh", "1986-04-04", "demo-vpubnd", "nhan_vien", "bien_che", ""],
  ["demo-015", "Đỗ Quang Vinh", "1984-02-29", "demo-vpubnd", "lanh_dao_phong", "bien_che", ""],
  ["demo-016", "Ngô Thị Thanh Thủy", "1989-09-09", "demo-vpubnd", "nhan_vien", "bien_che", ""],
  ["demo-017", "Lương Văn Phúc", "1977-07-07", "demo-snv", "lanh_dao_so", "bien_che", ""],
  ["demo-018", "Trần Thị Bích Ngọc", "1992-03-15", "demo-snv", "nhan_vien", "bien_che", ""],
  ["demo-019", "Lê Văn Thành", "1981-05-05", "demo-snv", "lanh_dao_phong", "bien_che", ""],
  ["demo-020", "Mai Thị Hạnh", "1994-12-24", "demo-snv", "nhan_vien", "hop_dong", "36"],
  ["demo-021", "Châu Văn Kiệt", "1975-01-30", "demo-stc", "lanh_dao_so", "bien_che", ""],
  ["demo-022", "Dương Thị Yến", "1990-06-16", "demo-stc", "nhan_vien", "bien_che", ""],
  ["demo-023", "Tạ Minh Khoa", "1987-10-20", "demo-stc", "lanh_dao_phong", "bien_che", ""],
  ["demo-024", "Nguyễn Thị Thu Trang", "1998-08-08", "demo-stc", "nhan_vien", "bien_che", ""],
  ["demo-025", "Lê Thị Thu Trang", "1997-04-18", "demo-stc", "nhan_vien", "bien_che", ""],
  ["demo-026", "Phạm Văn Đức", "1974-09-27", "demo-tuyan", "lanh_dao_so", "bien_che", ""],
  ["demo-027", "Nguyễn Thị Kim Liên", "1988-02-02", "demo-tuyan", "nhan_vien", "bien_che", ""],
  ["demo-028", "Võ Thị Ánh", "1991-11-21", "demo-tuyan", "nhan_vien", "bien_che", ""],
  ["demo-029", "Huỳnh Văn Lợi", "1982-03-03", "demo-tuyan", "lanh_dao_phong", "bien_che", ""],
  ["demo-030", "Trần Văn Tư", "1980-05-19", "demo-tuyan-andan", "lanh_dao_so", "bien_che", ""],
  ["demo-031", "Nguyễn Thị Mỹ Dung", "1993-07-27", "demo-tuyan-andan", "nhan_vien", "bien_che", ""],
  ["demo-032", "Lê Văn Hiếu", "1995-01-12", "demo-tuyan-andan", "nhan_vien", "hop_dong", "12"],
  ["demo-033", "Phan Thị Nga", "1989-04-26", "demo-tuyan-andan", "nhan_vien", "bien_che", ""],
  ["demo-034", "Đinh Văn Quý", "1978-06-06", "demo-tuyan-anninhdong", "lanh_dao_so", "bien_che", ""],
  ["demo-035", "Cao Thị Hương", "1992-09-14", "demo-tuyan-anninhdong", "nhan_vien", "bien_che", ""],
  ["demo-036", "Nguyễn Văn Bình", "1986-12-12", "demo-tuyan-anninhdong", "nhan_vien", "bien_che", ""],
  ["demo-037", "Nguyễn Văn Bình", "1990-03-21", "demo-tuyan-anthach", "nhan_vien", "bien_che", ""],
  ["demo-038", "Lâm Văn Sang", "1976-11-30", "demo-tuyan-anthach", "lanh_dao_so", "bien_che", ""],
  ["demo-039", "Trịnh Thị Xuân", "1994-02-08", "demo-tuyan-anthach", "nhan_vien", "bien_che", ""],
  ["demo-040", "Hà Văn Nam", "1985-08-15", "demo-tuyan-anthach", "nhan_vien", "bien_che", ""],
  ["demo-041", "Kiều Thị Diễm", "1996-05-01", "demo-stttt-vp", "nhan_vien", "bien_che", ""],
  ["demo-042", "Tô Văn Chiến", "1983-07-23", "demo-stttt-ttcntt", "nhan_vien", "bien_che", ""],
  ["demo-043", "Lý Thị Phương", "1991-10-05", "demo-stttt-pcntt", "nhan_vien", "bien_che", ""],
  ["demo-044", "Vũ Đình Trọng", "1979-12-19", "demo-vpubnd", "nhan_vien", "bien_che", ""],
  ["demo-045", "Âu Dương Minh Châu", "1993-03-03", "demo-snv", "nhan_vien", "bien_che", ""],
  ["demo-046", "Nguyễn Hoàng Phúc", "1999-09-19", "demo-stc", "nhan_vien", "hop_dong", "24"],
  ["demo-047", "Trần Thị Ngọc Ánh", "1990-01-01", "demo-tuyan", "nhan_vien", "bien_che", ""],
  ["demo-048", "Phạm Minh Khang", "1997-06-11", "demo-tuyan-anninhdong", "nhan_vien", "bien_che", ""],
  ["demo-049", "Đoàn Thị Thanh Tâm", "1988-08-28", "demo-tuyan-andan", "nhan_vien", "bien_che", ""],
  ["demo-050", "Hoàng Văn Mạnh", "1984-04-14", "demo-stttt-ttcntt", "nhan_vien", "bien_che", ""],
];

/** [staff code, role, unit code or "" for everywhere] */
const GRANTS: [string, Role, string][] = [
  ["demo-002", "admin", ""],
  ["demo-003", "support", ""],
  ["demo-004", "support", ""],
  ["demo-050", "support", ""],
  ["demo-001", "unit_head", "demo-stttt"],
  ["demo-013", "unit_head", "demo-vpubnd"],
  ["demo-017", "unit_head", "demo-snv"],
  ["demo-021", "unit_head", "demo-stc"],
  ["demo-026", "unit_head", "demo-tuyan"],
  ["demo-030", "unit_head", "demo-tuyan-andan"],
  ["demo-034", "unit_head", "demo-tuyan-anninhdong"],
  ["demo-038", "unit_head", "demo-tuyan-anthach"],
  ["demo-009", "clerk", "demo-stttt"],
  ["demo-014", "clerk", "demo-vpubnd"],
  ["demo-018", "clerk", "demo-snv"],
  ["demo-022", "clerk", "demo-stc"],
  ["demo-027", "clerk", "demo-tuyan"],
  ["demo-031", "clerk", "demo-tuyan-andan"],
  ["demo-035", "clerk", "demo-tuyan-anninhdong"],
  ["demo-039", "clerk", "demo-tuyan-anthach"],
];

/** Unit mailboxes and their keepers (clerks): [unit code, keeper staff code]. */
const UNIT_MAILBOXES: [string, string][] = [
  ["demo-vpubnd", "demo-014"],
  ["demo-stttt", "demo-009"],
  ["demo-stttt-ttcntt", "demo-009"],
  ["demo-snv", "demo-018"],
  ["demo-stc", "demo-022"],
  ["demo-tuyan", "demo-027"],
  ["demo-tuyan-andan", "demo-031"],
  ["demo-tuyan-anninhdong", "demo-035"],
  ["demo-tuyan-anthach", "demo-039"],
];

/** Mailboxes locked for inactivity (6 months without sending/receiving, phuyen Điều 6.2a). */
const LOCKED = ["demo-012", "demo-036", "demo-044"];
/**
 * Idle: last activity 5+ months ago, so the reminders have something to warn about. demo-043
 * (Phòng CNTT) is under the manager persona Trần Quốc Bảo, who is warned in her place.
 */
const IDLE = ["demo-020", "demo-033", "demo-040", "demo-043", "demo-045", "demo-048"];
/**
 * Mail received a week ago and not answered (phuyen Điều 12: 02 working days): overdue, so the
 * owner and the unit head are reminded. [message id, owner staff code, sender, subject]
 */
const UNANSWERED: [string, string, string, string][] = [
  [
    "<demo-1@ubnd.phuyen.gov.vn>",
    "demo-006",
    "vanphong@ubnd.phuyen.gov.vn",
    "V/v báo cáo số liệu sử dụng hộp thư công vụ quý IV",
  ],
];
/** The demo mailboxes existed long before the demo starts: the reminders judge them from then. */
const DEMO_MAILBOX_AGE_DAYS = 400;

export interface DemoUser {
  /** What to type after /as in the console chat. */
  name: string;
  staffCode: string;
  role: Role;
  note: string;
}

/** The people worth trying in the console chat (`/as <name>`). */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    name: "Nguyễn Thị Hồng Nhung",
    staffCode: "demo-002",
    role: "admin",
    note: "quản trị hệ thống, Trung tâm CNTT&TT",
  },
  { name: "Lê Minh Tuấn", staffCode: "demo-003", role: "support", note: "bộ phận hỗ trợ" },
  { name: "Phạm Thị Thu Hà", staffCode: "demo-004", role: "support", note: "bộ phận hỗ trợ" },
  { name: "Trần Quốc Bảo", staffCode: "demo-001", role: "unit_head", note: "Giám đốc Sở TT&TT" },
  { name: "Trần Văn Tư", staffCode: "demo-030", role: "unit_head", note: "Chủ tịch UBND xã An Dân" },
  { name: "Đặng Thị Mai", staffCode: "demo-009", role: "clerk", note: "văn thư Sở TT&TT" },
  { name: "Nguyễn Thị Mỹ Dung", staffCode: "demo-031", role: "clerk", note: "văn thư xã An Dân" },
  {
    name: "Nguyễn Văn An",
    staffCode: "demo-006",
    role: "staff",
    note: "chuyên viên Phòng CNTT (có hai người trùng tên)",
  },
  { name: "Hồ Văn Tài", staffCode: "demo-012", role: "staff", note: "hộp thư đang bị khóa do không sử dụng" },
  { name: "Mai Thị Hạnh", staffCode: "demo-020", role: "staff", note: "hộp thư hơn 5 tháng chưa dùng" },
];

export interface SeedReport {
  /** False when the demo data was already complete (nothing changed). */
  changed: boolean;
  units: number;
  staff: number;
  mailboxes: number;
  users: (DemoUser & { staffId: number; address: string | null })[];
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The whole seed is one transaction: an interrupted first start (killed, crashed, a failed
 * statement) leaves no demo data at all, so the next start's "no staff yet" check seeds again
 * from scratch instead of skipping a half-seeded database. Services and the importer run on a
 * view of the database whose `db` is the transaction; their own transactions nest as savepoints.
 */
export async function seedDemo(
  database: Database,
  options: { now?: Date; services?: ServicesOptions } = {},
): Promise<SeedReport> {
  return database.db.transaction((tx) => seedDemoIn(inTransaction(database, tx), options));
}

function inTransaction(database: Database, tx: Tx): Database {
  const db = tx as unknown as Db;
  return { ...database, db, execute: (query) => executeRows(db, query) } as Database;
}

async function seedDemoIn(
  database: Database,
  options: { now?: Date; services?: ServicesOptions },
): Promise<SeedReport> {
  const now = options.now ?? new Date();
  const db = database.db;
  const profile = getProfile(PROFILE);
  const actor = { kind: "cli" } as const;
  let changed = false;

  const unitCsv = [
    "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
    ...UNITS.map((u) => [...u, PROFILE].map(csvField).join(",")),
  ].join("\n");
  const unitReport = await importUnits(database, unitCsv, { actor, now });
  changed ||= unitReport.created + unitReport.updated > 0;

  // Unit local parts (needed by naming rules and unit mailboxes), parents first.
  const unitRows = await db
    .select()
    .from(units)
    .where(
      inArray(
        units.externalId,
        UNITS.map((u) => u[0]),
      ),
    );
  const byCode = new Map(unitRows.map((u) => [u.externalId as string, u]));
  const byId = new Map(unitRows.map((u) => [u.id, u]));
  for (const [code] of UNITS) {
    const unit = byCode.get(code) as Unit;
    if (unit.localPart) continue;
    const parent = unit.parentId ? byId.get(unit.parentId) : undefined;
    const proposal = proposeUnitAddress(
      profile,
      { kind: unit.kind, abbr: unit.abbr, name: unit.name, parentLocalPart: parent?.localPart ?? null },
      new Set(),
    );
    if (!proposal.ok) throw new Error(`seed: ${proposal.error.message}`);
    await db.transaction(async (tx) => {
      await tx.update(units).set({ localPart: proposal.value.localPart }).where(eq(units.id, unit.id));
      await writeAudit(tx, {
        actor,
        action: "unit.update",
        entity: "unit",
        entityId: unit.id,
        details: { localPart: proposal.value.localPart, source: "seed demo" },
      });
    });
    unit.localPart = proposal.value.localPart;
    changed = true;
  }

  const staffCsv = [
    "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email",
    ...STAFF.map((s) => [...s, ""].map(csvField).join(",")),
  ].join("\n");
  const staffReport = await importStaff(database, staffCsv, { actor, now, issueMailboxes: true });
  changed ||= staffReport.created + staffReport.updated + staffReport.mailboxesCreated > 0;

  const staffRows = await db
    .select({ id: staff.id, code: staff.externalId })
    .from(staff)
    .where(
      inArray(
        staff.externalId,
        STAFF.map((s) => s[0]),
      ),
    );
  const staffId = new Map(staffRows.map((s) => [s.code as string, s.id]));

  for (const [code, keeper] of UNIT_MAILBOXES) {
    const unit = byCode.get(code) as Unit;
    const address = `${unit.localPart}@${profile.domain}`;
    const [exists] = await db
      .select({ id: mailboxes.id })
      .from(mailboxes)
      .where(eq(sql`lower(${mailboxes.address})`, address));
    if (exists) continue;
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mailboxes)
        .values({
          address,
          localPart: unit.localPart as string,
          profileId: PROFILE,
          kind: "unit",
          keeperStaffId: staffId.get(keeper) as number,
          unitId: unit.id,
          quotaMb: profile.limits.quotaMb,
          lastSendAt: new Date(now.getTime() - 86_400_000),
          lastReceiveAt: new Date(now.getTime() - 3_600_000),
          lastLoginAt: new Date(now.getTime() - 3_600_000),
          activityReportedAt: new Date(now.getTime() - DEMO_MAILBOX_AGE_DAYS * 86_400_000),
          createdAt: new Date(now.getTime() - DEMO_MAILBOX_AGE_DAYS * 86_400_000),
          updatedAt: now,
        })
        .returning({ id: mailboxes.id });
      await writeAudit(tx, {
        actor,
        action: "mailbox.create",
        entity: "mailbox",
        entityId: row?.id,
        details: { address, kind: "unit", source: "seed demo" },
      });
    });
    changed = true;
  }

  for (const [code, role, unitCode] of GRANTS) {
    const unitId = unitCode ? (byCode.get(unitCode) as Unit).id : null;
    const id = staffId.get(code) as number;
    const inserted = await db
      .insert(roleGrants)
      .values({ staffId: id, role, unitId })
      .onConflictDoNothing()
      .returning({ id: roleGrants.id });
    if (inserted.length > 0) {
      await writeAudit(db, {
        actor,
        action: "role.grant",
        entity: "staff",
        entityId: id,
        details: { role, unitId, source: "seed demo" },
      });
      changed = true;
    }
  }

  // Activity facts, only where still empty, so a second run leaves them alone.
  const day = 86_400_000;
  const personal = (codes: string[]) => codes.map((c) => staffId.get(c) as number);
  // The server has reported activity since long ago (the sweep only judges reported mailboxes),
  // and the mailboxes are older than the windows and periods the reminders look at.
  const since = {
    createdAt: new Date(now.getTime() - DEMO_MAILBOX_AGE_DAYS * day),
    activityReportedAt: new Date(now.getTime() - DEMO_MAILBOX_AGE_DAYS * day),
  };
  const touched = await db.transaction(async (tx) => {
    let n = 0;
    const recent = await tx
      .update(mailboxes)
      .set({
        ...since,
        lastSendAt: new Date(now.getTime() - 2 * day),
        lastReceiveAt: new Date(now.getTime() - day),
        lastLoginAt: new Date(now.getTime() - day),
        // Last opened 3 days ago: the daily look (phuyen Điều 13.1) is due, gently reminded.
        lastCheckAt: new Date(now.getTime() - 3 * day),
      })
      .where(
        and(
          eq(mailboxes.kind, "personal"),
          isNull(mailboxes.lastSendAt),
          inArray(
            mailboxes.ownerStaffId,
            personal(STAFF.map((s) => s[0]).filter((c) => !LOCKED.includes(c) && !IDLE.includes(c))),
          ),
        ),
      )
      .returning({ id: mailboxes.id });
    n += recent.length;
    const idle = await tx
      .update(mailboxes)
      .set({
        ...since,
        lastSendAt: new Date(now.getTime() - 160 * day),
        lastReceiveAt: new Date(now.getTime() - 155 * day),
        lastLoginAt: new Date(now.getTime() - 155 * day),
      })
      .where(
        and(
          eq(mailboxes.kind, "personal"),
          isNull(mailboxes.lastSendAt),
          inArray(mailboxes.ownerStaffId, personal(IDLE)),
        ),
      )
      .returning({ id: mailboxes.id });
    n += idle.length;
    const locked = await tx
      .update(mailboxes)
      .set({
        ...since,
        status: "locked",
        lockReason: "inactivity",
        lockedAt: new Date(now.getTime() - 10 * day),
        lastSendAt: new Date(now.getTime() - 200 * day),
        lastReceiveAt: new Date(now.getTime() - 195 * day),
        lastLoginAt: new Date(now.getTime() - 195 * day),
      })
      .where(
        and(
          eq(mailboxes.kind, "personal"),
          isNull(mailboxes.lastSendAt),
          inArray(mailboxes.ownerStaffId, personal(LOCKED)),
        ),
      )
      .returning({ id: mailboxes.id, address: mailboxes.address });
    for (const m of locked) {
      await writeAudit(tx, {
        actor,
        action: "mailbox.lock",
        entity: "mailbox",
        entityId: m.id,
        details: { address: m.address, reason: "inactivity", source: "seed demo" },
      });
    }
    n += locked.length;
    for (const [messageId, owner, sender, subject] of UNANSWERED) {
      const [box] = await tx
        .select({ id: mailboxes.id })
        .from(mailboxes)
        .where(and(eq(mailboxes.kind, "personal"), eq(mailboxes.ownerStaffId, staffId.get(owner) as number)));
      if (!box) continue;
      const inserted = await tx
        .insert(trackedMessages)
        .values({
          messageId,
          mailboxId: box.id,
          sender,
          subject,
          receivedAt: new Date(now.getTime() - 7 * day),
        })
        .onConflictDoNothing()
        .returning({ id: trackedMessages.id });
      n += inserted.length;
    }
    return n;
  });
  changed ||= touched > 0;

  // A couple of open requests, keyed so they are created once.
  const services = createServices(database, { ...options.services, clock: () => now });
  const before = await db.select({ n: sql<number>`count(*)::int` }).from(sql`requests`);
  const clerkSo = { kind: "staff", staffId: staffId.get("demo-009") as number } as const;
  const clerkXa = { kind: "staff", staffId: staffId.get("demo-031") as number } as const;
  await services.requests.createCapmoi(
    {
      fullName: "Nguyễn Văn An",
      birthDate: "1999-12-01",
      unitId: (byCode.get("demo-stttt-vp") as Unit).id,
      employmentType: "civil_servant",
      idempotencyKey: "demo:capmoi:1",
    },
    clerkSo,
  );
  await services.requests.createCapmoi(
    {
      fullName: "Lê Thị Bông",
      birthDate: "2000-02-02",
      unitId: (byCode.get("demo-tuyan-andan") as Unit).id,
      employmentType: "contract",
      contractMonths: 12,
      idempotencyKey: "demo:capmoi:2",
    },
    clerkXa,
  );
  const lockedBox = await db
    .select({ address: mailboxes.address, status: mailboxes.status })
    .from(mailboxes)
    .where(eq(mailboxes.ownerStaffId, staffId.get("demo-036") as number));
  if (lockedBox[0]?.status === "locked") {
    try {
      const clerkAnd = { kind: "staff", staffId: staffId.get("demo-035") as number } as const;
      await services.requests.createKhoiphuc(
        { address: lockedBox[0].address, idempotencyKey: "demo:khoiphuc:1" },
        clerkAnd,
      );
    } catch {
      // Already an open restore for it (made by hand): fine for a demo.
    }
  }
  const after = await db.select({ n: sql<number>`count(*)::int` }).from(sql`requests`);
  changed ||= (after[0]?.n ?? 0) !== (before[0]?.n ?? 0);

  if (changed)
    await writeAudit(db, { actor, action: "seed.demo", entity: "database", details: { profile: PROFILE } });

  const addresses = await db
    .select({ owner: mailboxes.ownerStaffId, address: mailboxes.address })
    .from(mailboxes)
    .where(and(eq(mailboxes.kind, "personal"), inArray(mailboxes.ownerStaffId, [...staffId.values()])));
  const addressOf = new Map(addresses.map((a) => [a.owner as number, a.address]));
  return {
    changed,
    units: UNITS.length,
    staff: STAFF.length,
    mailboxes: addresses.length + UNIT_MAILBOXES.length,
    users: DEMO_USERS.map((u) => {
      const id = staffId.get(u.staffCode) as number;
      return { ...u, staffId: id, address: addressOf.get(id) ?? null };
    }),
  };
}
