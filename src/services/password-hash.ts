/**
 * argon2id hashing in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), which
 * Dovecot (`{ARGON2ID}`) and other mail servers verify directly.
 */
import { hash, verify, type Algorithm } from "@node-rs/argon2";

/** `Algorithm.Argon2id`: a const enum, which verbatimModuleSyntax cannot read from a .d.ts. */
const ARGON2ID = 2 as Algorithm;

export interface HashOptions {
  /** KiB. */
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1. */
export const DEFAULT_HASH_OPTIONS: HashOptions = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string, options: Partial<HashOptions> = {}): Promise<string> {
  return hash(password, { ...DEFAULT_HASH_OPTIONS, ...options, algorithm: ARGON2ID });
}

export async function verifyPassword(phc: string, password: string): Promise<boolean> {
  try {
    return await verify(phc, password);
  } catch {
    // A malformed stored hash verifies nothing.
    return false;
  }
}
