/** The /tongquan message: pure formatting of a UnitOverview (Vietnamese, ≤ 4,096 characters). */
import { formatVnDate, vnDateOf } from "../calendar/time.ts";
import { MAILBOX_STATUS_SHORT_LABELS } from "../policy/vocabulary.ts";
import type { OverviewMailbox, UnitOverview } from "../services/overview.ts";
import { IDLE_DAYS } from "../services/overview.ts";

/** Mailboxes listed per section; the rest is counted. */
const MAX_LISTED = 8;

export function statusVi(status: OverviewMailbox["status"]): string {
  return MAILBOX_STATUS_SHORT_LABELS[status];
}

function who(m: OverviewMailbox): string {
  return m.personName ? `${m.address} (${m.personName})` : m.address;
}

function listed(items: OverviewMailbox[], line: (m: OverviewMailbox) => string): string[] {
  const out = items.slice(0, MAX_LISTED).map((m) => `  • ${line(m)}`);
  if (items.length > MAX_LISTED) out.push(`  … và ${items.length - MAX_LISTED} hộp thư khác.`);
  return out;
}

export function overviewText(o: UnitOverview): string {
  const lines: string[] = [
    `📊 Tổng quan ${o.unitName} (gồm các đơn vị trực thuộc), ngày ${formatVnDate(vnDateOf(o.generatedAt))}`,
    `Hộp thư đang dùng: ${o.mailboxes.length}; bị khóa: ${o.locked.length}; không hoạt động trên ${IDLE_DAYS} ngày: ${o.idle.length}; sắp bị khóa do không hoạt động: ${o.nearLock.length}.`,
  ];
  if (o.locked.length) {
    lines.push("🔒 Hộp thư bị khóa:", ...listed(o.locked, (m) => `${who(m)} — ${statusVi(m.status)}`));
  }
  if (o.nearLock.length) {
    lines.push(
      "⏳ Sắp bị khóa do không hoạt động:",
      ...listed(o.nearLock, (m) => `${who(m)} — khóa sau ngày ${formatVnDate(m.lockOn!)}`),
    );
  }
  if (o.idle.length) {
    lines.push(
      `💤 Không hoạt động trên ${IDLE_DAYS} ngày:`,
      ...listed(o.idle, (m) =>
        m.lastActivityAt
          ? `${who(m)} — lần cuối ${formatVnDate(vnDateOf(m.lastActivityAt))}`
          : `${who(m)} — chưa từng hoạt động`,
      ),
    );
  }
  lines.push(
    `📨 Yêu cầu đang mở: ${o.openRequests}${o.overdueRequests ? `, trong đó ${o.overdueRequests} quá hạn` : ""}.`,
  );
  if (o.overdueReplies.length) {
    lines.push(
      "⚠️ Thư quá hạn trả lời theo người:",
      ...o.overdueReplies.slice(0, MAX_LISTED).map((r) => `  • ${r.personName}: ${r.count} thư`),
    );
    if (o.overdueReplies.length > MAX_LISTED)
      lines.push(`  … và ${o.overdueReplies.length - MAX_LISTED} người khác.`);
  } else {
    lines.push("✅ Không có thư quá hạn trả lời.");
  }
  const { expected, checked, weekStart } = o.checks;
  const pct = expected ? Math.round((checked / expected) * 100) : 100;
  lines.push(
    `🗓 Kiểm tra hộp thư tuần này (từ ${formatVnDate(weekStart as Parameters<typeof formatVnDate>[0])}): ${checked}/${expected} hộp thư đã được mở (${pct}%).`,
  );
  return lines.join("\n");
}
