/**
 * The services layer: every use case the bot, the scheduler and the CLI call. Each state change
 * is one transaction with one audit row; expected refusals throw ServiceError (see errors.ts).
 */
import type { Database } from "../db/client.ts";
import { createAbsencesService, type AbsencesService } from "./absences.ts";
import {
  markMessageHandled,
  pingPerson,
  pingView,
  trackedMessageView,
  type PingAbout,
  type PingView,
  type TrackedMessageView,
} from "./activity.ts";
import { createAccessService, type AccessService } from "./access.ts";
import { listHolidayOverrides, removeHolidayOverride, setHolidayOverride } from "./calendar-store.ts";
import { createChatStateService, type ChatStateService } from "./chat-state.ts";
import { createContext, type ServicesOptions } from "./context.ts";
import { createDirectoryService, type DirectoryService } from "./directory.ts";
import { createIdentityService, type IdentityService } from "./identity.ts";
import { createMailboxesService, type MailboxesService } from "./mailboxes.ts";
import { createMessageDeletionsService, type MessageDeletionsService } from "./message-deletions.ts";
import { createOutagesService, type OutagesService } from "./outages.ts";
import { createOverviewService, type OverviewService } from "./overview.ts";
import { createRequestsService, type RequestsService } from "./requests/index.ts";
import { createStatusService, type StatusService } from "./status.ts";
import type { WorkingDayCalendar } from "../calendar/calendar.ts";
import type { IsoDate } from "../calendar/types.ts";
import type { Actor } from "./types.ts";

export interface CalendarService {
  /** The calendar with the operator's overrides (cached; rebuilt when holiday_overrides changes). */
  get(): Promise<WorkingDayCalendar>;
  /** Adds or replaces one day's override; false when it was already exactly so. */
  setOverride(
    input: { date: IsoDate; kind: "off" | "working"; name: string },
    actor: Actor,
  ): Promise<boolean>;
  list(): Promise<{ date: IsoDate; kind: "off" | "working"; name: string; createdBy: string | null }[]>;
  removeOverride(date: IsoDate, actor: Actor): Promise<boolean>;
}

/** Tracked messages (reply limit): the "đã xử lý" button of the reminder digests. */
export interface ActivityService {
  trackedMessage(trackedId: number): Promise<TrackedMessageView | null>;
  /** Marks it answered now; false when it was already answered (or does not exist). */
  markHandled(trackedId: number, actor: Actor): Promise<boolean>;
  /** "Nhắc cán bộ": whom a ping about a message or mailbox reaches, and what the presser was told. */
  pingView(about: PingAbout, presserChatId: number): Promise<PingView | null>;
  /** Sends it through `send` once per item per day (audited); "already" = pinged today. */
  ping(view: PingView, actor: Actor, send: (chatId: number) => Promise<unknown>): Promise<"sent" | "already">;
}

export interface Services {
  identity: IdentityService;
  access: AccessService;
  directory: DirectoryService;
  requests: RequestsService;
  /** One staff member's mailboxes and requests in one query (/trangthai). */
  status: StatusService;
  mailboxes: MailboxesService;
  chatState: ChatStateService;
  /** Bot messages to delete later (temporary passwords), kept in the database. */
  messageDeletions: MessageDeletionsService;
  /** Absence notices (/baonghi). */
  absences: AbsencesService;
  calendar: CalendarService;
  activity: ActivityService;
  /** A unit head's overview and the active-mailbox list (/tongquan, export). */
  overview: OverviewService;
  /** Planned outages to announce ahead (mic Điều 10.3, phuyen Điều 8.1c; `mailbot outage`). */
  outages: OutagesService;
}

export function createServices(database: Database, options: ServicesOptions = {}): Services {
  const ctx = createContext(database, options);
  const access = createAccessService(ctx);
  return {
    identity: createIdentityService(ctx),
    access,
    directory: createDirectoryService(ctx),
    requests: createRequestsService(ctx, access),
    status: createStatusService(ctx),
    mailboxes: createMailboxesService(ctx, access),
    chatState: createChatStateService(ctx),
    messageDeletions: createMessageDeletionsService(ctx),
    absences: createAbsencesService(ctx, access),
    calendar: {
      get: () => ctx.calendar(),
      setOverride: (input, actor) => setHolidayOverride(database, input, actor),
      removeOverride: (date, actor) => removeHolidayOverride(database, date, actor),
      list: () => listHolidayOverrides(database),
    },
    overview: createOverviewService(ctx),
    outages: createOutagesService(ctx),
    activity: {
      trackedMessage: (trackedId) => trackedMessageView(database, trackedId),
      markHandled: (trackedId, actor) => markMessageHandled(database, trackedId, actor, ctx.now()),
      pingView: (about, presserChatId) => pingView(database, about, presserChatId, ctx.now()),
      ping: (view, actor, send) => pingPerson(database, view, actor, send, ctx.now()),
    },
  };
}

export { ServiceError, isServiceError } from "./errors.ts";
export type { ServiceErrorCode } from "./errors.ts";
export type { ServicesOptions } from "./context.ts";
export { writeAudit, actorLabel } from "./audit.ts";
export { loadCalendar, invalidateCalendar } from "./calendar-store.ts";
export * from "./types.ts";
export type { PingAbout, PingView, TrackedMessageView } from "./activity.ts";
export type { StaffStatus, StatusService } from "./status.ts";
export type { OutageView, OutagesService } from "./outages.ts";
export type { ApproveResult, CapmoiInput, CreateCapmoiInput, MailboxRequestInput } from "./requests/index.ts";
export { TRANSITIONS, STATE_NAMES_VI, OPEN_STATES } from "./requests/index.ts";
export { ROLE_NAMES_VI } from "./access.ts";
