import { describe, expect, it } from "vitest";
import { needsAnswer, senderAddress } from "../../src/policy/tracking.ts";

const unit = { address: "vanthu@mic.gov.vn", kind: "unit" };
const plain = { from: "Văn thư UBND <vanthu@phuyen.gov.vn>", autoSubmitted: "", precedence: "", listId: "" };

describe("needsAnswer", () => {
  it("tracks official mail from another .gov.vn domain to a unit mailbox", () => {
    expect(needsAnswer(plain, unit)).toBe(true);
  });
  it("ignores auto-replies, bulk and list mail, bounces, internal and outside mail, personal mailboxes", () => {
    expect(needsAnswer({ ...plain, autoSubmitted: "auto-replied" }, unit)).toBe(false);
    expect(needsAnswer({ ...plain, autoSubmitted: "no" }, unit)).toBe(true);
    expect(needsAnswer({ ...plain, precedence: "bulk" }, unit)).toBe(false);
    expect(needsAnswer({ ...plain, listId: "<tin.phuyen.gov.vn>" }, unit)).toBe(false);
    expect(needsAnswer({ ...plain, from: "MAILER-DAEMON@phuyen.gov.vn" }, unit)).toBe(false);
    expect(needsAnswer({ ...plain, from: "a@mic.gov.vn" }, unit)).toBe(false);
    expect(needsAnswer({ ...plain, from: "a@gmail.com" }, unit)).toBe(false);
    expect(needsAnswer(plain, { ...unit, kind: "personal" })).toBe(false);
  });
  it("reads the address out of a From header", () => {
    expect(senderAddress('"Sở TT&TT" <VT@PhuYen.gov.vn>')).toBe("vt@phuyen.gov.vn");
    expect(senderAddress("vt@phuyen.gov.vn")).toBe("vt@phuyen.gov.vn");
    expect(senderAddress("không có địa chỉ")).toBeNull();
  });
});
