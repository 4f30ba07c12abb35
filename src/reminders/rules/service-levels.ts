/**
 * Service levels of the support desk: a request due today ("sắp đến hạn") and a request past
 * its due time ("quá hạn") → the support chat. The due time is set when the request is created
 * (src/policy/lifecycle.ts serviceDeadline: restore mic Điều 7.3b / phuyen Điều 6.3b 1 working
 * day, ninhbinh Điều 6.2 3 working days, create/reset per profile.serviceLevels). Once each.
 */
import { vnDateOf } from "../../calendar/time.ts";
import { describeWorkingTimeLeft, workingTimeLeft } from "../../calendar/deadlines.ts";
import type { RequestKind } from "../../policy/types.ts";
import type { ReminderItem, RuleContext, RuleOutput } from "../types.ts";
import { formatVnDateTime, itemsFor } from "./common.ts";

export interface OpenRequestFact {
  requestId: number;
  kind: RequestKind;
  state: string;
  address: string | null;
  unitName: string;
  dueAt: Date;
}

const KIND_VI: Record<RequestKind, string> = {
  capmoi: "Cấp mới",
  khoiphuc: "Khôi phục",
  doimk: "Cấp lại mật khẩu",
  leaver: "Thu hồi (nghỉ việc)",
  unit_change: "Thay đổi đơn vị",
};

export function serviceLevelRule(facts: readonly OpenRequestFact[], ctx: RuleContext): RuleOutput {
  const { now, calendar, profile, supportChatId } = ctx;
  if (supportChatId === null) return { reminders: [], actions: [] };
  const reminders: ReminderItem[] = [];
  const today = vnDateOf(now);
  for (const fact of facts) {
    const overdue = now.getTime() > fact.dueAt.getTime();
    if (!overdue && vnDateOf(fact.dueAt) > today) continue;
    const left = describeWorkingTimeLeft(workingTimeLeft(calendar, now, fact.dueAt));
    reminders.push(
      ...itemsFor([supportChatId], {
        rule: overdue ? "sla-overdue" : "sla-near",
        target: `req:${fact.requestId}`,
        period: "",
        section: overdue ? "sla-overdue" : "sla-near",
        line:
          `#${fact.requestId} ${KIND_VI[fact.kind]}${fact.address ? ` — ${fact.address}` : ""} (${fact.unitName}), ` +
          `hạn ${formatVnDateTime(fact.dueAt)} (${left})${fact.state === "open" ? ", chưa có người nhận" : ""}`,
        sortAt: fact.dueAt,
        profileId: profile.id,
        button: { text: `Mở #${fact.requestId}`, data: `req:${fact.requestId}` },
      }),
    );
  }
  return { reminders, actions: [] };
}
