/**
 * The one Drizzle schema for both drivers (PGlite and postgres.js). Column names are written
 * out in snake_case so no `casing` option has to be remembered at each `drizzle()` call.
 *
 * Conventions:
 * - calendar days are `date` columns read as ISO strings (`IsoDate`), instants are `timestamptz`
 *   read as JS `Date`;
 * - Telegram ids are `bigint` read as JS numbers (they fit in 53 bits);
 * - names are stored NFC, as written; comparisons that must ignore case use `lower(...)`
 *   expression indexes (the app layer normalises, the database enforces).
 *
 * Some invariants live in the custom migration `migrations/0001_audit_append_only.sql`, because
 * drizzle-kit cannot express triggers:
 * - `audit_log` is append-only (UPDATE, DELETE and TRUNCATE raise);
 * - `address_claims` is filled by triggers on `mailboxes` and `address_reservations` (see there);
 * - a request that leaves the open states releases its address reservation.
 * Migration `audit_chain` adds the audit hash chain (trigger `audit_log_chain`) and the grants
 * of the runtime role `mailbot_app` (see docs/security.md).
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import {
  EMPLOYMENT_STATUSES,
  EMPLOYMENT_TYPES,
  LEADER_LEVELS,
  LOCK_REASONS,
  MAILBOX_KINDS,
  MAILBOX_STATUSES,
  REQUEST_KINDS,
  REQUEST_STATES,
  ROLES,
  UNIT_KINDS,
} from "../policy/types.ts";

// ---------------------------------------------------------------------------------------------
// Enums: the value lists come from src/policy/types.ts so chat, CLI and database agree.

export const unitKind = pgEnum("unit_kind", UNIT_KINDS);
export const leaderLevel = pgEnum("leader_level", LEADER_LEVELS);
export const employmentType = pgEnum("employment_type", EMPLOYMENT_TYPES);
export const employmentStatus = pgEnum("employment_status", EMPLOYMENT_STATUSES);
export const role = pgEnum("role", ROLES);
export const mailboxKind = pgEnum("mailbox_kind", MAILBOX_KINDS);
export const mailboxStatus = pgEnum("mailbox_status", MAILBOX_STATUSES);
export const lockReason = pgEnum("lock_reason", LOCK_REASONS);
export const requestKind = pgEnum("request_kind", REQUEST_KINDS);
export const requestState = pgEnum("request_state", REQUEST_STATES);
/** off: an extra day off (nghỉ bù, announced holiday); working: a swapped working Saturday. */
export const HOLIDAY_OVERRIDE_KINDS = ["off", "working"] as const;
export const holidayOverrideKind = pgEnum("holiday_override_kind", HOLIDAY_OVERRIDE_KINDS);

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
/** Drizzle's update builder refreshes it; raw SQL updates must set it themselves. */
const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
const tstz = (name: string) => timestamp(name, { withTimezone: true });
const isoDate = (name: string) => date(name, { mode: "string" });
const id = () => integer("id").primaryKey().generatedByDefaultAsIdentity();

// ---------------------------------------------------------------------------------------------
// Organisation

export const units = pgTable(
  "units",
  {
    id: id(),
    profileId: text("profile_id").notNull(),
    kind: unitKind("kind").notNull(),
    name: text("name").notNull(),
    /** Abbreviation / symbol used in unit mailbox addresses (e.g. "vpubnd"). */
    abbr: text("abbr").notNull(),
    parentId: integer("parent_id").references((): AnyPgColumn => units.id, { onDelete: "restrict" }),
    /** Local part of the unit's own mailbox, when it has one. */
    localPart: text("local_part"),
    /** Key from the unit list (ma_don_vi), so re-importing the same CSV updates instead of duplicating. */
    externalId: text("external_id").unique("units_external_id_uq"),
    createdAt: createdAt(),
  },
  (t) => [
    // Root units have parent_id NULL; coalesce so two roots with one abbreviation still collide.
    uniqueIndex("units_profile_abbr_parent_uq").on(
      t.profileId,
      sql`lower(${t.abbr})`,
      sql`coalesce(${t.parentId}, 0)`,
    ),
    index("units_parent_idx").on(t.parentId),
  ],
);

export const staff = pgTable(
  "staff",
  {
    id: id(),
    fullName: text("full_name").notNull(),
    birthDate: isoDate("birth_date"),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    leaderLevel: leaderLevel("leader_level").notNull().default("staff"),
    employmentType: employmentType("employment_type").notNull(),
    contractMonths: integer("contract_months"),
    employmentStatus: employmentStatus("employment_status").notNull().default("active"),
    leftOn: isoDate("left_on"),
    telegramUserId: bigint("telegram_user_id", { mode: "number" }).unique("staff_telegram_user_id_uq"),
    /** Key from the HR export, so re-importing the same CSV updates instead of duplicating. */
    externalId: text("external_id").unique("staff_external_id_uq"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("staff_unit_idx").on(t.unitId),
    check("staff_contract_months_positive", sql`${t.contractMonths} IS NULL OR ${t.contractMonths} > 0`),
  ],
);

/** A role is scoped to a unit's subtree; unit_id NULL means everywhere. */
export const roleGrants = pgTable(
  "role_grants",
  {
    id: id(),
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "cascade" }),
    role: role("role").notNull(),
    unitId: integer("unit_id").references(() => units.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  // NULLS NOT DISTINCT: a global grant (unit_id NULL) must not be granted twice either.
  (t) => [unique("role_grants_staff_role_unit_uq").on(t.staffId, t.role, t.unitId).nullsNotDistinct()],
);

// ---------------------------------------------------------------------------------------------
// Mailboxes and addresses

export const mailboxes = pgTable(
  "mailboxes",
  {
    id: id(),
    address: text("address").notNull(),
    localPart: text("local_part").notNull(),
    profileId: text("profile_id").notNull(),
    kind: mailboxKind("kind").notNull(),
    ownerStaffId: integer("owner_staff_id").references(() => staff.id, { onDelete: "restrict" }),
    /** For unit mailboxes: the clerk (văn thư) who keeps it. */
    keeperStaffId: integer("keeper_staff_id").references(() => staff.id, { onDelete: "set null" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    status: mailboxStatus("status").notNull().default("active"),
    lockReason: lockReason("lock_reason"),
    /**
     * Set by `mailbot mailbox lock` (a compromised or violating mailbox): the operator's reason.
     * Such a lock is lifted only by `mailbot mailbox unlock`, never by a /khoiphuc request.
     */
    operatorLockReason: text("operator_lock_reason"),
    lockedAt: tstz("locked_at"),
    suspendedAt: tstz("suspended_at"),
    removeAfter: tstz("remove_after"),
    /** Planned leaver dates: when sending stops, when the mailbox is revoked. */
    sendLockAt: tstz("send_lock_at"),
    revokeAt: tstz("revoke_at"),
    quotaMb: integer("quota_mb"),
    storageUsedMb: integer("storage_used_mb"),
    /** argon2id PHC string; never the password itself. */
    passwordHash: text("password_hash"),
    passwordChangedAt: tstz("password_changed_at"),
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    tempPasswordExpiresAt: tstz("temp_password_expires_at"),
    lastLoginAt: tstz("last_login_at"),
    lastSendAt: tstz("last_send_at"),
    lastReceiveAt: tstz("last_receive_at"),
    lastCheckAt: tstz("last_check_at"),
    /** First time the activity feed reported on this mailbox; the inactivity rule judges only reported mailboxes. */
    activityReportedAt: tstz("activity_reported_at"),
    /**
     * Unit/group mailbox whose keeper left or moved (leaver, mover): since when it awaits a new
     * keeper (mic Điều 12.3d, binhtan Điều 7.3b, ninhbinh Điều 8.3). Cleared when one is named.
     */
    keeperHandoverSince: tstz("keeper_handover_since"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("mailboxes_address_lower_uq").on(sql`lower(${t.address})`),
    // The reminder sweep selects by status first, then by age of the last activity.
    index("mailboxes_status_last_send_idx").on(t.status, t.lastSendAt),
    index("mailboxes_status_last_receive_idx").on(t.status, t.lastReceiveAt),
    index("mailboxes_status_last_login_idx").on(t.status, t.lastLoginAt),
    index("mailboxes_unit_idx").on(t.unitId),
    index("mailboxes_owner_idx").on(t.ownerStaffId),
    index("mailboxes_keeper_idx").on(t.keeperStaffId),
    // Dated enforcement (reminder sweep): only rows with a date are indexed.
    index("mailboxes_send_lock_at_idx")
      .on(t.sendLockAt)
      .where(sql`${t.sendLockAt} IS NOT NULL`),
    index("mailboxes_revoke_at_idx")
      .on(t.revokeAt)
      .where(sql`${t.revokeAt} IS NOT NULL`),
    index("mailboxes_keeper_handover_idx")
      .on(t.keeperHandoverSince)
      .where(sql`${t.keeperHandoverSince} IS NOT NULL`),
    index("mailboxes_remove_after_idx")
      .on(t.removeAfter)
      .where(sql`${t.removeAfter} IS NOT NULL`),
    index("mailboxes_status_password_changed_idx").on(t.status, t.passwordChangedAt),
    index("mailboxes_must_change_idx")
      .on(t.createdAt)
      .where(sql`${t.mustChangePassword}`),
    index("mailboxes_storage_used_idx")
      .on(t.storageUsedMb)
      .where(sql`${t.storageUsedMb} IS NOT NULL`),
    // The quota facts: mailboxes with a quota of their own (the rest are found by storage used).
    index("mailboxes_own_quota_idx")
      .on(t.id)
      .where(sql`${t.quotaMb} IS NOT NULL`),
    index("mailboxes_profile_kind_status_idx").on(t.profileId, t.kind, t.status),
    check("mailboxes_quota_nonnegative", sql`${t.quotaMb} IS NULL OR ${t.quotaMb} >= 0`),
  ],
);

export const requests = pgTable(
  "requests",
  {
    /** Shown to users as "#1042". */
    id: id(),
    profileId: text("profile_id").notNull(),
    kind: requestKind("kind").notNull(),
    state: requestState("state").notNull().default("open"),
    requesterStaffId: integer("requester_staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "restrict" }),
    subjectStaffId: integer("subject_staff_id").references(() => staff.id, { onDelete: "restrict" }),
    mailboxId: integer("mailbox_id").references(() => mailboxes.id, { onDelete: "set null" }),
    unitId: integer("unit_id")
      .notNull()
      .references(() => units.id, { onDelete: "restrict" }),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    proposedAddress: text("proposed_address"),
    dueAt: tstz("due_at"),
    assigneeStaffId: integer("assignee_staff_id").references(() => staff.id, { onDelete: "set null" }),
    resolution: text("resolution"),
    reason: text("reason"),
    /** The chat update id that created it: a re-delivered update finds the same request. */
    idempotencyKey: text("idempotency_key").unique("requests_idempotency_key_uq"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    decidedAt: tstz("decided_at"),
  },
  (t) => [
    index("requests_state_due_idx").on(t.state, t.dueAt),
    index("requests_requester_idx").on(t.requesterStaffId),
    index("requests_subject_idx").on(t.subjectStaffId),
  ],
);

/** An open request's proposed address, held so nobody else can take it meanwhile. */
export const addressReservations = pgTable(
  "address_reservations",
  {
    id: id(),
    address: text("address").notNull(),
    requestId: integer("request_id")
      .notNull()
      .references(() => requests.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("address_reservations_address_lower_uq").on(sql`lower(${t.address})`),
    index("address_reservations_request_idx").on(t.requestId),
  ],
);

/**
 * Every address in use, whether by a mailbox or by an open request's reservation: the single
 * unique index on lower(address) is what makes "one address, one holder" hold across both tables.
 *
 * Why this design: two separate unique indexes cannot see each other's rows, and a check in a
 * trigger (`IF EXISTS …`) races under concurrency. Here, AFTER INSERT / UPDATE OF address
 * triggers on `mailboxes` and `address_reservations` (custom migration 0001) insert or update the
 * row here, so services never write this table themselves and cannot forget to. Two concurrent
 * transactions claiming one address: the second waits on the index entry and then fails cleanly
 * with unique_violation (SQLSTATE 23505) on `address_claims_address_lower_uq` — no lost update,
 * no lock ordering to get right. Deleting the holder deletes the claim (ON DELETE CASCADE).
 *
 * Consequence for services: to turn a reservation into a mailbox, delete the reservation (or
 * close the request, which releases it) before inserting the mailbox, in one transaction.
 * A revoked mailbox keeps its row and therefore its address.
 */
export const addressClaims = pgTable(
  "address_claims",
  {
    id: id(),
    address: text("address").notNull(),
    mailboxId: integer("mailbox_id")
      .unique("address_claims_mailbox_uq")
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    reservationId: integer("reservation_id")
      .unique("address_claims_reservation_uq")
      .references(() => addressReservations.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("address_claims_address_lower_uq").on(sql`lower(${t.address})`),
    // Prefix search (`lower(address) LIKE 'nguyenvanan%'`, the collision candidates of a name):
    // the unique index above uses the database collation, which LIKE cannot use; this one can.
    index("address_claims_address_lower_prefix_idx").on(sql`lower(${t.address}) text_pattern_ops`),
    check("address_claims_one_holder", sql`num_nonnulls(${t.mailboxId}, ${t.reservationId}) = 1`),
  ],
);

export const passwordHistory = pgTable(
  "password_history",
  {
    id: id(),
    mailboxId: integer("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    /** argon2id PHC string, kept to refuse re-use of recent passwords. */
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("password_history_mailbox_idx").on(t.mailboxId, t.createdAt.desc())],
);

// ---------------------------------------------------------------------------------------------
// Calendar and absences

export const holidayOverrides = pgTable("holiday_overrides", {
  id: id(),
  date: isoDate("date").notNull().unique("holiday_overrides_date_uq"),
  kind: holidayOverrideKind("kind").notNull(),
  name: text("name").notNull(),
  /** Actor in the audit format: "staff:12", "cli". */
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
});

/** Leave, business trips…: reminders about this mailbox pause between the two days. */
export const absenceNotices = pgTable(
  "absence_notices",
  {
    id: id(),
    mailboxId: integer("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    startsOn: isoDate("starts_on").notNull(),
    endsOn: isoDate("ends_on").notNull(),
    reason: text("reason"),
    createdByStaffId: integer("created_by_staff_id").references(() => staff.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("absence_notices_mailbox_idx").on(t.mailboxId, t.startsOn),
    check("absence_notices_range", sql`${t.endsOn} >= ${t.startsOn}`),
  ],
);

/**
 * Planned outages of the mail service (mailbot outage add): the operator must tell agencies,
 * units and people at least 03 working days ahead (mic Điều 10.3, phuyen Điều 8.1c); the
 * reminder sweep reminds the support chat. profile_id NULL = every profile of the deployment.
 * The same live outage (profile, start, end) is recorded once: a retry finds the first row.
 */
export const plannedOutages = pgTable(
  "planned_outages",
  {
    id: id(),
    profileId: text("profile_id"),
    startsAt: tstz("starts_at").notNull(),
    endsAt: tstz("ends_at").notNull(),
    reason: text("reason").notNull(),
    /** Actor in the audit format: "staff:12", "cli". */
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    cancelledAt: tstz("cancelled_at"),
    cancelledBy: text("cancelled_by"),
  },
  (t) => [
    uniqueIndex("planned_outages_live_uq")
      .on(sql`coalesce(${t.profileId}, '')`, t.startsAt, t.endsAt)
      .where(sql`${t.cancelledAt} IS NULL`),
    index("planned_outages_starts_idx")
      .on(t.startsAt)
      .where(sql`${t.cancelledAt} IS NULL`),
    check("planned_outages_range", sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Linking a Telegram account to a staff member

export const linkCodes = pgTable(
  "link_codes",
  {
    id: id(),
    /** sha256 hex of the one-time code; the code itself is shown once and never stored. */
    codeHash: text("code_hash").notNull().unique("link_codes_code_hash_uq"),
    staffId: integer("staff_id")
      .notNull()
      .references(() => staff.id, { onDelete: "cascade" }),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("link_codes_staff_idx").on(t.staffId)],
);

/** Wrong link-code guesses, counted per Telegram user over a window for rate limiting. */
export const linkAttempts = pgTable(
  "link_attempts",
  {
    id: id(),
    telegramUserId: bigint("telegram_user_id", { mode: "number" }).notNull(),
    attemptedAt: tstz("attempted_at").notNull().defaultNow(),
  },
  (t) => [index("link_attempts_user_at_idx").on(t.telegramUserId, t.attemptedAt)],
);

// ---------------------------------------------------------------------------------------------
// Audit, sessions, idempotency

/** Append-only (triggers in migration 0001). `details` must never contain passwords. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    at: tstz("at").notNull().defaultNow(),
    /** "staff:12", "system", "cli". */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    entity: text("entity").notNull(),
    entityId: text("entity_id"),
    details: jsonb("details").$type<Record<string, unknown>>(),
    /**
     * Tamper evidence, filled by the BEFORE INSERT trigger `audit_log_chain` (never by the app):
     * the row's position in the chain, the previous row's hash and sha256 over both plus the
     * row's content. `mailbot audit verify` recomputes them (src/services/audit-verify.ts).
     */
    chainSeq: bigint("chain_seq", { mode: "number" }),
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_log_entity_idx").on(t.entity, t.entityId),
    index("audit_log_at_idx").on(t.at),
    index("audit_log_chain_seq_idx").on(t.chainSeq),
  ],
);

/**
 * The end of the audit hash chain: one row, locked by each audit insert (FOR UPDATE) so
 * concurrent transactions chain one after another. Written only by the SECURITY DEFINER trigger;
 * the runtime role `mailbot_app` may only read it.
 */
export const auditChainHead = pgTable(
  "audit_chain_head",
  {
    id: integer("id").primaryKey().default(1),
    seq: bigint("seq", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [check("audit_chain_head_one_row", sql`${t.id} = 1`)],
);

/** Conversation state keyed "chat:user", so a flow survives a restart or another instance. */
export const chatSessions = pgTable(
  "chat_sessions",
  {
    key: text("key").primaryKey(),
    data: jsonb("data").$type<unknown>().notNull(),
    expiresAt: tstz("expires_at"),
    updatedAt: updatedAt(),
  },
  (t) => [index("chat_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Which instance handles an update (src/bot/middleware/dedupe.ts): the claim inserts the row, or
 * takes over one whose claimant never finished (done_at null) and whose lease has passed.
 */
export const processedUpdates = pgTable(
  "processed_updates",
  {
    updateId: bigint("update_id", { mode: "number" }).primaryKey(),
    /** When the current claim was taken (the lease counts from here; the purge too). */
    processedAt: tstz("processed_at").notNull().defaultNow(),
    /** The claiming process: INSTANCE_ID (or host) and a random id of that boot. */
    claimedBy: text("claimed_by"),
    /** Null while the update is being handled. */
    doneAt: tstz("done_at"),
  },
  (t) => [index("processed_updates_at_idx").on(t.processedAt)],
);

// ---------------------------------------------------------------------------------------------
// Activity facts and reminder delivery

/** One row per observed mailbox check (login/IMAP poll), used for "not read for N days". */
export const mailboxChecks = pgTable(
  "mailbox_checks",
  {
    mailboxId: integer("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    checkedAt: tstz("checked_at").notNull(),
  },
  (t) => [primaryKey({ name: "mailbox_checks_pk", columns: [t.mailboxId, t.checkedAt] })],
);

/** Incoming official messages that expect an answer; answered_at NULL means still waiting. */
export const trackedMessages = pgTable(
  "tracked_messages",
  {
    id: id(),
    messageId: text("message_id").notNull(),
    mailboxId: integer("mailbox_id")
      .notNull()
      .references(() => mailboxes.id, { onDelete: "cascade" }),
    sender: text("sender").notNull(),
    subject: text("subject"),
    receivedAt: tstz("received_at").notNull(),
    answeredAt: tstz("answered_at"),
  },
  (t) => [
    unique("tracked_messages_mailbox_message_uq").on(t.mailboxId, t.messageId),
    // Only unanswered messages are ever swept; keep the index to those.
    index("tracked_messages_unanswered_idx")
      .on(t.answeredAt, t.receivedAt)
      .where(sql`${t.answeredAt} IS NULL`),
    // The reply rule's claim statements walk the unanswered messages by id range: without it a
    // range at 0.5% due walks the primary key past 200 answered rows per due one.
    index("tracked_messages_unanswered_id_idx")
      .on(t.id)
      .where(sql`${t.answeredAt} IS NULL`),
  ],
);

/**
 * Exactly-once reminders: key = "rule:target:period@chat". The sweep inserts with ON CONFLICT DO
 * NOTHING RETURNING; only the run that got the row sends it. Whether a claim was sent is the view
 * `reminder_claim_state` (migration `reminder_deliveries`): its own sent_at (settled one by one:
 * actions, pings, given up) or that of its digest's row in reminder_deliveries.
 */
export const reminderClaims = pgTable(
  "reminder_claims",
  {
    key: text("key").primaryKey(),
    rule: text("rule").notNull(),
    target: text("target").notNull(),
    recipientChatId: bigint("recipient_chat_id", { mode: "number" }).notNull(),
    claimedAt: tstz("claimed_at").notNull().defaultNow(),
    sentAt: tstz("sent_at"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    claimedBy: text("claimed_by"),
    /** What to send (digest line, section, buttons), so a retry after a crash resends the same item. */
    payload: jsonb("payload").$type<Record<string, unknown>>(),
  },
  (t) => [
    // "Was this target already reminded by this rule?" (once-only rules such as reply-overdue).
    index("reminder_claims_rule_target_idx").on(t.rule, t.target),
    // A run's claims by recipient: its digests are read back a page of recipients at a time, and
    // a delivery's claims are found (fence, takeover) from its (run, chat). Not partial on
    // sent_at: a digest's claims are settled in reminder_deliveries, not here.
    index("reminder_claims_owner_idx").on(t.claimedBy, t.recipientChatId),
  ],
);

/**
 * One digest's bookkeeping: a row per (run, recipient) with claims waiting for a digest, written
 * by a statement trigger on reminder_claims (any insert, and a takeover that changes
 * claimed_by). claimed_at is the lease clock of all its claims; sent_at settles all of them at
 * once (one row per digest instead of one per item, issue 13).
 */
export const reminderDeliveries = pgTable(
  "reminder_deliveries",
  {
    runId: text("run_id").notNull(),
    chatId: bigint("chat_id", { mode: "number" }).notNull(),
    claimedAt: tstz("claimed_at").notNull().defaultNow(),
    sentAt: tstz("sent_at"),
    /** Why a digest was settled without being delivered (blocked chat). */
    lastError: text("last_error"),
    /**
     * How many claims joined this digest (the claim trigger adds each statement's count): an
     * upper bound of what it still has to send, by which the delivery sizes its pages. Not a
     * state: settles and takeovers do not lower it.
     */
    items: integer("items").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.chatId] }),
    // Abandoned digests (lease over, unsent) are found here by the next run's takeover.
    index("reminder_deliveries_unsent_idx")
      .on(t.claimedAt)
      .where(sql`${t.sentAt} IS NULL`),
    // "Has this run sent a digest yet?": one probe per claim statement (the trigger), so claims
    // of a run still claiming skip the check for a digest already sent.
    index("reminder_deliveries_sent_run_idx")
      .on(t.runId)
      .where(sql`${t.sentAt} IS NOT NULL`),
  ],
);

/** Chats that blocked the bot (403): delivery skips them until they write again. */
export const blockedChats = pgTable("blocked_chats", {
  chatId: bigint("chat_id", { mode: "number" }).primaryKey(),
  recordedAt: tstz("recorded_at").notNull().defaultNow(),
  reason: text("reason"),
});

// ---------------------------------------------------------------------------------------------
// Mail server (Dovecot + Postfix on this database, issue 8). The servers read views (see the
// migration `mailserver`) and write only the three activity tables below, through the role
// `mailbot_mailserver`; nothing else in this schema is visible to that role.

/**
 * Written by Dovecot's last_login plugin through dict `proxy::sql` (an upsert): one row per
 * user and service (imap, pop3, lmtp = a delivery, submission = a send). `last_at` is Unix
 * seconds, as Dovecot writes it.
 */
export const mailserverLogins = pgTable(
  "mailserver_logins",
  {
    username: text("username").notNull(),
    service: text("service").notNull(),
    lastAt: bigint("last_at", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ name: "mailserver_logins_pk", columns: [t.username, t.service] }),
    // The sync reads only what changed since its watermark.
    index("mailserver_logins_last_at_idx").on(t.lastAt),
  ],
);

/** Dovecot's quota dict (dict-sql): bytes and messages per user. */
export const mailserverQuota = pgTable("mailserver_quota", {
  username: text("username").primaryKey(),
  bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
  messages: integer("messages").notNull().default(0),
});

/**
 * What the SQL views cannot express (kick a locked user's sessions, remove a revoked mailbox's
 * mail). Rows are written by a trigger on `mailboxes` in the state change's own transaction, so
 * a crash between the change and the server call loses nothing; the worker applies each row
 * with retries and marks it applied (the actions are idempotent, so a re-run doubles nothing).
 */
export const mailserverOutbox = pgTable(
  "mailserver_outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedByDefaultAsIdentity(),
    mailboxId: integer("mailbox_id").references(() => mailboxes.id, { onDelete: "set null" }),
    address: text("address").notNull(),
    action: text("action").notNull(),
    /** The status change that caused it, for the audit trail. */
    cause: text("cause").notNull(),
    createdAt: createdAt(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    lastError: text("last_error"),
    appliedAt: tstz("applied_at"),
  },
  (t) => [
    index("mailserver_outbox_pending_idx")
      .on(t.nextAttemptAt)
      .where(sql`${t.appliedAt} IS NULL`),
    check("mailserver_outbox_action", sql`${t.action} IN ('kick', 'expunge')`),
  ],
);

/** Per-mailbox position of the message sync: the last IMAP UID read in INBOX and in Sent. */
export const mailserverMessageSync = pgTable("mailserver_message_sync", {
  mailboxId: integer("mailbox_id")
    .primaryKey()
    .references(() => mailboxes.id, { onDelete: "cascade" }),
  lastUid: bigint("last_uid", { mode: "number" }).notNull().default(0),
  lastSentUid: bigint("last_sent_uid", { mode: "number" }).notNull().default(0),
  updatedAt: updatedAt(),
});

/** Watermarks of the activity sync (e.g. "logins": the highest last_at already read). */
export const mailserverSyncState = pgTable("mailserver_sync_state", {
  key: text("key").primaryKey(),
  watermark: bigint("watermark", { mode: "number" }).notNull(),
  updatedAt: updatedAt(),
});

// ---------------------------------------------------------------------------------------------
// Row types

export type Unit = typeof units.$inferSelect;
export type NewUnit = typeof units.$inferInsert;
export type Staff = typeof staff.$inferSelect;
export type NewStaff = typeof staff.$inferInsert;
export type RoleGrant = typeof roleGrants.$inferSelect;
export type NewRoleGrant = typeof roleGrants.$inferInsert;
export type Mailbox = typeof mailboxes.$inferSelect;
export type NewMailbox = typeof mailboxes.$inferInsert;
export type Request = typeof requests.$inferSelect;
export type NewRequest = typeof requests.$inferInsert;
export type AddressReservation = typeof addressReservations.$inferSelect;
export type NewAddressReservation = typeof addressReservations.$inferInsert;
export type AddressClaim = typeof addressClaims.$inferSelect;
export type PasswordHistoryEntry = typeof passwordHistory.$inferSelect;
export type NewPasswordHistoryEntry = typeof passwordHistory.$inferInsert;
export type HolidayOverride = typeof holidayOverrides.$inferSelect;
export type NewHolidayOverride = typeof holidayOverrides.$inferInsert;
export type AbsenceNotice = typeof absenceNotices.$inferSelect;
export type NewAbsenceNotice = typeof absenceNotices.$inferInsert;
export type LinkCode = typeof linkCodes.$inferSelect;
export type NewLinkCode = typeof linkCodes.$inferInsert;
export type LinkAttempt = typeof linkAttempts.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type NewAuditEntry = typeof auditLog.$inferInsert;
export type ChatSession = typeof chatSessions.$inferSelect;
export type NewChatSession = typeof chatSessions.$inferInsert;
export type ProcessedUpdate = typeof processedUpdates.$inferSelect;
export type MailboxCheck = typeof mailboxChecks.$inferSelect;
export type TrackedMessage = typeof trackedMessages.$inferSelect;
export type NewTrackedMessage = typeof trackedMessages.$inferInsert;
export type ReminderClaim = typeof reminderClaims.$inferSelect;
export type NewReminderClaim = typeof reminderClaims.$inferInsert;
export type ReminderDelivery = typeof reminderDeliveries.$inferSelect;
export type BlockedChat = typeof blockedChats.$inferSelect;
export type MailserverOutboxRow = typeof mailserverOutbox.$inferSelect;
export type PlannedOutage = typeof plannedOutages.$inferSelect;
