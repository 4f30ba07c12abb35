/** What a proposal takes and gives: the person, the unit, the result, the error, the limits. */
import type { UnitKind } from "../types.ts";

export interface PersonInput {
  fullName: string;
  /** YYYY-MM-DD; needed only when a birth-date collision step is reached (phuyen). */
  birthDate?: string | null;
  /** The person's unit symbol (mic collisions: dvbe.cntt). */
  unitSymbol?: string | null;
  /** The agency's local part or abbreviation (ninhbinh: annv.stttt). */
  agency?: string | null;
  /** Ward/commune of ward staff (binhtan: nvan.binhtridonga.bt). */
  ward?: string | null;
}

export interface AddressProposal {
  /** Full address, lower case. */
  address: string;
  localPart: string;
  /** Stable id of the rule, e.g. "mic.personal", "phuyen.collision.birth-yy". */
  ruleId: string;
  /** Vietnamese explanation citing the article and the regulation. */
  rule: string;
  /** Other free addresses the person may choose instead (full addresses). */
  alternatives: string[];
  /** The plain address that was already taken, if any. */
  collided: string | null;
}

export type AddressErrorCode =
  | "invalid_name"
  | "missing_birth_date"
  | "missing_agency"
  | "missing_unit"
  | "missing_ward"
  | "invalid_abbr"
  | "too_long"
  | "exhausted";
export interface AddressError {
  code: AddressErrorCode;
  message: string;
}

/** Lower-case full addresses already in use, or a lookup answering "is this one taken?". */
export type TakenAddresses = ReadonlySet<string> | ((address: string) => boolean);

export interface UnitInput {
  kind: UnitKind | "group";
  abbr?: string | null;
  name?: string | null;
  parentLocalPart?: string | null;
  /**
   * The operator's own choice of local part, when the rule's address is taken by another unit
   * (or the operator decides otherwise): validated and checked against `taken`, and labelled as
   * an override in the proposal.
   */
  override?: string | null;
}

/** RFC 5321 limit for the local part. */
export const MAX_LOCAL_PART = 64;
/** Last number the sequence step tries before giving up. */
export const MAX_SEQUENCE = 999;
/** How many alternatives a proposal lists at most. */
export const MAX_ALTERNATIVES = 5;
/** Bound on permutations examined, so a name with many middle names stays cheap. */
export const MAX_PERMUTATIONS = 720;
