import { describe, expect, it } from "vitest";
import { testDatabases } from "../helpers/db.ts";

describe("testDatabases", () => {
  it("always includes PGlite, and PostgreSQL when TEST_DATABASE_URL is set", () => {
    expect(testDatabases({})).toEqual(["pglite"]);
    expect(testDatabases({ TEST_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/postgres" })).toEqual([
      "pglite",
      "postgres",
    ]);
  });

  it("fails instead of skipping when REQUIRE_POSTGRES=true and no server is configured", () => {
    expect(() => testDatabases({ REQUIRE_POSTGRES: "true" })).toThrow(/REQUIRE_POSTGRES/);
    expect(() => testDatabases({ REQUIRE_POSTGRES: "true", TEST_DATABASE_URL: " " })).toThrow(
      /REQUIRE_POSTGRES/,
    );
  });
});
