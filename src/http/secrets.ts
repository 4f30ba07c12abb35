/**
 * Secret comparison for every HTTP route (webhook header, activity and metrics bearer tokens):
 * SHA-256 digests compared in constant time, so neither the content nor the length leaks.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || expected === "") return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** "Bearer abc" → "abc"; anything else → undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
