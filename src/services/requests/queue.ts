/** Reading requests: one by number, the support queue (overdue first), a person's own. */
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { isOverdue, workingTimeLeft } from "../../calendar/deadlines.ts";
import { requests } from "../../db/schema.ts";
import type { RequestState } from "../../policy/types.ts";
import type { QueueItem, RequestView } from "../types.ts";
import { requestViews, type RequestDeps } from "./shared.ts";

export async function get(deps: RequestDeps, requestId: number): Promise<RequestView | null> {
  const { db } = deps;
  if (typeof requestId !== "number" || !Number.isSafeInteger(requestId) || requestId <= 0) return null;
  const [view] = await requestViews(db, and(eq(requests.id, requestId)), 1);
  return view ?? null;
}

export async function listOpen(
  deps: RequestDeps,
  now: Date = deps.ctx.now(),
  options: { states?: RequestState[]; unitIds?: number[] } = {},
): Promise<QueueItem[]> {
  const { db, ctx } = deps;
  const states = options.states ?? ["open", "in_progress"];
  const where = and(
    inArray(requests.state, states),
    options.unitIds
      ? options.unitIds.length
        ? inArray(requests.unitId, options.unitIds)
        : sql`false`
      : undefined,
  );
  const views = await requestViews(db, where, 1000);
  const cal = await ctx.calendar();
  const items: QueueItem[] = views.map((v) => ({
    ...v,
    overdue: v.dueAt !== null && isOverdue(now, v.dueAt),
    workingDaysLeft: v.dueAt ? workingTimeLeft(cal, now, v.dueAt) : 0,
  }));
  return items.sort((a, b) => {
    if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
    const da = a.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
    const dbb = b.dueAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return da - dbb || a.id - b.id;
  });
}

export async function listForStaff(deps: RequestDeps, staffId: number): Promise<RequestView[]> {
  const { db } = deps;
  if (!Number.isSafeInteger(staffId)) return [];
  const views = await requestViews(
    db,
    or(eq(requests.requesterStaffId, staffId), eq(requests.subjectStaffId, staffId)),
    200,
  );
  return views.sort((a, b) => b.id - a.id);
}
