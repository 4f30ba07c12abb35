/**
 * Every chat feature, in the order the bot mounts them. Add a new command here (see
 * src/bot/README.md); the order matters only for handlers that could match the same update.
 */
import type { BotFeature } from "../src/bot/context.ts";
import { feature as baonghi } from "./baonghi.ts";
import { feature as capmoi } from "./capmoi/command.ts";
import { feature as doimk } from "./doimk.ts";
import { feature as hangdoi } from "./hangdoi.ts";
import { feature as help } from "./help.ts";
import { feature as huy } from "./huy.ts";
import { feature as khoiphuc } from "./khoiphuc.ts";
import { feature as reminders } from "./reminders.ts";
import { feature as start } from "./start.ts";
import { feature as support } from "./support.ts";
import { feature as trangthai } from "./trangthai.ts";
import { feature as tongquan } from "./tongquan.ts";

export const ALL_FEATURES: readonly BotFeature[] = [
  start,
  help,
  huy,
  capmoi,
  khoiphuc,
  doimk,
  trangthai,
  hangdoi,
  baonghi,
  support,
  reminders,
  tongquan,
];
