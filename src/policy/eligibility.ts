/**
 * Who may get a personal mailbox (/capmoi). mic Điều 6.3: cán bộ, công chức, viên chức, and
 * staff on a contract of at least 1 year; binhtan Điều 7.2: one personal mailbox per person.
 * The other profiles follow the same rule as a documented default (see each profile's article).
 */
import { cite } from "./cite.ts";
import type { Profile } from "./profile.ts";
import { type Result, err, ok } from "../lib/result.ts";
import type { EmploymentStatus, EmploymentType } from "./types.ts";

export interface EligibilityPerson {
  employmentType: EmploymentType;
  /** Length of the labour contract in months; required for contract staff. */
  contractMonths?: number | null;
  employmentStatus?: EmploymentStatus;
  /** True when the person already holds an active (not revoked) personal mailbox. */
  hasPersonalMailbox: boolean;
}

export type EligibilityErrorCode =
  "contract_too_short" | "already_has_mailbox" | "left" | "missing_contract_length";

export interface EligibilityError {
  code: EligibilityErrorCode;
  message: string;
}

/**
 * Ok when the person may be issued a personal mailbox. The first failing rule is returned, in
 * the order an operator would check them: still employed, no mailbox yet, contract long enough.
 */
export function checkEligibility(
  profile: Profile,
  person: EligibilityPerson,
): Result<void, EligibilityError> {
  const rules = profile.eligibility;

  if (person.employmentStatus === "left") {
    return err({
      code: "left",
      message: `Người này đã nghỉ việc hoặc chuyển công tác: không cấp mới hộp thư; hộp thư cũ (nếu có) được xử lý theo quy định với người nghỉ việc (${cite(profile, profile.leaver.article)}).`,
    });
  }
  if (rules.onePersonalMailboxPerPerson && person.hasPersonalMailbox) {
    return err({
      code: "already_has_mailbox",
      message: `Mỗi cá nhân chỉ được cấp một hộp thư cá nhân và người này đã có hộp thư (${cite(profile, rules.article)}). Nếu cần, hãy đề nghị khôi phục hoặc đổi mật khẩu hộp thư hiện có.`,
    });
  }
  if (person.employmentType === "contract" && rules.minContractMonths > 0) {
    const months = person.contractMonths;
    if (months === undefined || months === null || !Number.isFinite(months)) {
      return err({
        code: "missing_contract_length",
        message: `Thiếu thời hạn hợp đồng: người lao động hợp đồng chỉ được cấp hộp thư khi hợp đồng từ ${rules.minContractMonths} tháng trở lên (${cite(profile, rules.article)}). Hãy nhập số tháng của hợp đồng.`,
      });
    }
    if (months < rules.minContractMonths) {
      return err({
        code: "contract_too_short",
        message: `Hợp đồng ${months} tháng ngắn hơn mức tối thiểu ${rules.minContractMonths} tháng để được cấp hộp thư cá nhân (${cite(profile, rules.article)}).`,
      });
    }
  }
  return ok(undefined);
}
