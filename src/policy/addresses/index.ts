/**
 * Proposing mailbox addresses from a profile's naming rules. Pure: the caller passes the set
 * (or a lookup) of addresses already taken, and gets one free address with the rule that
 * produced it, or an error saying what is missing.
 *
 * Templates are compiled once per profile object (WeakMap), so the per-person work is one pass
 * over the name plus a few string concatenations and set lookups.
 *
 * Split along its seams: types.ts (inputs, results, limits), local-part.ts (RFC 5321 checks),
 * templates.ts (compiling and describing the templates), cleaning.ts (abbreviations, place names,
 * parents), personal.ts and unit.ts (the two proposals).
 */
export {
  MAX_ALTERNATIVES,
  MAX_LOCAL_PART,
  MAX_SEQUENCE,
  type AddressError,
  type AddressErrorCode,
  type AddressProposal,
  type PersonInput,
  type TakenAddresses,
  type UnitInput,
} from "./types.ts";
export { validateLocalPart } from "./local-part.ts";
export { checkNamingTemplates } from "./templates.ts";
export { personalAddressPrefix, proposePersonalAddress } from "./personal.ts";
export { proposeUnitAddress } from "./unit.ts";
