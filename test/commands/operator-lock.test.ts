/**
 * Issue 12, the operator's security lock as the owner and the support desk meet it, through the
 * real bot: /trangthai shows it with its reason, /khoiphuc does not lift it (said at once), a
 * restore request opened before the lock cannot be approved, and `unlock` reopens the mailbox.
 * The lock itself goes through the service the CLI's `mailbox lock` calls (test/cli/operator-cli).
 */
import { expect, it } from "vitest";
import { describeEachDb } from "../helpers/db.ts";
import { CLI } from "../../src/services/types.ts";
import { makeWorld, TG } from "./world.ts";

describeEachDb(
  "an operator's security lock in the chat",
  (getDb) => {
    it(
      "/trangthai shows it; /khoiphuc and an earlier restore request cannot lift it; unlock does",
      { timeout: 120_000 },
      async () => {
        const w = await makeWorld(getDb());
        const { h, users, services } = w;
        const chat = h.privateChat(users.staff);
        // A restore request for the inactivity lock, opened before the operator steps in.
        const request = await services.requests.createKhoiphuc(
          { address: "nguyenvanan@phuyen.gov.vn" },
          { kind: "staff", staffId: w.staffIds.staff },
        );
        await services.mailboxes.securityLock(
          { address: "nguyenvanan@phuyen.gov.vn", kind: "compromised", reason: "Gửi thư rác lúc 02:00" },
          CLI,
        );

        await h.command(users.staff, chat, "trangthai");
        expect(h.lastReply(TG.staff)).toContain(
          "nguyenvanan@phuyen.gov.vn (cá nhân): đang bị quản trị hệ thống khóa từ 02/11/2026 (nghi bị lộ mật khẩu hoặc bị chiếm quyền); lý do: Gửi thư rác lúc 02:00; chỉ quản trị hệ thống mở khóa được (không qua /khoiphuc)",
        );

        await services.requests.take(request.id, { kind: "staff", staffId: w.staffIds.support });
        await expect(
          services.requests.approve(request.id, { kind: "staff", staffId: w.staffIds.support }),
        ).rejects.toThrow("đang bị quản trị hệ thống khóa vì lý do an ninh");
        await services.requests.reject(request.id, "Hộp thư bị khóa an ninh", {
          kind: "staff",
          staffId: w.staffIds.support,
        });

        h.clearCalls();
        await h.command(users.staff, chat, "khoiphuc", "nguyenvanan@phuyen.gov.vn");
        expect(h.lastReply(TG.staff)).toBe(
          "Hộp thư nguyenvanan@phuyen.gov.vn đang bị quản trị hệ thống khóa vì lý do an ninh nên không khôi phục qua yêu cầu được; chỉ quản trị hệ thống mở khóa. Hãy liên hệ bộ phận hỗ trợ.",
        );
        expect(h.lastKeyboardMessage(TG.staff)).toBeUndefined();

        const lifted = await services.mailboxes.securityUnlock({ address: "nguyenvanan@phuyen.gov.vn" }, CLI);
        expect(lifted).toMatchObject({ changed: true, from: "locked", mailbox: { status: "active" } });
        await h.command(users.staff, chat, "trangthai");
        expect(h.lastReply(TG.staff)).toContain("nguyenvanan@phuyen.gov.vn (cá nhân): đang hoạt động");
      },
    );
  },
  { resetEach: true },
);
