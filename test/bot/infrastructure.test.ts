/**
 * The bot's infrastructure driven through real updates: the unlinked gate, /help by role, role
 * checks in unit scope, stale callback data, de-duplication, flows (restart, timeout, /huy,
 * stale flow buttons), the error boundary and log redaction. A small test feature stands in for
 * the commands of the next phase.
 */
import { Composer } from "grammy";
import { z } from "zod";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { feature as help } from "../../commands/help.ts";
import { feature as huy } from "../../commands/huy.ts";
import { feature as start } from "../../commands/start.ts";
import type { BotContext, BotFeature } from "../../src/bot/context.ts";
import { drain } from "../../src/bot/create-bot.ts";
import { UpdateClaims } from "../../src/bot/middleware/dedupe.ts";
import { defineFlow } from "../../src/bot/flows.ts";
import { t } from "../../src/bot/i18n.ts";
import { keyboard, onCallback, requestButton } from "../../src/bot/keyboards.ts";
import { requireRole } from "../../src/bot/middleware/require-role.ts";
import { createServices, ServiceError, type Services } from "../../src/services/index.ts";
import { CLI } from "../../src/services/types.ts";
import { BotHarness, TestClock } from "../helpers/bot.ts";
import { describeEachDb } from "../helpers/db.ts";
import { addStaff, addUnit, grant } from "../services/fixtures.ts";

const SECRET = "Tr0ub4dor&3-secret";

/** Two-step flow: a name (text), then a choice (buttons); "boom"/"refuse" exercise the boundary. */
const demoFlow = defineFlow({
  id: "demo",
  schema: z.object({ name: z.string().optional() }),
  steps: {
    name: async (ctx, _data, input) => {
      if (input.kind !== "text") return ctx.reply("Hãy gõ tên.");
      if (input.text === "boom") throw new Error("kaboom");
      if (input.text === "refuse") throw new ServiceError("invalid_input", "Tên không hợp lệ: hãy gõ lại.");
      await demoFlow.goto(ctx, "choice", { name: input.text });
      await ctx.reply(`Chọn cho ${input.text}?`, {
        reply_markup: keyboard([[ctx.flow.button("Có", "yes"), ctx.flow.button("Không", "no")]]),
      });
    },
    choice: async (ctx, data, input) => {
      if (input.kind !== "button") return ctx.reply("Hãy bấm một nút.");
      await ctx.flow.end();
      await ctx.reply(`Xong: ${data.name} → ${input.value}`);
    },
  },
});

const secretFlow = defineFlow({
  id: "secret",
  schema: z.object({}),
  sensitive: true,
  steps: {
    wait: async (ctx) => {
      await ctx.flow.end();
      await ctx.reply("Đã nhận (không lặp lại nội dung).");
    },
  },
});

function testFeature(): BotFeature {
  const composer = new Composer<BotContext>();
  composer.command("demo", async (ctx) => {
    await demoFlow.start(ctx, "name", {});
    await ctx.reply(`Tên? ${t.flowHint()}`);
  });
  composer.command("bimat", async (ctx) => {
    await secretFlow.start(ctx, "wait", {});
    await ctx.reply("Gửi bí mật.");
  });
  // Support only, in scope of the unit given as argument.
  composer.command(
    "hangdoi",
    requireRole("support", (ctx) => Number(ctx.match) || null),
    async (ctx) => {
      await ctx.reply("Hàng đợi: trống.", {
        reply_markup: keyboard([[requestButton.button("Duyệt", "approve", 42)]]),
      });
    },
  );
  onCallback(composer, requestButton, async (ctx, [action, id]) => {
    await ctx.answerCallbackQuery({ text: `${action} #${id}` });
  });
  return {
    name: "test",
    composer,
    flows: [demoFlow, secretFlow],
    commands: [
      { command: "demo", description: "Thử luồng", audience: "linked", place: "any" },
      { command: "bimat", description: "Thử bí mật", audience: "linked", place: "private" },
      { command: "hangdoi", description: "Hàng đợi", audience: ["support"], place: "support" },
    ],
  };
}

describeEachDb("bot infrastructure", (getDb) => {
  const clock = new TestClock();
  let services: Services;
  let h: BotHarness;
  // Only the infrastructure's own commands plus the test feature: independent of later features.
  const features = [start, help, huy, testFeature()];
  const linked = { staff: 0, support: 0, admin: 0 };
  let province = 0;
  let district = 0;
  let otherAgency = 0;
  const staffUser = { id: 620_001, is_bot: false as const, first_name: "An" };
  const supportUser = { id: 620_002, is_bot: false as const, first_name: "Bình" };
  const adminUser = { id: 620_003, is_bot: false as const, first_name: "Chi" };
  const stranger = { id: 620_009, is_bot: false as const, first_name: "Lạ" };

  beforeAll(async () => {
    const db = getDb();
    services = createServices(db, { clock: clock.now });
    h = await BotHarness.create({ services, clock: clock.now, features, identityCacheMs: 0 });
    province = (await addUnit(db, { name: "Sở TT&TT" })).id;
    district = (await addUnit(db, { name: "Phòng CNTT", kind: "division", parentId: province })).id;
    otherAgency = (await addUnit(db, { name: "Sở Nội vụ" })).id;
    const link = async (user: { id: number }, name: string) => {
      const person = await addStaff(db, { unitId: district, fullName: name });
      const { code } = await services.identity.createLinkCode({ staffId: person.id }, CLI);
      await services.identity.redeemLinkCode(user.id, code);
      return person.id;
    };
    linked.staff = await link(staffUser, "Nguyễn Văn An");
    linked.support = await link(supportUser, "Trần Thị Bình");
    linked.admin = await link(adminUser, "Lê Thị Chi");
    await grant(db, linked.support, "support", province);
    await grant(db, linked.admin, "admin", null);
  });

  describe("unlinked accounts may use /start and /help only", () => {
    it.each(["/huy", "/demo", "/hangdoi", "/khongtontai", "xin chào"])(
      "%s is refused politely",
      async (text) => {
        await h.text(stranger, h.privateChat(stranger), text);
        expect(h.lastReply(stranger.id)).toBe(t.notLinked());
      },
    );

    it("a button press is answered, not acted on", async () => {
      h.clearCalls();
      await h.callback(stranger, h.privateChat(stranger), requestButton.encode("approve", 42));
      expect(h.callbackAnswers()).toEqual([t.notLinkedShort()]);
    });

    it("ordinary group chatter from an unlinked member is ignored", async () => {
      h.clearCalls();
      await h.text(stranger, h.group(), "chào cả nhà");
      expect(h.callsTo("sendMessage")).toHaveLength(0);
    });
  });

  describe("/help lists exactly what the caller may use", () => {
    const commandsIn = (text: string | undefined) =>
      [...(text ?? "").matchAll(/^\/(\w+) —/gm)].map((m) => m[1]);

    it("unlinked: start and help", async () => {
      await h.command(stranger, h.privateChat(stranger), "help");
      expect(commandsIn(h.lastReply(stranger.id))).toEqual(["start", "help"]);
    });

    it("staff: no support commands", async () => {
      await h.command(staffUser, h.privateChat(staffUser), "help");
      expect(commandsIn(h.lastReply(staffUser.id))).toEqual(["start", "help", "huy", "demo", "bimat"]);
      expect(h.lastReply(staffUser.id)).toMatch(/^Nguyễn Văn An — vai trò: cán bộ\./);
    });

    it.each([
      ["support", supportUser],
      ["admin", adminUser],
    ])("%s: support commands too", async (_role, user) => {
      await h.command(user, h.privateChat(user), "help");
      expect(commandsIn(h.lastReply(user.id))).toEqual(["start", "help", "huy", "demo", "bimat", "hangdoi"]);
    });
  });

  describe("roles are checked in scope of the unit subtree", () => {
    it("support on the province covers its division, not another agency", async () => {
      await h.text(supportUser, h.group(), `/hangdoi ${district}`);
      expect(h.lastReply(h.group().id)).toBe("Hàng đợi: trống.");
      await h.text(supportUser, h.group(), `/hangdoi ${otherAgency}`);
      expect(h.lastReply(h.group().id)).toBe(t.forbidden(["support"]));
    });

    it("plain staff is refused; a global admin is allowed", async () => {
      await h.text(staffUser, h.group(), `/hangdoi ${district}`);
      expect(h.lastReply(h.group().id)).toBe(t.forbidden(["support"]));
      await h.text(adminUser, h.group(), `/hangdoi ${otherAgency}`);
      expect(h.lastReply(h.group().id)).toBe("Hàng đợi: trống.");
    });

    it("private-only commands are refused in a group", async () => {
      await h.text(staffUser, h.group(), "/bimat");
      expect(h.lastReply(h.group().id)).toMatch(/chỉ dùng trong cuộc trò chuyện riêng/);
    });
  });

  describe("callback data", () => {
    it("valid data reaches the handler", async () => {
      h.clearCalls();
      await h.callback(supportUser, h.group(), "rq:1:approve:42");
      expect(h.callbackAnswers()).toEqual(["approve #42"]);
    });

    it.each([
      "rq:0:approve:42",
      "rq:1:explode:42",
      "rq:1:approve:abc",
      "rq:1:approve",
      "zz:1:x",
      "",
      "garbage",
    ])("stale or garbage %j gets 'nút đã hết hạn'", async (data) => {
      h.clearCalls();
      await h.callback(supportUser, h.group(), data);
      expect(h.callbackAnswers()).toEqual([t.staleButton()]);
      expect(h.callsTo("sendMessage")).toHaveLength(0);
    });
  });

  it("an update delivered twice is handled once", async () => {
    h.clearCalls();
    const updateId = 9_000_001;
    await h.text(staffUser, h.privateChat(staffUser), "/help", updateId);
    await h.text(staffUser, h.privateChat(staffUser), "/help", updateId);
    expect(h.callsTo("sendMessage")).toHaveLength(1);
  });

  it("updates from many people arriving together are claimed by one statement, each handled once", async () => {
    h.clearCalls();
    const claims = vi.spyOn(services.chatState, "claimUpdates");
    const sessions = vi.spyOn(services.chatState, "getSession");
    try {
      // 12 people's updates handed over at once (a webhook with requests in flight).
      const people = Array.from({ length: 12 }, (_, i) => ({
        id: 4_200_000 + i,
        is_bot: false as const,
        first_name: `Khách ${i}`,
      }));
      await Promise.all(people.map((p, i) => h.text(p, h.privateChat(p), "/help", 9_100_000 + i)));
      expect(h.callsTo("sendMessage")).toHaveLength(12);
      expect(claims).toHaveBeenCalledTimes(1);
      // The flow state every private text needs came with the claim: no read of its own.
      expect(sessions).not.toHaveBeenCalled();
      // Delivered again later: each is dropped.
      h.clearCalls();
      await Promise.all(people.map((p, i) => h.text(p, h.privateChat(p), "/help", 9_100_000 + i)));
      expect(h.callsTo("sendMessage")).toHaveLength(0);
    } finally {
      claims.mockRestore();
      sessions.mockRestore();
    }
  });

  it("an update claimed by a previous run that died before finishing it is handled after the restart", async () => {
    h.clearCalls();
    const updateId = 9_200_001;
    // The dead run: claimed, never marked done (polling is one process: taken over at once).
    const before = await services.chatState.claimUpdates([{ updateId }], {
      claimant: "bot:deadboot",
      leaseSeconds: 0,
    });
    expect(before.outcomes.get(updateId)).toBe("won");
    const restarted = await BotHarness.create({ services, clock: clock.now, features });
    await restarted.text(staffUser, restarted.privateChat(staffUser), "/help", updateId);
    expect(restarted.callsTo("sendMessage")).toHaveLength(1);
    // Finished now: the same update delivered again is dropped, also after this run stops.
    await restarted.text(staffUser, restarted.privateChat(staffUser), "/help", updateId);
    await drain(restarted.bot);
    await h.text(staffUser, h.privateChat(staffUser), "/help", updateId);
    expect(restarted.callsTo("sendMessage")).toHaveLength(1);
    expect(h.callsTo("sendMessage")).toHaveLength(0);
  });

  it("the bot purges claims older than a week and expired flow sessions by itself", async () => {
    // Its own clock: eight days pass here, not in the other tests.
    const own = new TestClock();
    const owned = createServices(getDb(), { clock: own.now });
    const [old, recent] = [9_400_001, 9_400_002];
    await owned.chatState.claimUpdates([{ updateId: old }], { claimant: "bot:lastweek", leaseSeconds: 0 });
    await owned.chatState.markUpdatesDone([old]);
    await owned.chatState.setSession("flow:9400:9400", { step: "old" }, 60);
    own.advance(8 * 86_400_000);
    const claims = new UpdateClaims(owned, {
      claimant: "bot:now",
      leaseSeconds: 0,
      purge: { firstMs: 0, everyMs: 3_600_000 },
    });
    try {
      await claims.claimBatch([{ updateId: recent }]);
      await vi.waitFor(
        async () => {
          await claims.purged();
          const left = await getDb().execute<{ update_id: string | number }>(
            `select update_id from processed_updates where update_id in (${old}, ${recent})`,
          );
          expect(left.map((row) => Number(row.update_id))).toEqual([recent]);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(await owned.chatState.getSession("flow:9400:9400")).toBeNull();
      const sessions = await getDb().execute<{ n: string | number }>(
        `select count(*) as n from chat_sessions where key = 'flow:9400:9400'`,
      );
      expect(Number(sessions[0]?.n)).toBe(0);
    } finally {
      await claims.stop();
    }
  });

  it("a claim give-back still on its way never deletes the claim of the re-sent copy", async () => {
    // An update failed for want of a database; its claim is given back. Telegram re-sends it to
    // the same instance while the retry timer's give-back is still on its way (another pooled
    // connection): the re-sent copy's fresh claim must survive it, or the update would be
    // answered with no claim row behind it (the HAProxy storm lost 8 of 2,000 this way).
    const own = createServices(getDb(), { clock: new TestClock().now });
    const original = own.chatState.releaseUpdates.bind(own.chatState);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let calls = 0;
    const release = vi.spyOn(own.chatState, "releaseUpdates").mockImplementation(async (ids, claimant) => {
      calls++;
      if (calls === 1) await gate;
      return original(ids, claimant);
    });
    const claims = new UpdateClaims(own, { claimant: "bot:race", leaseSeconds: 0 });
    const id = 9_500_001;
    try {
      expect((await claims.claim(id)).outcome).toBe("won");
      claims.failed(id);
      const slowRelease = claims.releasePending();
      await vi.waitFor(() => expect(calls).toBe(1));
      const copy = claims.claim(id);
      // The copy is not claimed while the give-back is on its way (a bound, not a wait for an
      // event: were it claimed, it would be within this second on any machine).
      const first = await Promise.race([
        copy.then(() => "claimed"),
        new Promise<string>((resolve) => setTimeout(() => resolve("waiting"), 1_000)),
      ]);
      open();
      await slowRelease;
      expect(first).toBe("waiting");
      expect((await copy).outcome).toBe("won");
      claims.finished(id);
      await claims.flush();
      const rows = await getDb().execute<{ done: boolean }>(
        `select done_at is not null as done from processed_updates where update_id = ${id}`,
      );
      expect(rows.map((row) => row.done)).toEqual([true]);
    } finally {
      release.mockRestore();
      await claims.stop();
    }
  });

  it("done marks ride on the next claim statement; with no traffic a short timer writes them", async () => {
    const claims = vi.spyOn(services.chatState, "claimUpdates");
    const marks = vi.spyOn(services.chatState, "markUpdatesDone");
    const done = async (id: number) =>
      (
        await getDb().execute<{ done: boolean }>(
          `select done_at is not null as done from processed_updates where update_id = ${id}`,
        )
      )[0]?.done;
    try {
      const [first, second] = [9_300_001, 9_300_002];
      await h.text(staffUser, h.privateChat(staffUser), "/help", first);
      await h.text(staffUser, h.privateChat(staffUser), "/help", second);
      // The second update's claim carried the first one's done mark: no statement of its own.
      expect(claims.mock.calls.at(-1)?.[2]).toEqual([first]);
      expect(await done(first)).toBe(true);
      // Nothing else comes: the second one's mark is written by the timer.
      await vi.waitFor(async () => expect(await done(second)).toBe(true), { timeout: 10_000, interval: 50 });
      const timed = marks.mock.calls.flatMap((call) => [...call[0]]);
      expect(timed).toContain(second);
      expect(timed).not.toContain(first);
    } finally {
      claims.mockRestore();
      marks.mockRestore();
    }
  });

  describe("flows", () => {
    it("walks text then buttons, and a second bot instance continues after a restart", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      expect(h.lastReply(staffUser.id)).toBe("Tên? (gõ /huy để dừng)");
      await h.text(staffUser, chat, "Hoa");
      expect(h.lastReply(staffUser.id)).toBe("Chọn cho Hoa?");
      // "Restart": a brand-new bot over the same database.
      const restarted = await BotHarness.create({ services, clock: clock.now, features });
      restarted.api.messages.set(
        `${chat.id}:${h.lastKeyboardMessage(chat.id)!.messageId}`,
        h.lastKeyboardMessage(chat.id)!,
      );
      await restarted.press(staffUser, chat, "Có");
      expect(restarted.lastReply(staffUser.id)).toBe("Xong: Hoa → yes");
    });

    it("a button from an earlier step or run is stale", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      await h.text(staffUser, chat, "Lan");
      const oldRun = h.buttonsOf(h.lastKeyboardMessage(chat.id)!)[0]!.data;
      await h.command(staffUser, chat, "demo");
      h.clearCalls();
      await h.callback(staffUser, chat, oldRun);
      expect(h.callbackAnswers()).toEqual([t.staleButton()]);
      expect(h.callsTo("sendMessage")).toHaveLength(0);
    });

    it("plain text expected a button: the step says so and stays", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      await h.text(staffUser, chat, "Mai");
      await h.text(staffUser, chat, "có");
      expect(h.lastReply(staffUser.id)).toBe("Hãy bấm một nút.");
      await h.press(staffUser, chat, "Không");
      expect(h.lastReply(staffUser.id)).toBe("Xong: Mai → no");
    });

    it("/huy leaves the flow; the next text is not part of it", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      await h.command(staffUser, chat, "huy");
      expect(h.lastReply(staffUser.id)).toBe(t.flowCancelled());
      await h.text(staffUser, chat, "Hoa");
      expect(h.lastReply(staffUser.id)).toBe(t.notUnderstood());
    });

    it("times out after FLOW_TIMEOUT_MINUTES and says so once", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      clock.advance(16 * 60_000);
      await h.text(staffUser, chat, "Hoa");
      expect(h.lastReply(staffUser.id)).toBe(t.flowExpired(15));
      await h.text(staffUser, chat, "Hoa");
      expect(h.lastReply(staffUser.id)).toBe(t.notUnderstood());
    });

    it("flows are per user and per chat", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      await h.text(supportUser, h.privateChat(supportUser), "Hoa");
      expect(h.lastReply(supportUser.id)).toBe(t.notUnderstood());
      await h.text(staffUser, chat, "Hoa");
      expect(h.lastReply(staffUser.id)).toBe("Chọn cho Hoa?");
      await h.command(staffUser, chat, "huy");
    });
  });

  describe("error boundary", () => {
    it("a ServiceError becomes its Vietnamese message", async () => {
      const chat = h.privateChat(staffUser);
      await h.command(staffUser, chat, "demo");
      await h.text(staffUser, chat, "refuse");
      expect(h.lastReply(staffUser.id)).toBe("Tên không hợp lệ: hãy gõ lại.");
    });

    it("anything else: a generic apology, and the error is logged", async () => {
      const chat = h.privateChat(staffUser);
      await h.text(staffUser, chat, "boom");
      expect(h.lastReply(staffUser.id)).toBe(t.genericError());
      expect(h.logLines.some((line) => line.includes("kaboom") && line.includes('"level":50'))).toBe(true);
      await h.command(staffUser, chat, "huy");
    });

    it("a 4,000+ character message is refused up front", async () => {
      await h.text(staffUser, h.privateChat(staffUser), "a".repeat(4001));
      expect(h.lastReply(staffUser.id)).toBe(t.tooLong(4000));
    });
  });

  it("text typed in a sensitive flow never reaches the logs or a reply", async () => {
    const chat = h.privateChat(staffUser);
    await h.command(staffUser, chat, "bimat");
    await h.text(staffUser, chat, SECRET);
    expect(h.lastReply(staffUser.id)).toBe("Đã nhận (không lặp lại nội dung).");
    expect(h.everythingSaid()).not.toContain(SECRET);
  });
});
