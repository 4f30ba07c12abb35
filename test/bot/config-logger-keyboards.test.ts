import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseConfig } from "../../src/config.ts";
import {
  formatDeadline,
  formatRequestNo,
  formatWorkingDaysLeft,
  REQUEST_KIND_NAMES,
} from "../../src/bot/i18n.ts";
import { defineCallback, flowButton, requestButton } from "../../src/bot/keyboards.ts";
import { createLogger } from "../../src/logger.ts";

describe("config", () => {
  it("defaults from an empty environment", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      telegramBotToken: undefined,
      botMode: "polling",
      port: 8080,
      dataDir: "./data",
      defaultProfile: "phuyen",
      passwordMessageTtlMinutes: 10,
      flowTimeoutMinutes: 15,
      logLevel: "info",
    });
  });

  it("lists every bad variable at once", () => {
    let error: unknown;
    try {
      parseConfig({
        TELEGRAM_BOT_TOKEN: "nope",
        PORT: "eighty",
        BOT_MODE: "carrier-pigeon",
        SUPPORT_CHAT_ID: "group",
        FLOW_TIMEOUT_MINUTES: "0",
        CULTURE_DAY_FROM: "24/11/2027",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual([
      "BOT_MODE",
      "CULTURE_DAY_FROM",
      "FLOW_TIMEOUT_MINUTES",
      "PORT",
      "SUPPORT_CHAT_ID",
      "TELEGRAM_BOT_TOKEN",
    ]);
    expect((error as ConfigError).message).toContain("PORT");
  });

  it("INSTANCE_ID names this instance's reminder claims; a name with spaces is refused", () => {
    expect(parseConfig({}).instanceId).toBeUndefined();
    expect(parseConfig({ INSTANCE_ID: " bot-2.hn " }).instanceId).toBe("bot-2.hn");
    expect(() => parseConfig({ INSTANCE_ID: "bot 2" })).toThrow(/INSTANCE_ID/);
  });

  it("UPDATE_CLAIM_LEASE_SECONDS: 20 by default, whole seconds from 1 to 3600", () => {
    expect(parseConfig({}).updateClaimLeaseSeconds).toBe(20);
    expect(parseConfig({ UPDATE_CLAIM_LEASE_SECONDS: "45" }).updateClaimLeaseSeconds).toBe(45);
    for (const bad of ["0", "2.5", "soon", "3601"]) {
      expect(() => parseConfig({ UPDATE_CLAIM_LEASE_SECONDS: bad })).toThrow(/UPDATE_CLAIM_LEASE_SECONDS/);
    }
  });

  it("DATABASE_PREPARED_STATEMENTS: on by default, off for a pooler in transaction mode", () => {
    expect(parseConfig({}).preparedStatements).toBe(true);
    expect(parseConfig({ DATABASE_PREPARED_STATEMENTS: " OFF " }).preparedStatements).toBe(false);
    expect(() => parseConfig({ DATABASE_PREPARED_STATEMENTS: "no" })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET", () => {
    expect(() =>
      parseConfig({ TELEGRAM_BOT_TOKEN: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", BOT_MODE: "webhook" }),
    ).toThrow(/WEBHOOK_URL[\s\S]*WEBHOOK_SECRET/);
  });

  it("the mail-server variables are part of the one configuration: a bad one stops every entry point", () => {
    expect(parseConfig({}).mailserver.kind).toBe("none");
    expect(() => parseConfig({ MAILSERVER: "exim", PORT: "eighty" })).toThrow(
      /MAILSERVER[\s\S]*PORT|PORT[\s\S]*MAILSERVER/,
    );
    // MAILSERVER=dovecot on the embedded database, without the doveadm API: each variable named.
    let error: unknown;
    try {
      parseConfig({ MAILSERVER: "dovecot" });
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      "DATABASE_URL",
      "DOVEADM_API_KEY",
      "DOVEADM_API_URL",
    ]);
  });
});

describe("logger redaction", () => {
  it("never writes passwords, tokens or message text, at any depth or inside errors", () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      destination: new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    });
    const secret = "S3cret!Pass";
    logger.info({
      password: secret,
      input: { newPassword: secret },
      deep: { a: { b: { temporaryPassword: secret } } },
    });
    logger.info({ update: { message: { text: secret } } }, "update");
    const error = Object.assign(new Error("Call to 'sendMessage' failed"), {
      payload: { chat_id: 1, text: secret },
    });
    logger.error({ err: error }, "send failed");
    logger.info({ token: "123:ABC", authorization: "Bearer x" });
    const all = lines.join("");
    expect(all).not.toContain(secret);
    expect(all).not.toContain("123:ABC");
    expect(all).toContain("[redacted]");
    expect(all).toContain("Call to 'sendMessage' failed");
  });
});

describe("i18n formatters", () => {
  it("dates, working days, numbers, kinds", () => {
    // 10:00 UTC = 17:00 in Vietnam, Thursday 26/11/2026.
    expect(formatDeadline(new Date("2026-11-26T10:00:00Z"))).toBe("17:00 thứ Năm 26/11/2026");
    expect(formatDeadline(new Date("2026-11-29T03:00:00Z"))).toBe("10:00 Chủ nhật 29/11/2026");
    expect(formatWorkingDaysLeft(3)).toBe("còn 3 ngày làm việc");
    expect(formatWorkingDaysLeft(-1)).toBe("quá hạn 1 ngày làm việc");
    expect(formatRequestNo(1042)).toBe("#1042");
    expect(REQUEST_KIND_NAMES.doimk).toBe("Cấp lại mật khẩu");
  });
});

describe("callback data", () => {
  it("round-trips and rejects other versions, bad fields and other namespaces", () => {
    expect(requestButton.encode("approve", 1042)).toBe("rq:1:approve:1042");
    expect(requestButton.decode("rq:1:approve:1042")).toEqual({ ok: true, args: ["approve", 1042] });
    expect(requestButton.decode("rq:2:approve:1042")).toEqual({ ok: false, reason: "stale" });
    expect(requestButton.decode("rq:1:approve:-5")).toEqual({ ok: false, reason: "stale" });
    expect(requestButton.decode("fl:1:abcd:1:x")).toEqual({ ok: false, reason: "other" });
    expect(flowButton.decode(flowButton.encode("abcd1234", 3, "yes"))).toEqual({
      ok: true,
      args: ["abcd1234", 3, "yes"],
    });
  });

  it("refuses to build data over 64 bytes or with separators", () => {
    const wide = defineCallback("w", 1, [z.string()]);
    expect(() => wide.encode("a:b")).toThrow();
    expect(() => wide.encode("x".repeat(70))).toThrow();
  });
});
