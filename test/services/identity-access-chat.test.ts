import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { linkCodes } from "../../src/db/schema.ts";
import { createAccessService } from "../../src/services/access.ts";
import { createChatStateService } from "../../src/services/chat-state.ts";
import { createContext } from "../../src/services/context.ts";
import { ServiceError } from "../../src/services/errors.ts";
import { createIdentityService, hashLinkCode } from "../../src/services/identity.ts";
import { CLI } from "../../src/services/types.ts";
import { staffViewById } from "../../src/services/views.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addMailbox, addStaff, addUnit, auditCount, grant, uniq } from "./fixtures.ts";

describeEachDb("identity: link codes", (getDb) => {
  it("links a Telegram account once; the code is stored only as sha256", async () => {
    const database = getDb();
    const ctx = createContext(database);
    const identity = createIdentityService(ctx);
    const unit = await addUnit(database);
    const person = await addStaff(database, { unitId: unit.id });
    const { code, staffId, expiresAt } = await identity.createLinkCode({ staffId: person.id }, CLI);
    expect(staffId).toBe(person.id);
    expect(code).toMatch(/^[A-Z2-9]{12}$/);
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 3600_000);
    const [stored] = await database.db.select().from(linkCodes).where(eq(linkCodes.staffId, person.id));
    expect(stored?.codeHash).toBe(hashLinkCode(code));
    expect(stored?.codeHash).not.toContain(code);

    const tg = 700_000_000 + Math.floor(Math.random() * 1e6);
    const linked = await identity.redeemLinkCode(tg, code.toLowerCase());
    expect(linked.id).toBe(person.id);
    expect((await identity.findByTelegramId(tg))?.id).toBe(person.id);
    // single use
    await expect(identity.redeemLinkCode(tg + 1, code)).rejects.toThrow(ServiceError);
  });

  it("finds the staff member by mailbox address", async () => {
    const database = getDb();
    const identity = createIdentityService(createContext(database));
    const unit = await addUnit(database);
    const person = await addStaff(database, { unitId: unit.id });
    const lp = `link${uniq()}`;
    await addMailbox(database, { unitId: unit.id, localPart: lp, ownerStaffId: person.id });
    const result = await identity.createLinkCode({ address: `${lp.toUpperCase()}@phuyen.gov.vn` }, CLI);
    expect(result.staffId).toBe(person.id);
    await expect(identity.createLinkCode({ address: "nobody@phuyen.gov.vn" }, CLI)).rejects.toThrow(
      /Không tìm thấy/,
    );
  });

  it("expired codes fail; wrong guesses are rate-limited per Telegram user", async () => {
    const database = getDb();
    let now = new Date("2026-03-02T02:00:00Z");
    const identity = createIdentityService(createContext(database, { clock: () => now }));
    const unit = await addUnit(database);
    const person = await addStaff(database, { unitId: unit.id });
    const { code } = await identity.createLinkCode({ staffId: person.id }, CLI, 10);
    now = new Date(now.getTime() + 11 * 60_000);
    const tg = 800_000_000 + Math.floor(Math.random() * 1e6);
    await expect(identity.redeemLinkCode(tg, code)).rejects.toMatchObject({ code: "not_found" });

    const fresh = await identity.createLinkCode({ staffId: person.id }, CLI);
    for (let i = 0; i < 4; i++) {
      await expect(identity.redeemLinkCode(tg, "WRONGCODE234")).rejects.toMatchObject({ code: "not_found" });
    }
    // 5 wrong guesses in the window (the expired one counted): even the right code is refused now.
    await expect(identity.redeemLinkCode(tg, fresh.code)).rejects.toMatchObject({ code: "rate_limited" });
    now = new Date(now.getTime() + 16 * 60_000);
    await expect(identity.redeemLinkCode(tg, fresh.code)).resolves.toMatchObject({ id: person.id });
  });

  it("refuses to link a Telegram account already linked to someone else", async () => {
    const database = getDb();
    const identity = createIdentityService(createContext(database));
    const unit = await addUnit(database);
    const tg = 900_000_000 + Math.floor(Math.random() * 1e6);
    await addStaff(database, { unitId: unit.id, telegramUserId: tg });
    const other = await addStaff(database, { unitId: unit.id, fullName: "Trần Thị Bình" });
    const { code } = await identity.createLinkCode({ staffId: other.id }, CLI);
    const before = await auditCount(database);
    await expect(identity.redeemLinkCode(tg, code)).rejects.toMatchObject({ code: "conflict" });
    expect(await auditCount(database)).toBe(before);
    const [row] = await database.db
      .select()
      .from(linkCodes)
      .where(eq(linkCodes.codeHash, hashLinkCode(code)));
    expect(row?.usedAt).toBeNull(); // rolled back: the code is still usable
  });
});

describeEachDb("access: roles scoped to unit subtrees", (getDb) => {
  it("a grant covers the subtree, admin covers everything in scope, null = everywhere", async () => {
    const database = getDb();
    const ctx = createContext(database);
    const access = createAccessService(ctx);
    const root = await addUnit(database, { kind: "district" });
    const child = await addUnit(database, { kind: "commune", parentId: root.id });
    const grandchild = await addUnit(database, { kind: "division", parentId: child.id });
    const other = await addUnit(database);
    const head = await addStaff(database, { unitId: root.id });
    await access.grant(head.id, "unit_head", root.id, CLI);
    await access.grant(head.id, "unit_head", root.id, CLI); // twice: no error, no second row
    const view = (await staffViewById(database.db, head.id))!;
    expect(view.roles).toEqual([{ role: "unit_head", unitId: root.id }]);
    expect(await access.hasRole(view, "unit_head", grandchild.id)).toBe(true);
    expect(await access.hasRole(view, "unit_head", other.id)).toBe(false);
    expect(await access.hasRole(view, "support", root.id)).toBe(false);
    // Several roles at once: any one of them over the unit (or its ancestors) is enough.
    expect(await access.hasRole(view, ["support", "unit_head"], grandchild.id)).toBe(true);
    expect(await access.hasRole(view, ["support", "clerk"], grandchild.id)).toBe(false);
    expect(await access.hasRole(view, ["support", "unit_head"], other.id)).toBe(false);
    expect(await access.hasRole(view, ["clerk", "staff"], root.id)).toBe(true); // own unit
    await expect(access.requireRole(view, ["support", "clerk"], child.id)).rejects.toMatchObject({
      code: "forbidden",
    });
    const scope = await access.unitsInScope(view, ["unit_head"]);
    expect(scope.map((u) => u.id).sort()).toEqual([root.id, child.id, grandchild.id].sort());

    const admin = await addStaff(database, { unitId: other.id, fullName: "Lê Văn Cường" });
    await grant(database, admin.id, "admin", null);
    const adminView = (await staffViewById(database.db, admin.id))!;
    expect(await access.hasRole(adminView, "support", grandchild.id)).toBe(true);

    await access.revoke(head.id, "unit_head", root.id, CLI);
    const after = (await staffViewById(database.db, head.id))!;
    expect(await access.hasRole(after, "unit_head", child.id)).toBe(false);
    await expect(access.revoke(head.id, "unit_head", root.id, CLI)).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(access.grant(head.id, "unit_head", 99_999_999, CLI)).rejects.toThrow(/Không có đơn vị/);
  });
});

describeEachDb("chat state", (getDb) => {
  it("stores sessions with expiry", async () => {
    let now = new Date("2026-01-05T00:00:00Z");
    const chat = createChatStateService(createContext(getDb(), { clock: () => now }));
    const key = `chat:${uniq()}`;
    expect(await chat.getSession(key)).toBeNull();
    await chat.setSession(key, { step: "name", draft: { fullName: "Nguyễn Văn A" } }, 60);
    expect(await chat.getSession(key)).toEqual({ step: "name", draft: { fullName: "Nguyễn Văn A" } });
    await chat.setSession(key, { step: "confirm" }, 60);
    expect(await chat.getSession(key)).toEqual({ step: "confirm" });
    now = new Date(now.getTime() + 61_000);
    expect(await chat.getSession(key)).toBeNull();
    await chat.setSession(key, { x: 1 }, null);
    await chat.deleteSession(key);
    expect(await chat.getSession(key)).toBeNull();
    await expect(chat.setSession(key, { big: "x".repeat(70_000) })).rejects.toThrow(ServiceError);
  });
});

describe("link code format", () => {
  it("normalises spaces, dashes and case", () => {
    expect(hashLinkCode("abcd-efgh jkmn")).toBe(hashLinkCode("ABCDEFGHJKMN"));
  });
});
