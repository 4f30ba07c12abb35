/** The policy API: profiles, naming, passwords, eligibility and lifecycle dates. Pure, no I/O. */
export * from "./types.ts";
export * from "../lib/result.ts";
export * from "./profile.ts";
export * from "./profiles/index.ts";
export * from "./cite.ts";
export * from "./names.ts";
export * from "./addresses/index.ts";
export * from "./passwords.ts";
export * from "./common-passwords.ts";
export * from "./eligibility.ts";
export * from "./lifecycle.ts";
export * from "./duties.ts";
