/**
 * Two webhook instances on one database (src/bot/middleware/dedupe.ts): a copy of an update that
 * the other instance is still handling is answered 503 (Telegram re-sends it), never dropped and
 * never handled twice; once it is done the copy is dropped; an update whose instance died is
 * taken over when its lease has passed.
 */
import { Composer } from "grammy";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { BotContext, BotFeature } from "../../src/bot/context.ts";
import { startHttpServer, type HttpServer } from "../../src/http/server.ts";
import { silentLogger } from "../../src/logger.ts";
import { createServices } from "../../src/services/index.ts";
import { BotHarness, TestClock } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";

const SECRET = "webhook-secret-0123456789";
const LEASE_SECONDS = 20;

describeEachDb("two webhook instances, one update", (getDb) => {
  const clock = new TestClock();
  let release: () => void = () => {};
  let started = 0;
  // A slow command: its handler waits until the test lets it go. /nhanh answers at once.
  const slow = new Composer<BotContext>();
  slow.command("cham", async (ctx) => {
    started++;
    await new Promise<void>((resolve) => (release = resolve));
    await ctx.reply("xong");
  });
  slow.command("nhanh", (ctx) => ctx.reply("xong"));
  const slowFeature: BotFeature = {
    name: "cham",
    composer: slow,
    commands: [
      { command: "cham", description: "thử xử lý chậm", audience: "everyone", place: "any" },
      { command: "nhanh", description: "thử xử lý nhanh", audience: "everyone", place: "any" },
    ],
  };
  const instances: { h: BotHarness; server: HttpServer }[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const h = await BotHarness.create({
        services: createServices(getDb(), { clock: clock.now }),
        clock: clock.now,
        features: [slowFeature],
        config: { botMode: "webhook", instanceId: `web${i}`, updateClaimLeaseSeconds: LEASE_SECONDS },
      });
      const server = await startHttpServer({
        port: 0,
        host: "127.0.0.1",
        logger: silentLogger(),
        health: async () => true,
        webhook: { bot: h.bot, path: "/telegram", secret: SECRET },
      });
      instances.push({ h, server });
    }
  });
  afterAll(async () => {
    release();
    await Promise.all(instances.map((i) => i.server.close()));
  });

  const update = (userId: number, text: string): Update => {
    const { h } = instances[0]!;
    const user = h.user(userId, "Hai Nơi");
    return { update_id: h.nextUpdateId(), message: h.message(user, h.privateChat(user), text) } as Update;
  };
  const post = (to: number, body: Update) =>
    fetch(`${instances[to]!.server.url}/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(body),
    });
  const replies = (to: number) => instances[to]!.h.callsTo("sendMessage").length;
  /** Telegram's re-sending: until the answer is 2xx (the done mark is written within ~200 ms). */
  const resendUntilAccepted = async (to: number, body: Update) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await post(to, body);
      if (response.ok) return;
      expect(response.status).toBe(503);
      if (Date.now() > deadline) throw new Error("never accepted");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it("a copy sent to the other instance while the first handles it is answered 503, then dropped once done", async () => {
    for (const i of instances) i.h.clearCalls();
    const u = update(660_001, "/cham");
    const first = post(0, u);
    await expect.poll(() => started, { timeout: 10_000 }).toBe(1);
    // Instance 0 has claimed it and is handling it.
    expect((await post(1, u)).status).toBe(503);
    // A second copy reaching instance 0 itself waits behind the first (same chat), then is dropped.
    const again = post(0, u);
    release();
    expect((await first).status).toBe(200);
    expect((await again).status).toBe(200);
    await resendUntilAccepted(1, u);
    expect(replies(0)).toBe(1);
    expect(replies(1)).toBe(0);
  });

  it("an update whose instance died unfinished is taken over by the other once the lease has passed", async () => {
    for (const i of instances) i.h.clearCalls();
    const dead = update(660_002, "/nhanh");
    // The dead instance's claim: taken, never finished.
    const services = createServices(getDb(), { clock: clock.now });
    const claim = await services.chatState.claimUpdates([{ updateId: dead.update_id }], {
      claimant: "web9:deadbeef",
      leaseSeconds: 0,
    });
    expect(claim.outcomes.get(dead.update_id)).toBe("won");
    expect((await post(1, dead)).status).toBe(503);
    clock.advance((LEASE_SECONDS - 1) * 1000);
    expect((await post(1, dead)).status).toBe(503);
    clock.advance(2_000);
    expect((await post(1, dead)).status).toBe(200);
    expect(replies(1)).toBe(1);
    await resendUntilAccepted(0, dead);
    expect(replies(0)).toBe(0);
  });
});
