/**
 * The de-duplication claim fetches each update's flow state in its own statement (dedupe.ts).
 * A stale prefetch would let a password typed right after /doimk through as ordinary text:
 * these tests send the password in the same polled batch as /doimk, or after the state changed
 * behind a prefetch, and check that it is still deleted at once and taken as the password.
 */
import type { Update } from "grammy/types";
import { afterEach, expect, it } from "vitest";
import { updateClaimsOf } from "../../src/bot/create-bot.ts";
import { flowKeyOfUpdate } from "../../src/bot/flows.ts";
import { t } from "../../src/bot/i18n.ts";
import { startPolling, type PollingHandle } from "../../src/bot/transports/polling.ts";
import { silentLogger } from "../../src/logger.ts";
import { describeEachDb } from "../helpers/db.ts";
import { makeWorld, TG, type World } from "./world.ts";

const GOOD = "Xuan#Thu2026vn";
const SLASHED = "/Hoa.Sen#2026x";

function textUpdate(w: World, text: string): Update {
  const chat = w.h.privateChat(w.users.staff);
  return { update_id: w.h.nextUpdateId(), message: w.h.message(w.users.staff, chat, text) } as Update;
}

const deletedIds = (w: World) => w.h.callsTo("deleteMessage").map((c) => Number(c.payload.message_id));

function expectNeverShown(w: World, secret: string): void {
  expect(w.h.everythingSaid()).not.toContain(secret);
  expect(w.logLines.join("\n")).not.toContain(secret);
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describeEachDb(
  "/doimk with the flow state fetched by the claim",
  (getDb) => {
    let polling: PollingHandle | undefined;
    afterEach(async () => {
      await polling?.stop();
      polling = undefined;
    });

    it("polling: /doimk and the password in one batch — the password is deleted and changes the password", async () => {
      const w = await makeWorld(getDb());
      const doimk = textUpdate(w, "/doimk");
      const password = textUpdate(w, GOOD);
      const slashed = textUpdate(w, "/doimk");
      const slashedPassword = textUpdate(w, SLASHED);
      // All four wait in Telegram's queue, so the loop fetches and claims them as one batch.
      for (const u of [doimk, password, slashed, slashedPassword]) w.h.api.queueUpdate(u);
      polling = await startPolling(w.h.bot, silentLogger(), {
        health: async () => true,
        timeoutSeconds: 1,
      });
      const done = () => w.h.replies(TG.staff).filter((r) => r.startsWith("Đã đổi mật khẩu")).length;
      await until(() => done() === 2, "both passwords to be changed");

      expect(deletedIds(w)).toEqual(
        expect.arrayContaining([password.message!.message_id, slashedPassword.message!.message_id]),
      );
      const replies = w.h.replies(TG.staff);
      expect(replies).not.toContain(t.notUnderstood());
      expect(replies).not.toContain(t.unknownCommand());
      expectNeverShown(w, GOOD);
      expectNeverShown(w, SLASHED);
    });

    it("a session written after the claim's prefetch is read again: the password is not taken for text", async () => {
      const w = await makeWorld(getDb());
      const claims = updateClaimsOf(w.h.bot)!;
      const password = textUpdate(w, GOOD);
      // The password's claim (and its prefetch: no flow yet) is taken first…
      await claims.claimBatch([{ updateId: password.update_id, sessionKey: flowKeyOfUpdate(password) }]);
      // …then /doimk starts the flow, before the password is handled.
      await w.h.command(w.users.staff, w.h.privateChat(w.users.staff), "doimk");
      await w.h.send(password);

      expect(deletedIds(w)).toContain(password.message!.message_id);
      expect(w.h.lastReply(TG.staff)).toContain("Đã đổi mật khẩu cho nguyenvanan@phuyen.gov.vn");
      expectNeverShown(w, GOOD);
    });

    it("update by update (webhook): /doimk and the password handed over together", async () => {
      const w = await makeWorld(getDb());
      const doimk = textUpdate(w, "/doimk");
      const password = textUpdate(w, SLASHED);
      await Promise.all([w.h.send(doimk), w.h.send(password)]);

      expect(deletedIds(w)).toContain(password.message!.message_id);
      expect(w.h.lastReply(TG.staff)).toContain("Đã đổi mật khẩu cho nguyenvanan@phuyen.gov.vn");
      expectNeverShown(w, SLASHED);
    });
  },
  { resetEach: true },
);
