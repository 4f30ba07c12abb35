/**
 * The staff import's statements: what a page reads (prefetch, with new ids from the sequences)
 * and what it writes (one statement). staff.ts decides; this module only talks to the database.
 *
 * Ids are taken from the sequences up front, so the rows a page inserts are never looked up
 * again (no RETURNING to wait for) and a page's staff, mailboxes, owner changes and audit rows
 * go out as ONE statement of data-modifying CTEs: foreign keys and the address-claim trigger
 * are checked at its end, so a mailbox may name an owner inserted by the same statement.
 */
import { sql, type SQL } from "drizzle-orm";
import { executeRows, type DbOrTx } from "../../db/client.ts";
import type { EmploymentType, LeaderLevel } from "../../policy/types.ts";
import { auditRowsSql, type AuditInput } from "../audit.ts";
import { pgArrayLiteral, unnestFrom, unnestUpdateSql, type UnnestColumn } from "./unnest.ts";

/** A staff row already in the database, with the fields an import compares. */
export interface KnownStaff {
  id: number;
  externalId: string;
  fullName: string;
  birthDate: string | null;
  unitId: number;
  leaderLevel: LeaderLevel;
  employmentType: EmploymentType;
  contractMonths: number | null;
  /** Holds a personal mailbox that is not revoked. */
  hasMailbox: boolean;
}

export interface KnownMailbox {
  id: number;
  address: string;
  ownerStaffId: number | null;
  kind: string;
}

export interface Prefetched {
  staffByCode: Map<string, KnownStaff>;
  /** Mailboxes at the page's e-mail addresses, by lower-case address. */
  mailboxByAddress: Map<string, KnownMailbox>;
  /** The page's e-mail addresses held by a reservation (a /capmoi request in progress). */
  reserved: Set<string>;
  /** New ids taken from the sequences for this page. */
  newIds: { staff: number[]; mailboxes: number[] };
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const idList = (v: unknown): number[] => (typeof v === "string" && v !== "" ? v.split(",").map(Number) : []);

/**
 * Everything a page needs from the database, plus `idsWanted` new ids per sequence. The
 * statements are all sent before any answer is awaited (one round trip), and before the
 * previous page's write that the caller sends right after: the server answers this page at
 * once and the client plans it while the server writes the previous one.
 */
export async function prefetchPage(
  tx: DbOrTx,
  codes: readonly string[],
  emails: readonly string[],
  idsWanted: { staff: number; mailboxes: number },
): Promise<Prefetched> {
  const codeArray = pgArrayLiteral(codes);
  const emailArray = pgArrayLiteral(emails);
  const staffRows =
    codes.length === 0
      ? Promise.resolve([])
      : executeRows(
          tx,
          // Text casts: the two drivers parse dates and enums differently; text is the same on both.
          // One index probe per code and per staff found (LATERAL … LIMIT 1, which the planner cannot turn into a join): `external_id = any(…)` is
          // planned as a scan of the whole table once it has grown, which every page repeats.
          sql`select s.id, s.external_id, s.full_name, s.birth_date::text as birth_date, s.unit_id,
                     s.leader_level::text as leader_level, s.employment_type::text as employment_type,
                     s.contract_months, b.found is not null as has_mailbox
                from unnest(${codeArray}::text[]) as c(code)
                cross join lateral (select * from staff where external_id = c.code limit 1) s
                left join lateral (select true as found from mailboxes m
                                    where m.owner_staff_id = s.id and m.kind = 'personal' and m.status <> 'revoked'
                                    limit 1) b on true`,
        );
  const boxRows =
    emails.length === 0
      ? Promise.resolve([])
      : executeRows(
          tx,
          sql`select id, address, owner_staff_id, kind::text as kind from mailboxes
               where lower(address) = any(${emailArray}::text[])`,
        );
  const reservedRows =
    emails.length === 0
      ? Promise.resolve([])
      : executeRows(
          tx,
          sql`select lower(address) as address from address_claims
               where lower(address) = any(${emailArray}::text[]) and reservation_id is not null`,
        );
  const idRows =
    idsWanted.staff + idsWanted.mailboxes === 0
      ? Promise.resolve([])
      : executeRows(
          tx,
          sql`select (select string_agg(nextval((select pg_get_serial_sequence('staff', 'id'))::regclass)::text, ',')
                        from generate_series(1, ${idsWanted.staff}::int)) as staff,
                     (select string_agg(nextval((select pg_get_serial_sequence('mailboxes', 'id'))::regclass)::text, ',')
                        from generate_series(1, ${idsWanted.mailboxes}::int)) as mailboxes`,
        );
  const [known, boxes, reserved, ids] = await Promise.all([staffRows, boxRows, reservedRows, idRows]);
  return {
    staffByCode: new Map(
      known.map((s) => [
        String(s.external_id),
        {
          id: num(s.id),
          externalId: String(s.external_id),
          fullName: String(s.full_name),
          birthDate: s.birth_date === null ? null : String(s.birth_date),
          unitId: num(s.unit_id),
          leaderLevel: s.leader_level as LeaderLevel,
          employmentType: s.employment_type as EmploymentType,
          contractMonths: numOrNull(s.contract_months),
          hasMailbox: s.has_mailbox === true,
        },
      ]),
    ),
    mailboxByAddress: new Map(
      boxes.map((m) => [
        String(m.address).toLowerCase(),
        {
          id: num(m.id),
          address: String(m.address),
          ownerStaffId: numOrNull(m.owner_staff_id),
          kind: String(m.kind),
        },
      ]),
    ),
    reserved: new Set(reserved.map((r) => String(r.address))),
    newIds: { staff: idList(ids[0]?.staff), mailboxes: idList(ids[0]?.mailboxes) },
  };
}

/** What one page writes, every id already known. */
export interface PageWrites {
  /** The import's clock reading: created_at / updated_at of every row the page writes. */
  now: Date;
  /** The audit rows' actor ("cli", "staff:12"). */
  actor: string;
  /** [id, full_name, birth_date, unit_id, leader_level, employment_type, contract_months, updated_at] */
  staffUpdates: unknown[][];
  /** [id, external_id, full_name, birth_date, unit_id, leader_level, employment_type, contract_months, line] */
  staffInserts: unknown[][];
  /** [mailbox id, owner_staff_id, updated_at] */
  ownerUpdates: unknown[][];
  /** [id, address, profile_id, owner_staff_id, unit_id, quota_mb, must_change_password, line] */
  mailboxInserts: unknown[][];
  /** Audit rows of the updates (staff.update), written before those of the staff created. */
  updateAudits: AuditInput[];
  /** Audit rows of the owners set (mailbox.assign_owner), written before those of the mailboxes. */
  ownerAudits: AuditInput[];
}

/** The staff columns an import writes, in the order of `staffUpdates` / `staffInserts` rows. */
const STAFF_FIELDS = [
  ["full_name", "text"],
  ["birth_date", "date"],
  ["unit_id", "int"],
  ["leader_level", "leader_level"],
  ["employment_type", "employment_type"],
  ["contract_months", "int"],
] as const;

/**
 * The page's writes as one statement, or null when the page changes nothing.
 *
 * The rows created carry only what differs from row to row: the clock reading, the actor, a
 * mailbox's kind, status and local part, and the audit rows of the staff and mailboxes created
 * (their details are the code or address, the owner and the line) are written by the statement
 * from those rows, so the client neither builds nor sends them. The audit rows keep the order
 * they always had: updates, staff created, owners set, mailboxes created.
 */
export function pageWriteSql(w: PageWrites): SQL | null {
  const now = w.now.toISOString();
  const ctes: SQL[] = [];
  const cte = (name: string, query: SQL) => ctes.push(sql`${sql.raw(name)} as (${query})`);
  /** Audit row sources (actor, action, entity, entity_id, details, ord), in the order written. */
  const audits: SQL[] = [];
  const auditPart = (rows: SQL) =>
    audits.push(sql`select ${sql.raw(String(audits.length + 1))} as part, * from ${rows}`);
  if (w.staffUpdates.length > 0)
    cte(
      "w_staff_updates",
      unnestUpdateSql(
        "staff",
        [["id", "int"], ...STAFF_FIELDS, ["updated_at", "timestamptz"]],
        w.staffUpdates,
      ),
    );
  if (w.updateAudits.length > 0) auditPart(auditRowsSql(w.updateAudits, "a"));
  if (w.staffInserts.length > 0) {
    cte(
      "new_staff",
      sql`select * from ${unnestFrom([["id", "int"], ["external_id", "text"], ...STAFF_FIELDS, ["line", "int"]], w.staffInserts, { ordinality: true })}`,
    );
    cte(
      "w_staff_inserts",
      sql`insert into staff (id, external_id, full_name, birth_date, unit_id, leader_level, employment_type, contract_months, created_at, updated_at)
          select id, external_id, full_name, birth_date, unit_id, leader_level, employment_type, contract_months,
                 ${now}::timestamptz, ${now}::timestamptz
            from new_staff`,
    );
    auditPart(
      sql`(select ${w.actor}::text as actor, 'staff.create'::text as action, 'staff'::text as entity, id::text as entity_id,
                  jsonb_build_object('code', external_id, 'line', line) as details, ord
             from new_staff) s`,
    );
  }
  if (w.ownerUpdates.length > 0)
    cte(
      "w_owner_updates",
      unnestUpdateSql(
        "mailboxes",
        [
          ["id", "int"],
          ["owner_staff_id", "int"],
          ["updated_at", "timestamptz"],
        ],
        w.ownerUpdates,
      ),
    );
  if (w.ownerAudits.length > 0) auditPart(auditRowsSql(w.ownerAudits, "o"));
  if (w.mailboxInserts.length > 0) {
    const columns: UnnestColumn[] = [
      ["id", "int"],
      ["address", "text"],
      ["profile_id", "text"],
      ["owner_staff_id", "int"],
      ["unit_id", "int"],
      ["quota_mb", "int"],
      ["must_change_password", "boolean"],
      ["line", "int"],
    ];
    cte("new_boxes", sql`select * from ${unnestFrom(columns, w.mailboxInserts, { ordinality: true })}`);
    cte(
      "w_box_inserts",
      sql`insert into mailboxes (id, address, local_part, profile_id, kind, owner_staff_id, unit_id, status, quota_mb,
                                 must_change_password, created_at, updated_at)
          select id, address, split_part(address, '@', 1), profile_id, 'personal'::mailbox_kind, owner_staff_id, unit_id,
                 'active'::mailbox_status, quota_mb, must_change_password, ${now}::timestamptz, ${now}::timestamptz
            from new_boxes`,
    );
    auditPart(
      sql`(select ${w.actor}::text as actor, 'mailbox.create'::text as action, 'mailbox'::text as entity, id::text as entity_id,
                  jsonb_build_object('address', address, 'staffId', owner_staff_id, 'line', line, 'source', 'import') as details, ord
             from new_boxes) m`,
    );
  }
  // Every change has its audit row, so a page that changes anything has this last statement.
  if (audits.length === 0) return null;
  const insertAudits = sql`insert into audit_log (actor, action, entity, entity_id, details)
    select actor, action, entity, entity_id, details from (${sql.join(audits, sql` union all `)}) page_audits
     order by part, ord`;
  return ctes.length === 0 ? insertAudits : sql`with ${sql.join(ctes, sql`, `)} ${insertAudits}`;
}
