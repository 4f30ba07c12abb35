/**
 * Plain-language messages that clearly ask for one of the commands ("em quên mật khẩu",
 * "hộp thư bị khóa"): the bot names the command instead of "Bot chưa hiểu". Pure.
 */
import { foldWords } from "../lib/fold.ts";

const INTENTS: [RegExp, string][] = [
  [
    /\b(quen|mat) (mat khau|mk|pass(word)?)\b|\bquenmk\b/,
    "Nếu quên mật khẩu, gõ /doimk quenmk để đề nghị cấp lại mật khẩu tạm (bộ phận hỗ trợ sẽ gửi riêng cho anh/chị).",
  ],
  [
    /\b(bi |dang bi )?(khoa|tam khoa|dinh chi)\b.*\b(hop thu|mail|email|tai khoan)\b|\b(hop thu|mail|email|tai khoan)\b.*\b(bi )?(khoa|dinh chi)\b|\b(mo khoa|khoi phuc)\b/,
    "Nếu hộp thư bị khóa, gõ /khoiphuc để xem hộp thư đang bị khóa của anh/chị và gửi yêu cầu khôi phục.",
  ],
  [
    /\b(doi|thay) (mat khau|mk|pass(word)?)\b/,
    "Để đổi mật khẩu, gõ /doimk trong chat riêng với bot rồi gửi mật khẩu mới ở tin nhắn tiếp theo.",
  ],
  [
    /\b(cap( moi)?|tao|xin|dang ky|mo)( moi)? (hop thu|mail|email|tai khoan)\b/,
    "Để đề nghị cấp hộp thư mới, gõ /capmoi (bot sẽ hỏi từng bước).",
  ],
  [
    /\b(trang thai|tinh trang|yeu cau (cua )?(em|toi|minh))\b/,
    "Để xem tình trạng hộp thư và yêu cầu của anh/chị, gõ /trangthai.",
  ],
];

/** The command a plain message asks for, as a sentence; null when none is clear. */
export function suggestCommand(text: string): string | null {
  const folded = foldWords(text);
  if (!folded || folded.startsWith("/")) return null;
  for (const [pattern, answer] of INTENTS) if (pattern.test(folded)) return answer;
  return null;
}
