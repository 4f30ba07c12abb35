import { expect, it } from "vitest";
import { ACTIONS, allowedWithoutRole, PERMISSIONS, rolesFor } from "../../src/policy/permissions.ts";

it("a mailbox's own people restore it and set its password without a role; handling requests needs support", () => {
  const mailbox = { unitId: 7, ownerStaffId: 1, keeperStaffId: 2 };
  expect(allowedWithoutRole("mailbox.restore", mailbox, 1)).toBe(true);
  expect(allowedWithoutRole("mailbox.set_password", mailbox, 2)).toBe(true);
  expect(allowedWithoutRole("mailbox.restore", mailbox, 3)).toBe(false);
  // Owning the mailbox does not make anyone the support desk or the unit head.
  expect(allowedWithoutRole("mailbox.lock", mailbox, 1)).toBe(false);
  expect(allowedWithoutRole("request.handle", { unitId: 7, requesterStaffId: 1 }, 1)).toBe(false);
  expect(allowedWithoutRole("request.view", { unitId: 7, requesterStaffId: 1 }, 1)).toBe(true);
  expect(rolesFor("request.handle")).toEqual(["support"]);
  expect(rolesFor("mailbox.set_password")).toEqual(["admin"]);
});

it("every action has a row with at least one role (admin alone is implied, never the only way in)", () => {
  for (const action of ACTIONS) expect(PERMISSIONS[action].roles.length).toBeGreaterThan(0);
});
