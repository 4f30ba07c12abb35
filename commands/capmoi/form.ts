/** What the /capmoi conversation collects, step by step (kept in the flow's state). */
import { EmploymentType, LeaderLevel, MailboxKind } from "../../src/policy/types.ts";
import { z } from "zod";

/** Units offered as buttons; beyond this the person types the name. */
export const MAX_UNIT_BUTTONS = 12;

export const Data = z.object({
  self: z.boolean(),
  kind: MailboxKind,
  fullName: z.string().optional(),
  birthDate: z.string().nullable().optional(),
  unitId: z.number().int().positive().optional(),
  unitName: z.string().optional(),
  leaderLevel: LeaderLevel.optional(),
  employmentType: EmploymentType.optional(),
  contractMonths: z.number().int().positive().nullable().optional(),
  subjectStaffId: z.number().int().positive().optional(),
  address: z.string().optional(),
  rule: z.string().optional(),
  alternatives: z.array(z.string()).max(10).optional(),
  /** The unit as typed in the one-line form, resolved after the name check. */
  unitText: z.string().max(500).optional(),
  /** The clerk confirmed a name written without diacritics. */
  nameConfirmed: z.boolean().optional(),
  /** An address outside the rules, chosen by the support desk (marked on the request). */
  override: z.boolean().optional(),
  /** Directory people offered for the typed name. */
  known: z.array(z.number().int().positive()).max(6).optional(),
});
export type Data = z.infer<typeof Data>;
export type Step =
  | "name"
  | "known"
  | "nameok"
  | "birth"
  | "unit"
  | "keeper"
  | "level"
  | "employment"
  | "months"
  | "confirm"
  | "pick";
