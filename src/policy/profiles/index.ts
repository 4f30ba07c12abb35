/**
 * The built-in profiles and loading an operator's own from JSON. Built-ins are validated
 * once when first asked for, so a typo in the data fails loudly in tests, not in production.
 */
import { type Profile, ProfileSchema } from "../profile.ts";
import { type Result, err, ok } from "../../lib/result.ts";
import { binhtan } from "./binhtan.ts";
import { mic } from "./mic.ts";
import { ninhbinh } from "./ninhbinh.ts";
import { phuyen } from "./phuyen.ts";
import { soctrang } from "./soctrang.ts";

const RAW = { mic, binhtan, phuyen, soctrang, ninhbinh };
const cache = new Map<string, Profile>();
const custom = new Map<string, Profile>();

export function builtInProfileIds(): string[] {
  return Object.keys(RAW);
}

/** All profiles known to this process: built-ins plus any registered custom ones. */
export function profileIds(): string[] {
  return [...new Set([...builtInProfileIds(), ...custom.keys()])];
}

export function findProfile(id: string): Profile | undefined {
  const own = custom.get(id);
  if (own) return own;
  const cached = cache.get(id);
  if (cached) return cached;
  const raw = (RAW as Record<string, unknown>)[id];
  if (raw === undefined) return undefined;
  const parsed = ProfileSchema.parse(raw);
  cache.set(id, parsed);
  return parsed;
}

export function getProfile(id: string): Profile {
  const profile = findProfile(id);
  if (!profile) {
    throw new Error(`Không có hồ sơ quy chế "${id}". Các hồ sơ hiện có: ${profileIds().join(", ")}.`);
  }
  return profile;
}

export interface ProfileIssue {
  /** The zod path of the bad field, e.g. "passwords.user.minLength". */
  path: string;
  message: string;
}

/** Parse an operator's profile JSON; every problem comes back with its path. */
export function parseProfileJson(text: string): Result<Profile, ProfileIssue[]> {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    return err([{ path: "(tệp)", message: `Không đọc được JSON: ${(e as Error).message}` }]);
  }
  const parsed = ProfileSchema.safeParse(data);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((issue) => ({
        path: issue.path.length ? issue.path.join(".") : "(gốc)",
        message: issue.message,
      })),
    );
  }
  return ok(parsed.data);
}

/** Make an operator's profile available by id (it may replace a built-in). */
export function registerProfile(profile: Profile): void {
  custom.set(profile.id, profile);
}
