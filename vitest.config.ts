import { defineConfig } from "vitest/config";

/**
 * Files that change process-wide state on purpose and leave it changed: `--profile-file` and
 * `registerProfile` add a profile to the one registry (a CLI process lives for one command).
 * They get a fresh process each; everything else shares its worker's modules.
 */
// (Each project lists its own files: with `extends`, an `include` at the root would be added to both.)
const ISOLATED = ["test/cli/cli.test.ts", "test/policy/profiles.test.ts"];

export default defineConfig({
  test: {
    // PGlite boots slowly on 2 cores; give database tests room, but keep the suite bounded.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["test/**/*.test.ts"],
          exclude: ISOLATED,
          // One process per worker for many files: PGlite's WebAssembly is compiled once per
          // worker instead of once per file (~3 s of CPU each), and src/ is imported once.
          // Tests close what they open and never rely on a fresh module state.
          isolate: false,
          // One migrated PostgreSQL template per run, copied by each test database (TEST_DATABASE_URL).
          // Here only: a root globalSetup runs once per project.
          globalSetup: ["test/global-setup.ts"],
        },
      },
      { extends: true, test: { name: "isolated", include: ISOLATED, isolate: true } },
    ],
  },
});
