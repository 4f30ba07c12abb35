/**
 * `mailbot import units FILE`: one row per unit; a parent may come before or after its children
 * in the file, or already be in the database.
 *
 * Columns: ma_don_vi (code), ten_don_vi, loai (co_quan | huyen | xa | phong), ky_hieu,
 * don_vi_cha (optional, a code in the file or already imported), ho_so (optional with --profile).
 *
 * Unit files are small (a province has a few thousand units), so the rows are collected before
 * anything is checked: parents and cycles need the whole file. The tree is checked together with
 * the units already in the database, so a file cannot close a loop through them either.
 */
import { eq, sql } from "drizzle-orm";
import { executeRows, type Database } from "../../db/client.ts";
import { units } from "../../db/schema.ts";
import { findProfile, profileIds } from "../../policy/profiles/index.ts";
import type { UnitKind } from "../../policy/types.ts";
import { writeAuditBatch, type AuditInput } from "../audit.ts";
import { readCsv } from "./csv-reader.ts";
import { CODE, parseUnitKind } from "./fields.ts";
import { translateWriteError } from "./write-errors.ts";
import {
  addError,
  emptyReport,
  type ImportInput,
  type ImportOptions,
  type ImportReport,
  type RowError,
} from "./types.ts";
import { pgArrayLiteral, unnestInsert } from "./unnest.ts";

import { UNIT_HEADERS } from "../import-columns.ts";

export { UNIT_HEADERS };
const REQUIRED = ["ma_don_vi", "ten_don_vi", "loai", "ky_hieu"] as const;

interface UnitRow {
  line: number;
  code: string;
  name: string;
  kind: UnitKind;
  abbr: string;
  parentCode: string | null;
  profileId: string;
}

/** A unit already in the database, as the tree check and the diff need it. */
interface StoredUnit {
  id: number;
  code: string | null;
  parentId: number | null;
  profileId: string;
  name: string;
  kind: UnitKind;
  abbr: string;
}

function checkRow(
  line: number,
  values: Record<string, string>,
  seen: Map<string, number>,
  options: ImportOptions,
): UnitRow | RowError {
  const code = values.ma_don_vi ?? "";
  const reasons: string[] = [];
  if (!CODE.test(code))
    reasons.push("ma_don_vi trống hoặc có ký tự không hợp lệ (chỉ chữ, số, . _ - /; tối đa 50)");
  else if (seen.has(code.toLowerCase()))
    reasons.push(`ma_don_vi ${code} trùng với dòng ${seen.get(code.toLowerCase())}`);
  const name = (values.ten_don_vi ?? "").replace(/\s+/g, " ");
  if (name.length < 2 || name.length > 200) reasons.push("ten_don_vi trống hoặc dài quá 200 ký tự");
  const kind = parseUnitKind(values.loai ?? "");
  if (!kind) reasons.push(`loai “${values.loai}” không hợp lệ (co_quan, huyen, xa, phong)`);
  const abbr = (values.ky_hieu ?? "").toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,39}$/.test(abbr))
    reasons.push(`ky_hieu “${values.ky_hieu}” không hợp lệ (chữ không dấu, số, . _ -; tối đa 40)`);
  const profileId = values.ho_so || options.profileId || "";
  if (!profileId) reasons.push("thiếu ho_so (hoặc dùng --profile)");
  else if (!findProfile(profileId))
    reasons.push(`ho_so “${profileId}” không tồn tại (có: ${profileIds().join(", ")})`);
  else if (options.profileId && values.ho_so && values.ho_so !== options.profileId)
    reasons.push(`ho_so ${values.ho_so} khác --profile ${options.profileId}`);
  const parentCode = values.don_vi_cha ? values.don_vi_cha : null;
  if (parentCode !== null && parentCode.toLowerCase() === code.toLowerCase())
    reasons.push("don_vi_cha không được là chính nó");
  if (CODE.test(code) && !seen.has(code.toLowerCase())) seen.set(code.toLowerCase(), line);
  if (reasons.length > 0) return { line, code, reason: reasons.join("; ") };
  return { line, code, name, kind: kind as UnitKind, abbr, parentCode, profileId };
}

/** The units with these codes and all their ancestors, in one recursive query. */
async function loadWithAncestors(database: Database, codes: readonly string[]): Promise<StoredUnit[]> {
  if (codes.length === 0) return [];
  const rows = await executeRows<{
    id: number;
    external_id: string | null;
    parent_id: number | null;
    profile_id: string;
    name: string;
    kind: UnitKind;
    abbr: string;
  }>(
    database.db,
    sql`with recursive chain as (
          select id, external_id, parent_id, profile_id, name, kind, abbr from units
           where external_id = any(${pgArrayLiteral(codes)}::text[])
          union
          select u.id, u.external_id, u.parent_id, u.profile_id, u.name, u.kind, u.abbr
            from units u join chain c on u.id = c.parent_id
        ) select * from chain`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    code: r.external_id,
    parentId: r.parent_id === null ? null : Number(r.parent_id),
    profileId: r.profile_id,
    name: r.name,
    kind: r.kind,
    abbr: r.abbr,
  }));
}

/**
 * Checks every row's parent chain through the file and the database together (the file's
 * don_vi_cha replaces the stored parent of a unit it lists). Returns the bad rows.
 */
function checkTree(good: readonly UnitRow[], stored: readonly StoredUnit[]): RowError[] {
  const fileByCode = new Map(good.map((r) => [r.code, r]));
  const storedByCode = new Map(stored.flatMap((u) => (u.code ? [[u.code, u] as const] : [])));
  const storedById = new Map(stored.map((u) => [u.id, u]));
  // Units without a code are named by id; they can only be reached through the database.
  const keyOf = (u: StoredUnit) => u.code ?? `#${u.id}`;
  const parentOf = (key: string): string | null => {
    const inFile = fileByCode.get(key);
    if (inFile) return inFile.parentCode;
    const inDb =
      storedByCode.get(key) ?? (key.startsWith("#") ? storedById.get(Number(key.slice(1))) : undefined);
    const parent = inDb?.parentId ? storedById.get(inDb.parentId) : undefined;
    return parent ? keyOf(parent) : null;
  };
  const label = (key: string) =>
    fileByCode.has(key)
      ? key
      : `${key.startsWith("#") ? `đơn vị số ${key.slice(1)}` : key} (đã có trong hệ thống)`;

  const errors: RowError[] = [];
  const bad = new Set<string>();
  for (const r of good) {
    let reason: string | null = null;
    const parent = r.parentCode;
    if (parent !== null) {
      const inFile = fileByCode.get(parent);
      const inDb = storedByCode.get(parent);
      if (!inFile && !inDb) reason = `don_vi_cha ${parent} không có trong tệp và chưa có trong hệ thống`;
      else {
        const parentProfile = inFile?.profileId ?? inDb?.profileId;
        if (parentProfile !== r.profileId)
          reason = `don_vi_cha ${parent} thuộc hồ sơ ${parentProfile}, khác ${r.profileId}`;
      }
    }
    if (!reason) {
      // Walk up; a loop back to this row is its error (rows that merely hang below a loop are
      // refused further down, because their parent is refused).
      const chain = [r.code];
      const visited = new Set(chain);
      for (
        let cur = parent;
        cur !== null && chain.length <= stored.length + good.length + 1;
        cur = parentOf(cur)
      ) {
        if (cur === r.code) {
          reason = `don_vi_cha tạo thành vòng lặp (${[...chain, cur].map(label).join(" → ")})`;
          break;
        }
        if (visited.has(cur)) break;
        visited.add(cur);
        chain.push(cur);
      }
    }
    if (reason) {
      errors.push({ line: r.line, code: r.code, reason });
      bad.add(r.code);
    }
  }
  // Children of bad rows are bad too (their parent will not be written).
  let changed = true;
  while (changed) {
    changed = false;
    for (const r of good) {
      // A parent already in the database stays there even if its row here is refused.
      if (!bad.has(r.code) && r.parentCode && bad.has(r.parentCode) && !storedByCode.has(r.parentCode)) {
        errors.push({
          line: r.line,
          code: r.code,
          reason: `don_vi_cha ${r.parentCode} ở dòng ${fileByCode.get(r.parentCode)?.line} bị lỗi`,
        });
        bad.add(r.code);
        changed = true;
      }
    }
  }
  return errors;
}

export async function importUnits(
  database: Database,
  input: ImportInput,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const report = emptyReport("units");
  const good: UnitRow[] = [];
  const errors: RowError[] = [];
  const seen = new Map<string, number>();
  for await (const item of readCsv(input, { known: UNIT_HEADERS, required: REQUIRED }, options)) {
    report.rows++;
    if ("error" in item) {
      errors.push(item.error);
      continue;
    }
    const row = checkRow(item.line, item.values, seen, options);
    if ("reason" in row) errors.push(row);
    else good.push(row);
  }

  const codes = [
    ...new Set([...good.map((r) => r.code), ...good.flatMap((r) => (r.parentCode ? [r.parentCode] : []))]),
  ];
  const stored = await loadWithAncestors(database, codes);
  const treeErrors = checkTree(good, stored);
  const badCodes = new Set(treeErrors.map((e) => e.code));
  const valid = good.filter((r) => !badCodes.has(r.code));
  for (const e of [...errors, ...treeErrors].sort((a, b) => a.line - b.line)) addError(report, e);
  if ((report.errorCount > 0 && !options.skipBad) || options.dryRun) return report;

  const storedByCode = new Map(stored.flatMap((u) => (u.code ? [[u.code, u] as const] : [])));
  const actor = options.actor ?? { kind: "cli" };
  const now = options.now ?? new Date();
  const counts = { created: 0, updated: 0, unchanged: 0 };
  try {
    await database.db.transaction(async (tx) => {
      const ids = new Map<string, number>([...storedByCode].map(([code, u]) => [code, u.id]));
      const audits: AuditInput[] = [];
      // Parents first: repeat passes until every row whose parent is known has been handled.
      const pending = new Map(valid.map((r) => [r.code, r]));
      while (pending.size > 0) {
        const ready = [...pending.values()].filter(
          (r) => r.parentCode === null || (ids.has(r.parentCode) && !pending.has(r.parentCode)),
        );
        if (ready.length === 0) throw new Error("unit import: unresolved parents");
        const toInsert: UnitRow[] = [];
        for (const r of ready) {
          pending.delete(r.code);
          const parentId = r.parentCode ? (ids.get(r.parentCode) as number) : null;
          const old = storedByCode.get(r.code);
          if (!old) {
            toInsert.push(r);
            continue;
          }
          const diff: Record<string, unknown> = {};
          if (old.name !== r.name) diff.name = r.name;
          if (old.kind !== r.kind) diff.kind = r.kind;
          if (old.abbr !== r.abbr) diff.abbr = r.abbr;
          if (old.parentId !== parentId) diff.parentId = parentId;
          if (old.profileId !== r.profileId) diff.profileId = r.profileId;
          if (Object.keys(diff).length === 0) {
            counts.unchanged++;
            continue;
          }
          await tx.update(units).set(diff).where(eq(units.id, old.id));
          counts.updated++;
          audits.push({
            actor,
            action: "unit.update",
            entity: "unit",
            entityId: old.id,
            details: { code: r.code, line: r.line, changes: diff },
          });
        }
        const inserted = await unnestInsert<{ id: number; external_id: string }>(
          tx,
          "units",
          [
            ["external_id", "text"],
            ["name", "text"],
            ["kind", "unit_kind"],
            ["abbr", "text"],
            ["parent_id", "int"],
            ["profile_id", "text"],
            ["created_at", "timestamptz"],
          ],
          toInsert.map((r) => [
            r.code,
            r.name,
            r.kind,
            r.abbr,
            r.parentCode ? (ids.get(r.parentCode) as number) : null,
            r.profileId,
            now,
          ]),
          ["id", "external_id"],
        );
        for (const row of inserted) ids.set(row.external_id, Number(row.id));
        counts.created += inserted.length;
        for (const r of toInsert) {
          audits.push({
            actor,
            action: "unit.create",
            entity: "unit",
            entityId: ids.get(r.code) as number,
            details: { code: r.code, name: r.name, line: r.line },
          });
        }
      }
      await writeAuditBatch(tx, audits);
    });
  } catch (error) {
    throw translateWriteError(error);
  }
  Object.assign(report, counts);
  report.written = true;
  return report;
}
