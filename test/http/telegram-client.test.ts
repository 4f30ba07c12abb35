/**
 * One Telegram client: `mailbot remind run` sends through the same transformers as the bot
 * (retried on 429 instead of failing like the bare client did), counted for /metrics.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTelegramApi, digestSender, noExtraThrottle } from "../../src/bot/api-config.ts";
import { BotApiError } from "../../src/bot/transports/local-api.ts";
import { metrics } from "../../src/metrics.ts";
import { FAKE_TOKEN, FakeBotApiServer } from "../helpers/fake-bot-api-server.ts";

let fake: FakeBotApiServer;
beforeAll(async () => {
  fake = await new FakeBotApiServer().start();
});
afterAll(async () => {
  await fake?.stop();
});

const counter = async (c: typeof metrics.remindersSent) => (await c.get()).values[0]?.value ?? 0;

it("a digest hit by a 429 is retried by the shared client and counted once as sent", async () => {
  let refusals = 1;
  fake.api.overrides.set("sendMessage", (payload) => {
    if (refusals-- > 0) throw new BotApiError(429, "Too Many Requests: retry after 1");
    fake.api.overrides.delete("sendMessage");
    return { message_id: 1, date: 0, chat: { id: payload.chat_id, type: "private" }, text: payload.text };
  });
  const sentBefore = await counter(metrics.remindersSent);
  const send = digestSender(createTelegramApi(FAKE_TOKEN, { apiRoot: fake.apiRoot }));
  await send(4242, "Nhắc việc: 1 thư cần trả lời");
  const attempts = fake.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === 4242);
  expect(attempts.map((a) => a.ok)).toEqual([false, true]);
  expect(await counter(metrics.remindersSent)).toBe(sentBefore + 1);
});

it("a digest Telegram refuses for good is counted as failed and reported to the sweep", async () => {
  fake.api.overrides.set("sendMessage", () => {
    throw new BotApiError(403, "Forbidden: bot was blocked by the user");
  });
  const failedBefore = await counter(metrics.remindersFailed);
  const send = digestSender(createTelegramApi(FAKE_TOKEN, { apiRoot: fake.apiRoot }));
  await expect(send(4343, "Nhắc việc")).rejects.toMatchObject({ error_code: 403 });
  expect(await counter(metrics.remindersFailed)).toBe(failedBefore + 1);
  fake.api.overrides.delete("sendMessage");
});

it("the sweep's limiter does not hold digests a second time when the client throttles", async () => {
  const limiter = noExtraThrottle();
  let slept = 0;
  const original = limiter.clock.sleep;
  // The real clock; count any wait it would ask for.
  (limiter.clock as { sleep: (ms: number) => Promise<void> }).sleep = async (ms) => {
    slept += ms;
    await original(0);
  };
  for (let i = 0; i < 50; i++) await limiter.acquire(7);
  expect(slept).toBe(0);
});
