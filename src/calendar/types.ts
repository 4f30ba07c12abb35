/** A calendar day in Vietnam, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A wall-clock time of day in Vietnam, `HH:MM` (24 h). */
export type TimeOfDay = string;
