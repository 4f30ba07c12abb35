/** Database refusals during an import's write, turned into messages an operator can act on. */
import { isAddressTaken } from "../../db/errors.ts";
import { ServiceError } from "../errors.ts";

export function translateWriteError(error: unknown): unknown {
  if (error instanceof ServiceError) return error;
  const message = (error as Error).message ?? "";
  if (
    /units_profile_abbr_parent_uq/.test(message) ||
    /units_profile_abbr_parent_uq/.test(String((error as { cause?: unknown }).cause))
  ) {
    return new ServiceError(
      "conflict",
      "Hai đơn vị cùng cấp có cùng ky_hieu trong một hồ sơ. Hãy sửa ky_hieu cho khác nhau rồi nhập lại; chưa có gì được ghi.",
    );
  }
  if (isAddressTaken(error)) {
    return new ServiceError(
      "conflict",
      "Một địa chỉ thư vừa bị người khác dùng trong lúc nhập. Chưa có gì được ghi; hãy chạy lại lệnh nhập.",
    );
  }
  return error;
}
