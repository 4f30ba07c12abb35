/** The local part of an address: RFC 5321 and our house style. */
import { type Result, err, ok } from "../../lib/result.ts";
import { type AddressError, MAX_LOCAL_PART } from "./types.ts";

// ---------------------------------------------------------------------------------------------
// Local part validation
// ---------------------------------------------------------------------------------------------

export function isLocalChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f;
}

/** RFC 5321 and our house style: 1–64 octets of [a-z0-9._], no leading, trailing or double dot. */
export function validateLocalPart(localPart: string): Result<string, AddressError> {
  if (localPart.length === 0) {
    return err({ code: "invalid_abbr", message: "Phần tên trước @ đang trống. Hãy nhập tên hộp thư." });
  }
  if (localPart.length > MAX_LOCAL_PART) {
    return err({
      code: "too_long",
      message: `Phần tên trước @ dài ${localPart.length} ký tự, vượt quá ${MAX_LOCAL_PART} ký tự cho phép (RFC 5321). Hãy chọn tên ngắn hơn.`,
    });
  }
  for (let i = 0; i < localPart.length; i++) {
    if (!isLocalChar(localPart.charCodeAt(i))) {
      return err({
        code: "invalid_abbr",
        message: `Phần tên trước @ “${localPart}” có ký tự không hợp lệ “${localPart[i]}”. Chỉ dùng chữ thường không dấu a–z, chữ số, dấu chấm và gạch dưới.`,
      });
    }
  }
  if (localPart.startsWith(".") || localPart.endsWith(".") || localPart.includes("..")) {
    return err({
      code: "invalid_abbr",
      message: `Phần tên trước @ “${localPart}” không được bắt đầu, kết thúc bằng dấu chấm hoặc có hai dấu chấm liền nhau.`,
    });
  }
  return ok(localPart);
}

export function isValidLocalPart(localPart: string): boolean {
  if (localPart.length === 0 || localPart.length > MAX_LOCAL_PART) return false;
  for (let i = 0; i < localPart.length; i++) if (!isLocalChar(localPart.charCodeAt(i))) return false;
  return !(localPart.startsWith(".") || localPart.endsWith(".") || localPart.includes(".."));
}
