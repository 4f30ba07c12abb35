/**
 * `mailbot import staff FILE [--issue-mailboxes]`: one row per person.
 *
 * Columns: ma_can_bo (code), ho_ten, ngay_sinh (YYYY-MM-DD or DD/MM/YYYY, optional), ma_don_vi
 * (import units first), chuc_vu (optional), hinh_thuc (bien_che | hop_dong), so_thang_hop_dong
 * (required for hop_dong), email (optional: the person's existing address, recorded as their
 * mailbox and never renamed, mic Điều 5.5).
 *
 * The file is streamed page by page (PAGE rows) inside one transaction: each page is checked,
 * prefetched in one round trip (which also takes the page's new ids from the sequences) and
 * written with ONE statement (staff-sql.ts). The pages overlap: page N's prefetch goes out just
 * before page N-1's write, so the client checks and plans page N (names, addresses) while the
 * server writes page N-1. As soon as a row is bad (without skipBad) the following pages are only
 * checked, and at the end the transaction is rolled back, so nothing is written; a dry run is
 * checked and planned the same way. Memory therefore holds one page of rows plus the codes and
 * addresses already seen (to report duplicates and avoid collisions), never the file.
 *
 * With `issueMailboxes`, staff without an address get one proposed by the profile's naming rules
 * (collisions resolved against every address taken, loaded once) and a mailbox record. No
 * password is generated here: hashing 50,000 argon2id passwords would take tens of minutes and
 * the clear passwords would have to be handed out somehow; each owner gets a temporary password
 * through the normal reset flow (/doimk) when they first need it.
 */
import { sql, type SQL } from "drizzle-orm";
import { executeRows, type Database, type DbOrTx } from "../../db/client.ts";
import { addressClaims, units, type Unit } from "../../db/schema.ts";
import { CompactStringMap } from "../../lib/compact-strings.ts";
import { proposePersonalAddress } from "../../policy/addresses/index.ts";
import { checkEligibility } from "../../policy/eligibility.ts";
import { normalizeName } from "../../policy/names.ts";
import { findProfile } from "../../policy/profiles/index.ts";
import type { EmploymentType, LeaderLevel } from "../../policy/types.ts";
import { actorLabel } from "../audit.ts";
import type { Actor } from "../types.ts";
import { readCsv, type CsvItem } from "./csv-reader.ts";
import { ADDRESS, CODE, parseBirthDate, parseEmploymentType, parseLeaderLevel } from "./fields.ts";
import { pageWriteSql, prefetchPage, type PageWrites, type Prefetched } from "./staff-sql.ts";
import {
  addError,
  addNotIssued,
  emptyReport,
  type ImportInput,
  type ImportOptions,
  type ImportReport,
  type RowError,
} from "./types.ts";
import { translateWriteError } from "./write-errors.ts";

import { STAFF_HEADERS } from "../import-columns.ts";

export { STAFF_HEADERS };
const REQUIRED = ["ma_can_bo", "ho_ten", "ma_don_vi", "hinh_thuc"] as const;

/** Rows per page: big enough that statements are few, small enough that memory stays flat. */
export const STAFF_PAGE_ROWS = 5000;

interface StaffRow {
  line: number;
  code: string;
  fullName: string;
  birthDate: string | null;
  unitCode: string;
  leaderLevel: LeaderLevel;
  employmentType: EmploymentType;
  contractMonths: number | null;
  email: string | null;
}

interface NamingContext {
  agency: string | undefined;
  ward: string | undefined;
}

/** What naming needs of each unit: the agency's local part and the ward (commune name). */
function unitNaming(all: readonly Unit[]): Map<number, NamingContext> {
  const byId = new Map(all.map((u) => [u.id, u]));
  const out = new Map<number, NamingContext>();
  for (const u of all) {
    let agency: string | undefined;
    let ward: string | undefined;
    for (
      let cur: Unit | undefined = u, depth = 0;
      cur && depth < 32;
      cur = cur.parentId ? byId.get(cur.parentId) : undefined, depth++
    ) {
      if (!agency && (cur.kind === "agency" || cur.kind === "district") && cur.localPart)
        agency = cur.localPart;
      if (!ward && cur.kind === "commune") ward = cur.name;
    }
    out.set(u.id, { agency, ward });
  }
  return out;
}

/** State kept across pages: small keys only. */
interface Run {
  options: ImportOptions;
  report: ImportReport;
  actor: Actor;
  now: Date;
  unitByCode: Map<string, Unit>;
  naming: Map<number, NamingContext> | null;
  /**
   * Every address taken (lower case), loaded on first need and kept up to date. These three grow
   * by a row each and live to the end, so they keep their keys off the heap (CompactStringMap).
   */
  taken: CompactStringMap | null;
  /** Code (lower case) → first line, and email → line: duplicates within the file. */
  seen: CompactStringMap;
  seenEmail: CompactStringMap;
  /**
   * Ids taken from the sequences and not used yet. A page asks for as many as it has rows (it
   * cannot need more) minus what is left, so an import leaves at most one page of unused ids
   * (sequences have gaps anyway: every rolled-back insert leaves one).
   */
  ids: { staff: number[]; mailboxes: number[] };
}

/** Shape checks of one row (no database). */
function checkRow(run: Run, line: number, values: Record<string, string>): StaffRow | RowError {
  const code = values.ma_can_bo ?? "";
  const reasons: string[] = [];
  const codeOk = CODE.test(code);
  const key = code.toLowerCase();
  const firstLine = codeOk ? run.seen.get(key) : undefined;
  if (!codeOk) reasons.push("ma_can_bo trống hoặc có ký tự không hợp lệ (chỉ chữ, số, . _ - /; tối đa 50)");
  else if (firstLine !== undefined) reasons.push(`ma_can_bo ${code} trùng với dòng ${firstLine}`);
  const name = normalizeName(values.ho_ten ?? "");
  if (!name.ok) reasons.push(`ho_ten: ${name.error.message}`);
  const birth = parseBirthDate(values.ngay_sinh ?? "");
  if (birth && typeof birth === "object") reasons.push(birth.error);
  const unitCode = values.ma_don_vi ?? "";
  if (!CODE.test(unitCode)) reasons.push("ma_don_vi trống hoặc không hợp lệ");
  const level = parseLeaderLevel(values.chuc_vu ?? "");
  if (!level)
    reasons.push(`chuc_vu “${values.chuc_vu}” không hợp lệ (nhan_vien, lanh_dao_phong, lanh_dao_so)`);
  const employment = parseEmploymentType(values.hinh_thuc ?? "");
  if (!employment) reasons.push(`hinh_thuc “${values.hinh_thuc}” không hợp lệ (bien_che hoặc hop_dong)`);
  let months: number | null = null;
  if (values.so_thang_hop_dong) {
    if (!/^\d{1,4}$/.test(values.so_thang_hop_dong) || Number(values.so_thang_hop_dong) < 1)
      reasons.push("so_thang_hop_dong phải là số nguyên dương");
    else months = Number(values.so_thang_hop_dong);
  } else if (employment === "contract") {
    reasons.push("hợp đồng cần so_thang_hop_dong");
  }
  let email: string | null = null;
  if (values.email) {
    const parsed = ADDRESS.safeParse(values.email);
    if (!parsed.success) reasons.push(`email “${values.email}” không hợp lệ`);
    else if (run.seenEmail.has(parsed.data))
      reasons.push(`email ${parsed.data} trùng với dòng ${run.seenEmail.get(parsed.data)}`);
    else {
      email = parsed.data;
      run.seenEmail.set(email, line);
    }
  }
  if (codeOk && firstLine === undefined) run.seen.set(key, line);
  if (reasons.length > 0) return { line, code, reason: reasons.join("; ") };
  return {
    line,
    code,
    fullName: (name as { value: string }).value,
    birthDate: birth as string | null,
    unitCode,
    leaderLevel: level as LeaderLevel,
    employmentType: employment as EmploymentType,
    contractMonths: months,
    email,
  };
}

/** Checks against the database: the unit, the profile, the existing address. */
function checkAgainstDb(run: Run, r: StaffRow, pre: Prefetched): string[] {
  const reasons: string[] = [];
  const unit = run.unitByCode.get(r.unitCode);
  const { profileId } = run.options;
  if (!unit)
    reasons.push(
      `ma_don_vi ${r.unitCode} chưa có trong hệ thống (hãy nhập danh sách đơn vị trước: mailbot import units)`,
    );
  else if (profileId && unit.profileId !== profileId)
    reasons.push(`đơn vị ${r.unitCode} thuộc hồ sơ ${unit.profileId}, khác --profile ${profileId}`);
  if (r.email && unit) {
    const profile = findProfile(unit.profileId);
    const box = pre.mailboxByAddress.get(r.email);
    const me = pre.staffByCode.get(r.code);
    if (box && box.ownerStaffId !== null && box.ownerStaffId !== me?.id)
      reasons.push(`email ${r.email} đang thuộc về cán bộ khác`);
    else if (box && box.kind !== "personal")
      reasons.push(`email ${r.email} là hộp thư đơn vị/nhóm, không phải hộp thư cá nhân`);
    else if (!box && pre.reserved.has(r.email))
      reasons.push(`email ${r.email} đang được giữ cho một yêu cầu cấp mới`);
    // Taken but neither a mailbox nor a reservation the database shows: proposed by this import
    // on an earlier page whose write may not have reached the database yet (or a dry run).
    else if (!box && run.taken?.has(r.email)) reasons.push(`email ${r.email} đang thuộc về cán bộ khác`);
    else if (profile && !r.email.endsWith(`@${profile.domain}`))
      reasons.push(`email ${r.email} không thuộc tên miền ${profile.domain}`);
  }
  return reasons;
}

interface NewBox {
  line: number;
  /** The owner's code (their id comes from the plan's ids). */
  code: string;
  address: string;
  unit: Unit;
  /** Proposed here (the owner must set a password), not an address the person already had. */
  issued: boolean;
}

/** Takes `n` ids from the front of a pool (taken in order, so ids follow the file's lines). */
function takeIds(pool: number[], n: number): number[] {
  if (pool.length < n) throw new Error(`import: ${n} ids needed, ${pool.length} allocated`);
  return pool.splice(0, n);
}

/** Everything a page writes, decided in memory (ids included) before any statement is sent. */
function planPage(run: Run, valid: readonly StaffRow[], pre: Prefetched): PageWrites {
  const { report, actor, now } = run;
  const writes: PageWrites = {
    now,
    actor: actorLabel(actor),
    staffUpdates: [],
    staffInserts: [],
    ownerUpdates: [],
    mailboxInserts: [],
    updateAudits: [],
    ownerAudits: [],
  };
  const toInsert: StaffRow[] = [];
  /** Staff id by code: existing ones now, new ones once their ids are taken. */
  const ids = new Map<string, number>();
  for (const r of valid) {
    const unit = run.unitByCode.get(r.unitCode) as Unit;
    const old = pre.staffByCode.get(r.code);
    if (!old) {
      toInsert.push(r);
      continue;
    }
    ids.set(r.code, old.id);
    const diff: Record<string, unknown> = {};
    if (old.fullName !== r.fullName) diff.fullName = r.fullName;
    if (old.birthDate !== r.birthDate) diff.birthDate = r.birthDate;
    if (old.unitId !== unit.id) diff.unitId = unit.id;
    if (old.leaderLevel !== r.leaderLevel) diff.leaderLevel = r.leaderLevel;
    if (old.employmentType !== r.employmentType) diff.employmentType = r.employmentType;
    if (old.contractMonths !== r.contractMonths) diff.contractMonths = r.contractMonths;
    if (Object.keys(diff).length === 0) {
      report.unchanged++;
      continue;
    }
    writes.staffUpdates.push([
      old.id,
      r.fullName,
      r.birthDate,
      unit.id,
      r.leaderLevel,
      r.employmentType,
      r.contractMonths,
      now,
    ]);
    report.updated++;
    writes.updateAudits.push({
      actor,
      action: "staff.update",
      entity: "staff",
      entityId: old.id,
      details: { code: r.code, line: r.line, changes: diff },
    });
  }
  // A dry run takes no ids: it writes nothing, and only the counts and addresses are reported.
  const dry = run.options.dryRun === true;
  const staffIds = dry ? [] : takeIds(run.ids.staff, toInsert.length);
  // Each is audited as staff.create {code, line} by the write itself (pageWriteSql).
  toInsert.forEach((r, i) => {
    const id = staffIds[i] as number;
    ids.set(r.code, id);
    writes.staffInserts.push([
      id,
      r.code,
      r.fullName,
      r.birthDate,
      (run.unitByCode.get(r.unitCode) as Unit).id,
      r.leaderLevel,
      r.employmentType,
      r.contractMonths,
      r.line,
    ]);
  });
  report.created += toInsert.length;
  // Existing addresses: recorded as they are (never renamed).
  const newBoxes: NewBox[] = [];
  const owners: { boxId: number; address: string; code: string; line: number }[] = [];
  for (const r of valid) {
    if (!r.email) continue;
    const box = pre.mailboxByAddress.get(r.email);
    if (!box) {
      const unit = run.unitByCode.get(r.unitCode) as Unit;
      newBoxes.push({ line: r.line, code: r.code, address: r.email, unit, issued: false });
    } else if (box.ownerStaffId === null) {
      owners.push({ boxId: box.id, address: box.address, code: r.code, line: r.line });
    }
  }
  for (const o of owners) {
    const staffId = ids.get(o.code);
    writes.ownerUpdates.push([o.boxId, staffId, now]);
    writes.ownerAudits.push({
      actor,
      action: "mailbox.assign_owner",
      entity: "mailbox",
      entityId: o.boxId,
      details: { address: o.address, staffId, line: o.line },
    });
  }
  if (run.options.issueMailboxes) issueAddresses(run, valid, pre, newBoxes);
  const boxIds = dry ? [] : takeIds(run.ids.mailboxes, newBoxes.length);
  // Personal and active, each audited as mailbox.create {address, staffId, line, source: "import"}
  // by the write itself (pageWriteSql).
  newBoxes.forEach((b, i) => {
    writes.mailboxInserts.push([
      boxIds[i],
      b.address,
      b.unit.profileId,
      ids.get(b.code),
      b.unit.id,
      findProfile(b.unit.profileId)?.limits.quotaMb ?? null,
      // Issued here without a password: the owner gets a temporary one through /doimk.
      b.issued,
      b.line,
    ]);
  });
  report.mailboxesCreated += newBoxes.length;
  return writes;
}

/** Proposes addresses for the page's staff who have no personal mailbox; adds them to newBoxes. */
function issueAddresses(run: Run, valid: readonly StaffRow[], pre: Prefetched, newBoxes: NewBox[]): void {
  const withBox = new Set(newBoxes.map((b) => b.code));
  const taken = run.taken as CompactStringMap;
  const isTaken = (address: string) => taken.has(address);
  for (const b of newBoxes) taken.set(b.address.toLowerCase());
  run.naming ??= unitNaming([...run.unitByCode.values()]);
  for (const r of valid) {
    if (r.email || withBox.has(r.code)) continue;
    const old = pre.staffByCode.get(r.code);
    if (old?.hasMailbox) continue;
    const unit = run.unitByCode.get(r.unitCode) as Unit;
    const profile = findProfile(unit.profileId);
    const ctx = run.naming.get(unit.id);
    if (!profile || !ctx) continue;
    const eligible = checkEligibility(profile, {
      employmentType: r.employmentType,
      contractMonths: r.contractMonths,
      employmentStatus: "active",
      hasPersonalMailbox: false,
    });
    if (!eligible.ok) {
      addNotIssued(run.report, { line: r.line, code: r.code, reason: eligible.error.message });
      continue;
    }
    const proposal = proposePersonalAddress(
      profile,
      {
        fullName: r.fullName,
        birthDate: r.birthDate,
        unitSymbol: unit.abbr,
        agency: ctx.agency,
        ward: ctx.ward,
      },
      isTaken,
    );
    if (!proposal.ok) {
      addNotIssued(run.report, { line: r.line, code: r.code, reason: proposal.error.message });
      continue;
    }
    taken.set(proposal.value.address);
    newBoxes.push({ line: r.line, code: r.code, address: proposal.value.address, unit, issued: true });
    run.report.addressesIssued++;
    const issued = { line: r.line, code: r.code, fullName: r.fullName, address: proposal.value.address };
    if (run.options.onIssued) run.options.onIssued(issued);
    else run.report.issued.push(issued);
  }
}

/**
 * Where the pages stand: `pending` is the last page planned, to be sent after the next page's
 * prefetch; `writing` is the last write sent. Kept in one object so that a failure anywhere can
 * let the write in flight settle before the transaction rolls back.
 */
interface Flow {
  pending: SQL | null;
  writing: Promise<unknown>;
}

/** New ids a page asks for: one per row at most, less what earlier pages left unused. */
function idsWanted(run: Run, good: readonly StaffRow[]): { staff: number; mailboxes: number } {
  const { options, report, ids } = run;
  if (options.dryRun || (report.errorCount > 0 && !options.skipBad)) return { staff: 0, mailboxes: 0 };
  const boxes = options.issueMailboxes ? good.length : good.filter((r) => r.email).length;
  return {
    staff: Math.max(0, good.length - ids.staff.length),
    mailboxes: Math.max(0, boxes - ids.mailboxes.length),
  };
}

function send(tx: DbOrTx, statement: SQL): Promise<unknown> {
  const sent = executeRows(tx, statement);
  // Handled here so a failure is not "unhandled" before the caller awaits it (it still throws there).
  sent.catch(() => undefined);
  return sent;
}

/** Checks and plans one page; sends the page planned before it once this page's prefetch is out. */
async function handlePage(tx: DbOrTx, run: Run, items: readonly CsvItem[], flow: Flow): Promise<void> {
  const errors: RowError[] = [];
  const good: StaffRow[] = [];
  for (const item of items) {
    run.report.rows++;
    if ("error" in item) {
      errors.push(item.error);
      continue;
    }
    const row = checkRow(run, item.line, item.values);
    if ("reason" in row) errors.push(row);
    else good.push(row);
  }
  const prefetching = prefetchPage(
    tx,
    good.map((r) => r.code),
    good.flatMap((r) => (r.email ? [r.email] : [])),
    idsWanted(run, errors.length > 0 && !run.options.skipBad ? [] : good),
  );
  prefetching.catch(() => undefined);
  const previous = flow.writing;
  if (flow.pending) {
    flow.writing = send(tx, flow.pending);
    flow.pending = null;
  }
  try {
    await previous;
  } catch (error) {
    // That write, sent before this prefetch, failed first: its error is the one to report.
    await prefetching.catch(() => undefined);
    throw error;
  }
  const pre = await prefetching;
  for (const id of pre.newIds.staff) run.ids.staff.push(id);
  for (const id of pre.newIds.mailboxes) run.ids.mailboxes.push(id);
  const valid: StaffRow[] = [];
  for (const r of good) {
    const reasons = checkAgainstDb(run, r, pre);
    if (reasons.length > 0) errors.push({ line: r.line, code: r.code, reason: reasons.join("; ") });
    else valid.push(r);
  }
  for (const e of errors.sort((a, b) => a.line - b.line)) addError(run.report, e);
  // After the first bad row (without skipBad) the rest is only checked: it will be rolled back.
  if (run.report.errorCount > 0 && !run.options.skipBad) return;
  if (run.options.issueMailboxes && run.taken === null) {
    // Every address taken anywhere, once: proposals for a whole file are then pure CPU.
    const rows = await tx.select({ a: sql<string>`lower(${addressClaims.address})` }).from(addressClaims);
    run.taken = new CompactStringMap();
    for (const r of rows) run.taken.set(r.a);
  }
  // Planned exactly as a real run plans it (same addresses, same counts); a dry run sends nothing.
  const writes = planPage(run, valid, pre);
  if (!run.options.dryRun) flow.pending = pageWriteSql(writes);
}

/** Thrown inside the transaction to roll it back (bad rows, dry run); never escapes. */
class DiscardWrites extends Error {}

export async function importStaff(
  database: Database,
  input: ImportInput,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const report = emptyReport("staff");
  const run: Run = {
    options,
    report,
    actor: options.actor ?? { kind: "cli" },
    now: options.now ?? new Date(),
    unitByCode: new Map(),
    naming: null,
    taken: null,
    seen: new CompactStringMap(),
    seenEmail: new CompactStringMap(),
    ids: { staff: [], mailboxes: [] },
  };
  const pageRows = options.pageRows ?? STAFF_PAGE_ROWS;
  // The server waits for the whole first page to be read, checked and planned: keep it short.
  let limit = Math.ceil(pageRows / 10);
  try {
    await database.db.transaction(async (tx) => {
      for (const u of await tx.select().from(units)) if (u.externalId) run.unitByCode.set(u.externalId, u);
      let page: CsvItem[] = [];
      const flow: Flow = { pending: null, writing: Promise.resolve() };
      try {
        for await (const item of readCsv(input, { known: STAFF_HEADERS, required: REQUIRED }, options)) {
          page.push(item);
          if (page.length >= limit) {
            await handlePage(tx, run, page, flow);
            page = [];
            limit = pageRows;
          }
        }
        await handlePage(tx, run, page, flow);
        await flow.writing;
        if (flow.pending && (report.errorCount === 0 || options.skipBad)) await send(tx, flow.pending);
      } catch (error) {
        // Let a page still being written settle before the transaction rolls back.
        await flow.writing.catch(() => undefined);
        throw error;
      }
      if (options.dryRun || (report.errorCount > 0 && !options.skipBad)) throw new DiscardWrites();
    });
  } catch (error) {
    if (!(error instanceof DiscardWrites)) throw translateWriteError(error);
    // A dry run that a real run would carry out keeps its counts: they are what would be written.
    if (options.dryRun && (report.errorCount === 0 || options.skipBad)) return report;
    // Nothing was written: the counts of rolled-back pages would mislead.
    Object.assign(report, {
      created: 0,
      updated: 0,
      unchanged: 0,
      mailboxesCreated: 0,
      addressesIssued: 0,
      notIssued: [],
      issued: [],
    });
    return report;
  }
  report.written = true;
  return report;
}
