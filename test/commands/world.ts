/**
 * A small phuyen organisation with one person per role, linked to Telegram ids, and the bot
 * harness on top: what every command test starts from.
 *
 *   Sở TT&TT (stttt) ── Trung tâm CNTT&TT, Phòng CNTT          Sở Y tế (outside the clerk's scope)
 */
import { eq } from "drizzle-orm";
import type { User } from "grammy/types";
import type { Database } from "../../src/db/client.ts";
import { mailboxes, staff } from "../../src/db/schema.ts";
import { createServices, type Services } from "../../src/services/index.ts";
import { BotHarness, captureLogger, SUPPORT_CHAT_ID } from "../helpers/bot.ts";
import { addMailbox, addStaff, addUnit, grant } from "../services/fixtures.ts";

/** Monday 23 November 2026, 09:00 in Vietnam. */
export const MONDAY_9AM = new Date("2026-11-23T02:00:00Z");
export const FAST_HASH = { memoryCost: 1024, timeCost: 1 };

export const TG = {
  clerk: 1001,
  head: 1002,
  support: 1003,
  admin: 1004,
  staff: 1005,
  unlinked: 1006,
  self: 1007,
} as const;
export type Who = keyof typeof TG;
export const ROLES_OF: Record<Who, string> = {
  clerk: "clerk",
  head: "unit_head",
  support: "support",
  admin: "admin",
  staff: "staff",
  unlinked: "unlinked",
  self: "staff",
};

export interface World {
  database: Database;
  services: Services;
  h: BotHarness;
  clock: { now: Date };
  logLines: string[];
  units: { so: number; ttc: number; pcntt: number; syt: number };
  staffIds: Record<Exclude<Who, "unlinked">, number>;
  users: Record<Who, User>;
  mailboxIds: { lockedAn: number; taken: number };
  advance(minutes: number): void;
}

export async function makeWorld(
  database: Database,
  options: { supportChatId?: number } = {},
): Promise<World> {
  const clock = { now: new Date(MONDAY_9AM) };
  const now = () => new Date(clock.now);
  const services = createServices(database, { clock: now, hash: FAST_HASH });

  const so = await addUnit(database, { name: "Sở TT&TT", abbr: "stttt", localPart: "stttt" });
  const ttc = await addUnit(database, {
    name: "Trung tâm CNTT&TT",
    abbr: "ttcntttt",
    kind: "division",
    parentId: so.id,
  });
  const pcntt = await addUnit(database, {
    name: "Phòng CNTT",
    abbr: "pcntt",
    kind: "division",
    parentId: so.id,
  });
  const syt = await addUnit(database, { name: "Sở Y tế", abbr: "syt", localPart: "syt" });

  const person = async (fullName: string, unitId: number, tg: number | null, birthDate = "1980-01-01") =>
    (await addStaff(database, { fullName, unitId, birthDate, ...(tg ? { telegramUserId: tg } : {}) })).id;
  const staffIds = {
    clerk: await person("Lê Thị Mai", so.id, TG.clerk),
    head: await person("Trần Văn Hùng", so.id, TG.head),
    support: await person("Phạm Văn Hùng", so.id, TG.support),
    admin: await person("Hoàng Văn Quản", so.id, TG.admin),
    staff: await person("Nguyễn Văn An", pcntt.id, TG.staff, "1990-01-01"),
    self: await person("Đặng Thị Bình", pcntt.id, TG.self, "1992-05-06"),
  };
  await grant(database, staffIds.clerk, "clerk", so.id);
  await grant(database, staffIds.head, "unit_head", so.id);
  await grant(database, staffIds.support, "support", null);
  await grant(database, staffIds.admin, "admin", null);

  const duc = await person("Huỳnh Ngọc Đức", syt.id, null, "1970-02-02");
  const taken = await addMailbox(database, { unitId: syt.id, localPart: "huynhngocduc", ownerStaffId: duc });
  const lockedAn = await addMailbox(database, {
    unitId: pcntt.id,
    localPart: "nguyenvanan",
    ownerStaffId: staffIds.staff,
    status: "locked",
    lockReason: "inactivity",
    lockedAt: new Date("2026-11-02T03:00:00Z"),
  });

  const captured = captureLogger("debug");
  const h = await BotHarness.create({
    services,
    clock: now,
    logger: captured.logger,
    config: { supportChatId: options.supportChatId ?? SUPPORT_CHAT_ID },
  });
  const users = {
    clerk: h.user(TG.clerk, "Mai"),
    head: h.user(TG.head, "Hùng"),
    support: h.user(TG.support, "Hùng HT"),
    admin: h.user(TG.admin, "Quản"),
    staff: h.user(TG.staff, "An"),
    unlinked: h.user(TG.unlinked, "Lạ"),
    self: h.user(TG.self, "Bình"),
  };
  for (const user of Object.values(users)) h.privateChat(user);
  h.group();
  return {
    database,
    services,
    h,
    clock,
    logLines: captured.lines,
    units: { so: so.id, ttc: ttc.id, pcntt: pcntt.id, syt: syt.id },
    staffIds,
    users,
    mailboxIds: { lockedAn: lockedAn.id, taken: taken.id },
    advance(minutes) {
      clock.now = new Date(clock.now.getTime() + minutes * 60_000);
    },
  };
}

export async function mailboxByAddress(database: Database, address: string) {
  const [row] = await database.db.select().from(mailboxes).where(eq(mailboxes.address, address));
  return row;
}

export async function staffByName(database: Database, fullName: string) {
  return database.db.select().from(staff).where(eq(staff.fullName, fullName));
}
