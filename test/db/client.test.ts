import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { databaseTargetOf, parseConfig } from "../../src/config.ts";
import { DEFAULT_PGLITE_DIR, redactUrl } from "../../src/db/client.ts";
import { isAddressTaken, pgErrorInfo } from "../../src/db/errors.ts";

describe("databaseTargetOf", () => {
  const target = (env: Record<string, string>) => databaseTargetOf(parseConfig(env));
  it("uses PGlite in ./data/pglite without DATABASE_URL, and postgres.js with it", () => {
    expect(target({})).toEqual({ dataDir: join(DEFAULT_PGLITE_DIR) });
    expect(target({ DATABASE_URL: "", PGLITE_DIR: "/var/lib/mailbot" })).toEqual({
      dataDir: "/var/lib/mailbot",
    });
    expect(target({ DATABASE_URL: "postgres://u:p@db:5432/mailbot" })).toEqual({
      url: "postgres://u:p@db:5432/mailbot",
    });
  });

  it("follows DATA_DIR like `npm start` does, so the CLI and the bot open one database", () => {
    expect(target({ DATA_DIR: "/srv/mailbot" })).toEqual({ dataDir: "/srv/mailbot/pglite" });
    expect(target({ DATA_DIR: "/srv/mailbot", PGLITE_DIR: "/elsewhere" })).toEqual({
      dataDir: "/elsewhere",
    });
  });

  it("rejects a DATABASE_URL that is not a postgres URL, naming the variable", () => {
    expect(() => target({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: .*postgres/);
  });
});

describe("errors", () => {
  it("finds the PostgreSQL error through Drizzle's wrapper, whatever the driver's field names", () => {
    const pglite = Object.assign(new Error("dup"), {
      code: "23505",
      constraint: "address_claims_address_lower_uq",
    });
    const postgresJs = Object.assign(new Error("dup"), {
      code: "23505",
      constraint_name: "mailboxes_address_lower_uq",
    });
    expect(isAddressTaken(new Error("Failed query", { cause: pglite }))).toBe(true);
    expect(isAddressTaken(new Error("Failed query", { cause: postgresJs }))).toBe(true);
    expect(pgErrorInfo(Object.assign(new Error("io"), { code: "ECONNREFUSED" }))).toBeUndefined();
    expect(pgErrorInfo(Object.assign(new Error("io"), { code: "EPERM" }))).toBeUndefined();
  });

  it("never shows the password of a URL", () => {
    expect(redactUrl("postgres://mailbot:secret@db:5432/mailbot")).not.toContain("secret");
  });
});
