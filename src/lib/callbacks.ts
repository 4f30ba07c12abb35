/**
 * Callback data of inline buttons, and the buttons several layers share: a pure module (zod
 * only), so the reminder digests can encode buttons that the bot's features decode without the
 * reminders importing the bot.
 *
 * Callback data is `<ns>:<version>:<field>:<field>…`, e.g. `rq:1:approve:1042` (Telegram allows
 * 1–64 bytes). Every field list is a zod tuple, so data from an old message (an older version, a
 * removed action) or forged data fails validation and the presser gets "nút đã hết hạn" instead
 * of a crash or, worse, a wrong action. Bump `version` whenever the meaning of the fields changes:
 * buttons already sitting in chats then expire politely.
 */
import type { InlineKeyboardButton } from "grammy/types";
import { z } from "zod";

export const MAX_CALLBACK_BYTES = 64;
const NS = /^[a-z][a-z0-9]{0,5}$/;
/** What a field may contain once encoded: no separator, nothing exotic. */
const FIELD = /^[A-Za-z0-9_.-]{1,40}$/;

export type Field = string | number;

export type DecodeResult<A> = { ok: true; args: A } | { ok: false; reason: "other" | "stale" };

export interface CallbackCodec<A extends readonly Field[]> {
  readonly ns: string;
  readonly version: number;
  /** Matches any data of this namespace, valid or not (for `composer.callbackQuery`). */
  readonly pattern: RegExp;
  encode(...args: A): string;
  button(label: string, ...args: A): InlineKeyboardButton.CallbackButton;
  decode(data: string | undefined): DecodeResult<A>;
}

/**
 * Declares one kind of button. `fields` are the zod schemas of the fields after the version; use
 * `z.coerce.number()` for numbers (data arrives as text).
 */
export function defineCallback<T extends [z.ZodType<Field>, ...z.ZodType<Field>[]]>(
  ns: string,
  version: number,
  fields: T,
): CallbackCodec<{ [K in keyof T]: z.output<T[K]> }> {
  type A = { [K in keyof T]: z.output<T[K]> };
  if (!NS.test(ns)) throw new Error(`Callback namespace "${ns}" must match ${NS}`);
  if (!Number.isInteger(version) || version < 1)
    throw new Error("Callback version must be a positive integer");
  const schema = z.tuple(fields as unknown as [z.ZodType<Field>, ...z.ZodType<Field>[]]);
  const prefix = `${ns}:${version}:`;
  const codec: CallbackCodec<A> = {
    ns,
    version,
    pattern: new RegExp(`^${ns}:`),
    encode(...args: A) {
      const parts = (args as readonly Field[]).map(String);
      for (const part of parts) {
        if (!FIELD.test(part)) throw new Error(`Callback field "${part}" is not encodable`);
      }
      const data = prefix + parts.join(":");
      if (Buffer.byteLength(data, "utf8") > MAX_CALLBACK_BYTES) {
        throw new Error(`Callback data "${data}" is longer than ${MAX_CALLBACK_BYTES} bytes`);
      }
      return data;
    },
    button(label: string, ...args: A) {
      return { text: label, callback_data: codec.encode(...args) };
    },
    decode(data) {
      if (typeof data !== "string" || !data.startsWith(`${ns}:`)) return { ok: false, reason: "other" };
      if (!data.startsWith(prefix)) return { ok: false, reason: "stale" };
      const parsed = schema.safeParse(data.slice(prefix.length).split(":"));
      return parsed.success
        ? { ok: true, args: parsed.data as unknown as A }
        : { ok: false, reason: "stale" };
    },
  };
  return codec;
}

// ---------------------------------------------------------------------------------------------
// Buttons shared by several features

const RequestId = z.coerce.number().int().positive().max(2_147_483_647);

/** Support desk and endorsement actions on a request: `rq:1:approve:1042`. */
export const requestButton = defineCallback("rq", 1, [
  z.enum(["take", "approve", "reject", "endorse", "cancel"]),
  RequestId,
]);

/** "Gửi lại" under a rejected /capmoi, for its requester: `rs:1:1042`. */
export const resendButton = defineCallback("rs", 1, [RequestId]);

/**
 * Buttons inside a step-by-step flow: `fl:1:<flow nonce>:<step seq>:<value>`. The nonce names
 * one run of a flow, the seq one step of it: a button from an earlier step or an earlier run no
 * longer matches the saved state and is answered as expired (see flows.ts).
 */
export const flowButton = defineCallback("fl", 1, [
  z.string().regex(/^[a-z0-9]{4,12}$/),
  z.coerce.number().int().min(0).max(10_000),
  z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/),
]);

/**
 * Buttons under a reminder digest (src/reminders/digest.ts encodes them, commands/reminders.ts
 * handles them): `rem:1:ans:<tracked message id>` (mark answered), `rem:1:kp:<mailbox id>`
 * (start /khoiphuc), `rem:1:req:<request id>` (show the request), and "Nhắc cán bộ" on a
 * manager's digest: `rem:1:pt:<tracked message id>` (ping the person about a message),
 * `rem:1:pm:<mailbox id>` (ping the person about their mailbox).
 */
export const REMINDER_ACTIONS = ["ans", "kp", "req", "pt", "pm"] as const;
export const reminderButton = defineCallback("rem", 1, [z.enum(REMINDER_ACTIONS), RequestId]);
