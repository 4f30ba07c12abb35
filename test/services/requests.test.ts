import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { addressClaims, auditLog, mailboxes, requests, staff } from "../../src/db/schema.ts";
import { parseConfig } from "../../src/config.ts";
import { getProfile, registerProfile } from "../../src/policy/profiles/index.ts";
import { createServices, loadCalendar, ServiceError, type Services } from "../../src/services/index.ts";
import { staffActor, type Actor } from "../../src/services/types.ts";
import { describeEachDb } from "../helpers/db.ts";
import {
  addMailbox,
  addStaff,
  addUnit,
  auditCount,
  countRows,
  dumpAllTables,
  grant,
  uniq,
} from "./fixtures.ts";

/** Monday 2 March 2026, 09:00 in Vietnam. */
const MONDAY = new Date("2026-03-02T02:00:00Z");
const FAST_HASH = { memoryCost: 1024, timeCost: 1 };

interface World {
  services: Services;
  agencyId: number;
  clerk: Actor;
  support: Actor;
  head: Actor;
  plain: Actor;
  plainId: number;
}

async function world(database: Database, clock: () => Date = () => MONDAY): Promise<World> {
  const services = createServices(database, { clock, hash: FAST_HASH });
  const agency = await addUnit(database, {
    name: `Sở Thông tin và Truyền thông ${uniq()}`,
    abbr: `stttt${uniq()}`,
  });
  const clerk = await addStaff(database, { unitId: agency.id, fullName: "Phạm Thị Văn Thư" });
  const support = await addStaff(database, { unitId: agency.id, fullName: "Hồ Văn Hỗ Trợ" });
  const head = await addStaff(database, { unitId: agency.id, fullName: "Đỗ Văn Lãnh" });
  const plain = await addStaff(database, { unitId: agency.id, fullName: "Võ Thị Thường" });
  await grant(database, clerk.id, "clerk", agency.id);
  await grant(database, support.id, "support", null);
  await grant(database, head.id, "unit_head", agency.id);
  return {
    services,
    agencyId: agency.id,
    clerk: staffActor(clerk.id),
    support: staffActor(support.id),
    head: staffActor(head.id),
    plain: staffActor(plain.id),
    plainId: plain.id,
  };
}

/** A name nobody else in the shared test database has, so addresses are predictable. */
function freshName(): string {
  const letters = "abcdeghiklmnopqrstuvxy";
  const word = Array.from(randomBytes(9), (b) => letters[b % letters.length]).join("");
  return `Nguyễn Văn ${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}

describeEachDb("requests: capmoi lifecycle", (getDb) => {
  it("create reserves the address with a working-day deadline; approve issues the mailbox once", async () => {
    const database = getDb();
    const w = await world(database);
    const fullName = freshName();
    const preview = await w.services.requests.previewCapmoi({
      fullName,
      unitId: w.agencyId,
      employmentType: "civil_servant",
      birthDate: "1990-05-04",
    });
    expect(preview.eligibility).toEqual({ ok: true });
    const auditBefore = await auditCount(database);
    const created = await w.services.requests.createCapmoi(
      { fullName, unitId: w.agencyId, employmentType: "civil_servant", birthDate: "1990-05-04" },
      w.clerk,
    );
    expect(created.state).toBe("open");
    expect(created.address).toBe(preview.proposal.address);
    // phuyen: 3 working days → Thursday 5 March 17:00 (UTC+7).
    expect(created.dueAt?.toISOString()).toBe("2026-03-05T10:00:00.000Z");
    expect(await auditCount(database)).toBe(auditBefore + 1);
    const claims = await database.db
      .select()
      .from(addressClaims)
      .where(eq(addressClaims.address, created.address!));
    expect(claims).toHaveLength(1);

    const approved = await w.services.requests.approve(created.id, w.support);
    expect(approved.request.state).toBe("approved");
    expect(approved.mailbox.address).toBe(created.address);
    expect(approved.mailbox.mustChangePassword).toBe(true);
    expect(approved.mailbox.tempPasswordExpiresAt?.toISOString()).toBe("2026-03-05T02:00:00.000Z");
    expect(approved.mailbox.ownerStaffId).not.toBeNull();
    expect(await auditCount(database)).toBe(auditBefore + 3); // create, staff.create, approve
    const password = approved.temporaryPassword!.password;
    expect(password.length).toBeGreaterThanOrEqual(8);

    const [row] = await database.db.select().from(mailboxes).where(eq(mailboxes.id, approved.mailbox.id));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    const dump = await dumpAllTables(database);
    expect(dump).not.toContain(password);
    // Only the mailbox holds the address now (the reservation was released).
    const after = await database.db
      .select()
      .from(addressClaims)
      .where(eq(addressClaims.address, created.address!));
    expect(after).toHaveLength(1);
    expect(after[0]?.mailboxId).toBe(approved.mailbox.id);
    // Nothing returns the password again.
    expect(JSON.stringify(await w.services.requests.get(created.id))).not.toContain(password);
  });

  it("illegal transitions change nothing: approve twice, reject after approve, take a closed request", async () => {
    const database = getDb();
    const w = await world(database);
    const created = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    await w.services.requests.approve(created.id, w.support);
    const before = await countRows(database);
    await expect(w.services.requests.approve(created.id, w.support)).rejects.toMatchObject({
      code: "illegal_transition",
      message: expect.stringMatching(/Không thể duyệt yêu cầu #\d+ vì yêu cầu đã được duyệt/),
    });
    await expect(
      w.services.requests.reject(created.id, "Không đủ điều kiện", w.support),
    ).rejects.toMatchObject({ code: "illegal_transition" });
    await expect(w.services.requests.take(created.id, w.support)).rejects.toMatchObject({
      code: "illegal_transition",
    });
    await expect(w.services.requests.cancel(created.id, w.clerk)).rejects.toMatchObject({
      code: "illegal_transition",
    });
    expect(await countRows(database)).toEqual(before);
  });

  it("reject with a reason releases the address; the same name then gets it again", async () => {
    const database = getDb();
    const w = await world(database);
    const fullName = freshName();
    const first = await w.services.requests.createCapmoi(
      { fullName, unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    const second = await w.services.requests.createCapmoi(
      { fullName, unitId: w.agencyId, employmentType: "civil_servant", birthDate: "1985-01-02" },
      w.clerk,
    );
    expect(second.address).not.toBe(first.address);
    const auditBefore = await auditCount(database);
    await expect(w.services.requests.reject(first.id, "", w.support)).rejects.toMatchObject({
      code: "invalid_input",
    });
    const rejected = await w.services.requests.reject(first.id, "Trùng với hồ sơ đã có", w.support);
    expect(rejected.state).toBe("rejected");
    expect(rejected.reason).toBe("Trùng với hồ sơ đã có");
    expect(await auditCount(database)).toBe(auditBefore + 1);
    const third = await w.services.requests.createCapmoi(
      { fullName, unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    expect(third.address).toBe(first.address);
  });

  it("the same idempotency key twice returns the first request and changes nothing", async () => {
    const database = getDb();
    const w = await world(database);
    const key = `update:${uniq()}`;
    const input = {
      fullName: freshName(),
      unitId: w.agencyId,
      employmentType: "civil_servant" as const,
      idempotencyKey: key,
    };
    const first = await w.services.requests.createCapmoi(input, w.clerk);
    const before = await countRows(database);
    const again = await w.services.requests.createCapmoi(input, w.clerk);
    expect(again.id).toBe(first.id);
    expect(await countRows(database)).toEqual(before);
    // Concurrent twins: still one request.
    const key2 = `update:${uniq()}`;
    const twinName = freshName();
    const twins = await Promise.all(
      [1, 2, 3].map(() =>
        w.services.requests.createCapmoi({ ...input, fullName: twinName, idempotencyKey: key2 }, w.clerk),
      ),
    );
    expect(new Set(twins.map((t) => t.id)).size).toBe(1);
  });

  it("a plain staff member's own request waits for the unit head", async () => {
    const database = getDb();
    const w = await world(database);
    const created = await w.services.requests.createCapmoi(
      {
        fullName: freshName(),
        unitId: w.agencyId,
        employmentType: "contract",
        contractMonths: 24,
        subjectStaffId: w.plainId,
      },
      w.plain,
    );
    expect(created.state).toBe("pending_endorsement");
    await expect(w.services.requests.approve(created.id, w.support)).rejects.toMatchObject({
      code: "illegal_transition",
    });
    await expect(w.services.requests.endorse(created.id, w.plain)).rejects.toMatchObject({
      code: "forbidden",
    });
    const endorsed = await w.services.requests.endorse(created.id, w.head);
    expect(endorsed.state).toBe("open");
    const taken = await w.services.requests.take(created.id, w.support);
    expect(taken.state).toBe("in_progress");
    const done = await w.services.requests.approve(created.id, w.support);
    expect(done.mailbox.ownerStaffId).toBe(w.plainId);
    // Clerks cannot approve.
    const other = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    await expect(w.services.requests.approve(other.id, w.clerk)).rejects.toMatchObject({ code: "forbidden" });
  });

  it("eligibility: a short contract is refused with the rule, and nothing is written", async () => {
    const database = getDb();
    const w = await world(database);
    // Phú Yên's document sets no minimum contract (issue 10); an operator's profile may set one.
    const original = getProfile("phuyen");
    registerProfile({ ...original, eligibility: { ...original.eligibility, minContractMonths: 12 } });
    try {
      const before = await countRows(database);
      await expect(
        w.services.requests.createCapmoi(
          { fullName: freshName(), unitId: w.agencyId, employmentType: "contract", contractMonths: 6 },
          w.clerk,
        ),
      ).rejects.toMatchObject({ code: "not_eligible" });
      expect(await countRows(database)).toEqual(before);
    } finally {
      registerProfile(original);
    }
  });

  it("bad input is refused with a clear message and writes nothing", async () => {
    const database = getDb();
    const w = await world(database);
    const before = await countRows(database);
    await expect(
      w.services.requests.createCapmoi(
        { fullName: "Nguyễn Văn A", unitId: 987_654_321, employmentType: "civil_servant" },
        w.clerk,
      ),
    ).rejects.toThrow(/Không có đơn vị mã 987654321/);
    await expect(
      w.services.requests.createCapmoi(
        { fullName: "Robert'); DROP TABLE staff;--", unitId: w.agencyId, employmentType: "civil_servant" },
        w.clerk,
      ),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      w.services.requests.createCapmoi(
        { fullName: `Nguyễn ${"A".repeat(5000)}`, unitId: w.agencyId, employmentType: "civil_servant" },
        w.clerk,
      ),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      w.services.requests.createCapmoi(
        {
          fullName: "Nguyễn Văn A",
          unitId: w.agencyId,
          employmentType: "civil_servant",
          birthDate: "2026-02-30",
        },
        w.clerk,
      ),
    ).rejects.toMatchObject({ code: "invalid_input" });
    await expect(
      w.services.requests.createKhoiphuc({ address: "x'; DELETE FROM mailboxes;--@phuyen.gov.vn" }, w.clerk),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
    expect(await countRows(database)).toEqual(before);
  });

  it("SQL-looking text is stored as plain data", async () => {
    const database = getDb();
    const w = await world(database);
    const created = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    const reason = "Robert'); DROP TABLE staff;-- \\x00 $$ %_";
    const rejected = await w.services.requests.reject(created.id, reason, w.support);
    expect(rejected.reason).toBe(reason);
    const rows = await database.db.select({ n: sql<number>`count(*)::int` }).from(staff);
    expect(rows[0]!.n).toBeGreaterThan(0);
    const found = await w.services.directory.findStaff({ name: "%' OR 1=1 --" });
    expect(found).toEqual([]);
  });

  it("holiday overrides from the table move the deadline (cache invalidated)", async () => {
    const database = getDb();
    const w = await world(database);
    await w.services.calendar.setOverride(
      { date: "2026-03-04", kind: "off", name: "Nghỉ bù thử nghiệm" },
      { kind: "cli" },
    );
    const created = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    expect(created.dueAt?.toISOString()).toBe("2026-03-06T10:00:00.000Z");
    await w.services.calendar.removeOverride("2026-03-04", { kind: "cli" });
    const next = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    expect(next.dueAt?.toISOString()).toBe("2026-03-05T10:00:00.000Z");
    const queue = await w.services.requests.listOpen(new Date("2026-03-05T11:00:00Z"));
    const mine = queue.filter((q) => q.id === created.id || q.id === next.id);
    expect(mine[0]?.id).toBe(next.id); // overdue first
    expect(mine[0]?.overdue).toBe(true);
    expect(mine[1]?.workingDaysLeft).toBe(1);
  });

  it("the same override twice changes nothing the second time (no second audit row)", async () => {
    const database = getDb();
    const w = await world(database);
    const day = { date: "2026-10-05", kind: "off", name: "Nghỉ thử" } as const;
    const audits = async () =>
      (
        await database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(auditLog)
          .where(eq(auditLog.action, "holiday.set"))
      )[0]!.n;
    const before = await audits();
    expect(await w.services.calendar.setOverride(day, { kind: "cli" })).toBe(true);
    expect(await w.services.calendar.setOverride(day, { kind: "cli" })).toBe(false);
    expect(await audits()).toBe(before + 1);
    expect(await w.services.calendar.list()).toContainEqual({ ...day, createdBy: "cli" });
  });

  it("Culture Day (24/11) counts as a holiday once CULTURE_DAY_FROM switches it on", async () => {
    const database = getDb();
    // 2027-11-24 is a Wednesday.
    expect((await createServices(database).calendar.get()).isWorkingDay("2027-11-24")).toBe(true);
    const { cultureDayFrom } = parseConfig({ CULTURE_DAY_FROM: "2027-01-01" });
    const calendar = await createServices(database, { cultureDayFrom }).calendar.get();
    expect(calendar.isWorkingDay("2027-11-24")).toBe(false);
    expect(calendar.isWorkingDay("2026-11-24")).toBe(true); // before it takes force
    // The cache is per database: services without the setting still see a working day.
    expect((await loadCalendar(database)).isWorkingDay("2027-11-24")).toBe(true);
  });
});

describeEachDb("requests: khoiphuc, reset, password change", (getDb) => {
  it("restores a locked mailbox with a new temporary password; refuses active and revoked ones", async () => {
    const database = getDb();
    const w = await world(database);
    const owner = await addStaff(database, { unitId: w.agencyId, fullName: "Lý Thị Khóa" });
    const locked = await addMailbox(database, {
      unitId: w.agencyId,
      localPart: `khoa${uniq()}`,
      ownerStaffId: owner.id,
      status: "locked",
      lockReason: "inactivity",
      lockedAt: new Date("2026-01-01T00:00:00Z"),
      passwordHash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
    });
    const active = await addMailbox(database, {
      unitId: w.agencyId,
      localPart: `song${uniq()}`,
      ownerStaffId: owner.id,
    });
    const revoked = await addMailbox(database, {
      unitId: w.agencyId,
      localPart: `thuhoi${uniq()}`,
      ownerStaffId: owner.id,
      status: "revoked",
    });
    const before = await countRows(database);
    await expect(
      w.services.requests.createKhoiphuc({ address: active.address }, w.clerk),
    ).rejects.toMatchObject({
      code: "illegal_transition",
      message: expect.stringContaining("đang hoạt động"),
    });
    await expect(
      w.services.requests.createKhoiphuc({ address: revoked.address }, w.clerk),
    ).rejects.toMatchObject({
      code: "illegal_transition",
      message: expect.stringContaining("thu hồi"),
    });
    expect(await countRows(database)).toEqual(before);

    const req = await w.services.requests.createKhoiphuc({ address: locked.address.toUpperCase() }, w.clerk);
    expect(req.kind).toBe("khoiphuc");
    expect(req.dueAt?.toISOString()).toBe("2026-03-03T10:00:00.000Z"); // 1 working day
    await expect(
      w.services.requests.createKhoiphuc({ address: locked.address }, w.clerk),
    ).rejects.toMatchObject({ code: "conflict" });
    const done = await w.services.requests.approve(req.id, w.support);
    expect(done.mailbox.status).toBe("active");
    expect(done.mailbox.lockReason).toBeNull();
    expect(done.mailbox.mustChangePassword).toBe(true);
    expect(done.temporaryPassword?.deliverToStaffId).toBe(req.requesterStaffId); // owner not linked to the bot
    expect(await dumpAllTables(database)).not.toContain(done.temporaryPassword!.password);

    // A restore approved after the mailbox was revoked meanwhile changes nothing.
    const locked2 = await addMailbox(database, {
      unitId: w.agencyId,
      localPart: `khoa2${uniq()}`,
      ownerStaffId: owner.id,
      status: "locked",
      lockReason: "inactivity",
    });
    const req2 = await w.services.requests.createKhoiphuc({ address: locked2.address }, w.clerk);
    await database.db.update(mailboxes).set({ status: "revoked" }).where(eq(mailboxes.id, locked2.id));
    const snapshot = await countRows(database);
    const audits = await auditCount(database);
    await expect(w.services.requests.approve(req2.id, w.support)).rejects.toMatchObject({
      code: "illegal_transition",
    });
    expect(await countRows(database)).toEqual(snapshot);
    expect(await auditCount(database)).toBe(audits);
    expect((await w.services.requests.get(req2.id))?.state).toBe("open");
  });

  it("password reset, then the owner changes it: policy, history and must-change", async () => {
    const database = getDb();
    const w = await world(database);
    const owner = await addStaff(database, { unitId: w.agencyId, fullName: "Trịnh Văn Mật" });
    const mb = await addMailbox(database, {
      unitId: w.agencyId,
      localPart: `matkhau${uniq()}`,
      ownerStaffId: owner.id,
    });
    const req = await w.services.requests.createPasswordReset({ address: mb.address }, staffActor(owner.id));
    const done = await w.services.requests.approve(req.id, w.support);
    expect(done.mailbox.mustChangePassword).toBe(true);
    const temp = done.temporaryPassword!.password;
    const me = staffActor(owner.id);

    await expect(
      w.services.mailboxes.changePassword({ address: mb.address, newPassword: "short" }, me),
    ).rejects.toMatchObject({ code: "weak_password" });
    await expect(
      w.services.mailboxes.changePassword({ address: mb.address, newPassword: temp }, me),
    ).rejects.toMatchObject({ code: "password_reused" });
    await expect(
      w.services.mailboxes.changePassword({ address: mb.address, newPassword: "Kx7#pLm2qR" }, w.clerk),
    ).rejects.toMatchObject({ code: "forbidden" });
    const changed = await w.services.mailboxes.changePassword(
      { address: mb.address, newPassword: "Kx7#pLm2qR" },
      me,
    );
    expect(changed.nextChangeBy).not.toBeNull(); // phuyen: monthly
    const [row] = await database.db.select().from(mailboxes).where(eq(mailboxes.id, mb.id));
    expect(row?.mustChangePassword).toBe(false);
    await w.services.mailboxes.changePassword({ address: mb.address, newPassword: "Zq9@wErt5Y" }, me);
    await expect(
      w.services.mailboxes.changePassword({ address: mb.address, newPassword: "Kx7#pLm2qR" }, me),
    ).rejects.toMatchObject({ code: "password_reused" });
    const dump = await dumpAllTables(database);
    expect(dump).not.toContain("Kx7#pLm2qR");
    expect(dump).not.toContain("Zq9@wErt5Y");
  });

  it("every state change writes an audit row with its actor", async () => {
    const database = getDb();
    const w = await world(database);
    const created = await w.services.requests.createCapmoi(
      { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
      w.clerk,
    );
    await w.services.requests.take(created.id, w.support);
    await w.services.requests.cancel(created.id, w.clerk);
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, String(created.id)));
    const mine = rows.filter((r) => r.entity === "request").map((r) => [r.action, r.actor]);
    expect(mine).toEqual([
      ["request.create.capmoi", `staff:${(w.clerk as { staffId: number }).staffId}`],
      ["request.take", `staff:${(w.support as { staffId: number }).staffId}`],
      ["request.cancel", `staff:${(w.clerk as { staffId: number }).staffId}`],
    ]);
  });
});

describeEachDb("requests: concurrency", (getDb, driver) => {
  it.runIf(driver === "postgres")(
    "20 concurrent capmoi for one name get 20 distinct addresses, none lost",
    async () => {
      const database = getDb();
      const w = await world(database);
      const fullName = freshName();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          w.services.requests.createCapmoi(
            {
              fullName,
              unitId: w.agencyId,
              employmentType: "civil_servant",
              birthDate: `19${70 + (i % 5)}-0${1 + (i % 9)}-1${i % 10}`,
            },
            w.clerk,
          ),
        ),
      );
      const failures = results.filter((r) => r.status === "rejected");
      expect(failures).toEqual([]);
      const addresses = results.map((r) => (r as PromiseFulfilledResult<{ address: string }>).value.address);
      expect(new Set(addresses).size).toBe(20);
      const stored = await database.db
        .select({ a: requests.proposedAddress })
        .from(requests)
        .where(sql`${requests.payload}->>'fullName' = ${fullName}`);
      expect(stored).toHaveLength(20);
    },
  );

  it.runIf(driver === "postgres")(
    "two concurrent approvals: exactly one succeeds, the other gets a clear refusal",
    async () => {
      const database = getDb();
      const w = await world(database);
      const created = await w.services.requests.createCapmoi(
        { fullName: freshName(), unitId: w.agencyId, employmentType: "civil_servant" },
        w.clerk,
      );
      const auditsBefore = await auditCount(database);
      const results = await Promise.allSettled([
        w.services.requests.approve(created.id, w.support),
        w.services.requests.approve(created.id, w.support),
      ]);
      const ok = results.filter((r) => r.status === "fulfilled");
      const bad = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(ok).toHaveLength(1);
      expect(bad).toHaveLength(1);
      expect(bad[0]!.reason).toBeInstanceOf(ServiceError);
      expect((bad[0]!.reason as ServiceError).code).toBe("illegal_transition");
      expect(await auditCount(database)).toBe(auditsBefore + 2); // staff.create + approve, once
      const boxes = await database.db.select().from(mailboxes).where(eq(mailboxes.address, created.address!));
      expect(boxes).toHaveLength(1);
    },
  );
});
