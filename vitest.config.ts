import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that change process-wide state on purpose and leave it changed: `--profile-file` and
 * `registerProfile` add a profile to the one registry (a CLI process lives for one command).
 * They get a fresh process each; everything else shares its worker's modules.
 */
// (Each project lists its own files: with `extends`, an `include` at the root would be added to both.)
const ISOLATED = ["test/cli/cli.test.ts", "test/policy/profiles.test.ts"];

/**
 * Files that run real processes (HAProxy and three bots, `npm start`, lock holders, CLI walks):
 * seconds each, so they go first and the workers end together. Vitest orders by the durations
 * it cached on the last run, but a fresh clone (CI) has none and would order by file size.
 */
const SLOW_FIRST = [
  "test/http/haproxy.test.ts",
  "test/bot/process.test.ts",
  "test/http/db-outage.test.ts",
  "test/cli/operator-cli.test.ts",
  "test/cli/store-cli.test.ts",
  "test/db/lock-file.test.ts",
  "test/bot/start-build.test.ts",
  "test/commands/role-matrix.test.ts",
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = SLOW_FIRST.findIndex((path) => file.moduleId.endsWith(path));
      return at === -1 ? SLOW_FIRST.length : at;
    };
    return sorted
      .map((file, order) => ({ file, order }))
      .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
      .map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    // PGlite boots slowly on 2 cores; give database tests room, but keep the suite bounded.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Three on 2 cores: much of the suite waits on child processes and PostgreSQL, not the CPU
    // (measured: 81 s against 94 s with two, quiet; beside four `yes` loops, still no failure).
    maxWorkers: 3,
    sequence: { sequencer: SlowFirst },
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
