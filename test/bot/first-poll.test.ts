/**
 * The first getUpdates of a starting bot (first-poll.ts): one round trip normally; a webhook
 * left from webhook mode is deleted (keeping its updates) and the call repeated; another
 * process polling the token is not mistaken for a webhook.
 */
import { Api } from "grammy";
import { describe, expect, it } from "vitest";
import { beginFirstPoll } from "../../src/bot/transports/first-poll.ts";

type Answer = { ok: true; result: unknown } | { ok: false; error_code: number; description: string };

/** A Bot API that answers each method from a script, in order, and records what was asked. */
function scriptedApi(script: Record<string, Answer[]>) {
  const asked: { method: string; payload: Record<string, unknown> }[] = [];
  const fetch = async (url: string, init: { body?: unknown } = {}) => {
    const method = String(url).split("/").pop() ?? "";
    asked.push({ method, payload: JSON.parse(String(init.body ?? "{}")) as Record<string, unknown> });
    const answer = script[method]?.shift() ?? { ok: true, result: true };
    return { json: async () => answer };
  };
  return { api: new Api("1:test", { fetch: fetch as never }), asked };
}

const update = {
  update_id: 7,
  message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "/start" },
};

describe("first getUpdates", () => {
  it("one getUpdates without an offset; nothing else is sent", async () => {
    const { api, asked } = scriptedApi({ getUpdates: [{ ok: true, result: [update] }] });
    expect(await beginFirstPoll(api).updates).toEqual([update]);
    expect(asked.map((a) => a.method)).toEqual(["getUpdates"]);
    expect(asked[0]!.payload.offset).toBeUndefined();
  });

  it("a leftover webhook: deleted with its pending updates kept, then getUpdates again", async () => {
    const { api, asked } = scriptedApi({
      getUpdates: [
        {
          ok: false,
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
        { ok: true, result: [update] },
      ],
    });
    expect(await beginFirstPoll(api).updates).toEqual([update]);
    expect(asked.map((a) => a.method)).toEqual(["getUpdates", "deleteWebhook", "getUpdates"]);
    expect(asked[1]!.payload.drop_pending_updates).toBe(false);
  });

  it("another process polling the same token: the conflict is reported, no webhook is touched", async () => {
    const { api, asked } = scriptedApi({
      getUpdates: [
        {
          ok: false,
          error_code: 409,
          description:
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        },
      ],
    });
    await expect(beginFirstPoll(api).updates).rejects.toMatchObject({ error_code: 409 });
    expect(asked.map((a) => a.method)).toEqual(["getUpdates"]);
  });
});
