// Keeper handover through the CLI (mic Điều 12.3d, binhtan Điều 7.3b, ninhbinh Điều 8.3): `leaver`
// lists the unit mailboxes the person kept, `keeper` names the new keeper. In-process, on one
// embedded PGlite folder with the demo directory (Phú Yên); the steps share it, so they run in order.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliInProcess, type Run } from "../helpers/cli.ts";
import { seedPgliteDir } from "../helpers/db.ts";

let dir = "";
const cli = (args: string[]): Promise<Run> =>
  runCliInProcess(args, { env: { PGLITE_DIR: join(dir, "pglite") } });
const json = (r: Run): Record<string, unknown> => JSON.parse(r.stdout) as Record<string, unknown>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mailbot-keeper-cli-"));
  await seedPgliteDir(join(dir, "pglite"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("mailbot leaver / keeper", { timeout: 180_000 }, () => {
  it("the clerk keeping stttt@ and ttcntt.stttt@ leaves: both are listed for handover", async () => {
    expect((await cli(["seed", "demo", "--json"])).code).toBe(0);
    const r = await cli(["leaver", "--staff", "stttt@phuyen.gov.vn", "--left", "2099-12-01", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).keeperOf).toEqual(["stttt@phuyen.gov.vn", "ttcntt.stttt@phuyen.gov.vn"]);
  });

  it("keeper names a new keeper once; a personal mailbox or a leaver is refused", async () => {
    const named = await cli(["keeper", "--mailbox", "stttt@phuyen.gov.vn", "--staff", "1", "--json"]);
    expect(named.code, named.stderr).toBe(0);
    expect(json(named)).toMatchObject({ changed: true, mailbox: "stttt@phuyen.gov.vn", staffId: 1 });
    const again = await cli(["keeper", "--mailbox", "stttt@phuyen.gov.vn", "--staff", "1"]);
    expect(again.stdout).toContain("đã quản lý hộp thư stttt@phuyen.gov.vn: không thay đổi");
    const personal = await cli(["keeper", "--mailbox", "tranquocbao@phuyen.gov.vn", "--staff", "1"]);
    expect(personal.code).toBe(1);
    expect(personal.stdout + personal.stderr).toContain("là hộp thư cá nhân");
    const leaver = await cli(["keeper", "--mailbox", "ttcntt.stttt@phuyen.gov.vn", "--staff", "9"]);
    expect(leaver.code).toBe(1);
    expect(leaver.stdout + leaver.stderr).toContain("không còn công tác");
    // The leaver recorded again: only the mailbox still waiting is listed.
    const retry = await cli(["leaver", "--staff", "9", "--left", "2099-12-01", "--json"]);
    expect(json(retry).keeperOf).toEqual(["ttcntt.stttt@phuyen.gov.vn"]);
  });
});
