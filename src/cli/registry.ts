/**
 * Every CLI command, in help order. To add a group: write src/cli/<group>.ts (see the
 * `CliCommand` contract in src/cli/types.ts) and add its array here.
 */
import { addressCommands } from "./address.ts";
import { auditCommands } from "./audit.ts";
import { exportCommands } from "./export.ts";
import { holidayCommands } from "./holiday.ts";
import { lifecycleCommands } from "./lifecycle.ts";
import { mailboxCommands } from "./mailbox.ts";
import { mailserverCommands } from "./mailserver.ts";
import { outageCommands } from "./outage.ts";
import { passwordCommands } from "./password.ts";
import { profileCommands } from "./profile.ts";
import { reminderCommands } from "./reminders.ts";
import { staffCommands } from "./staff.ts";
import { storeCommands } from "./store.ts";
import type { CliCommand } from "./types.ts";
import { workdaysCommands } from "./workdays.ts";

export const COMMANDS: readonly CliCommand[] = [
  ...storeCommands,
  ...staffCommands,
  ...mailboxCommands,
  ...addressCommands,
  ...passwordCommands,
  ...workdaysCommands,
  ...holidayCommands,
  ...outageCommands,
  ...lifecycleCommands,
  ...profileCommands,
  ...reminderCommands,
  ...auditCommands,
  ...mailserverCommands,
  ...exportCommands,
];
