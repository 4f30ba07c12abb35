/**
 * `npm run bench [-- FILTER…]`: runs every benchmark in bench/*.bench.ts, prints a table and
 * writes bench/results.json.
 *
 * A benchmark module exports one or more async functions whose names start with `bench`
 * (benchCalendar, benchNaming, …), each returning `{ name, value, unit }[]`. They are called
 * with no arguments, one after another (never in parallel: they would measure each other), and
 * each module runs in a fresh child process, so its memory figures (peak RSS) are its own and not
 * left over from a module that ran before it.
 * FILTER words select modules by file name or export name, case-insensitively:
 * `npm run bench -- naming` runs bench/naming.bench.ts only. Results of modules not run this
 * time are kept from the previous results.json, so a filtered run updates its own rows only.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = join(BENCH_DIR, "results.json");

const benchResults = z.array(z.object({ name: z.string(), value: z.number(), unit: z.string() }));

const resultRow = z.object({
  module: z.string(),
  bench: z.string(),
  name: z.string(),
  value: z.number(),
  unit: z.string(),
});
type ResultRow = z.infer<typeof resultRow>;

const resultsFile = z.object({ rows: z.array(resultRow) }).passthrough();

async function previousRows(): Promise<ResultRow[]> {
  try {
    const parsed = resultsFile.safeParse(JSON.parse(await readFile(RESULTS_FILE, "utf8")));
    return parsed.success ? parsed.data.rows : [];
  } catch {
    return [];
  }
}

function formatValue(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString("en-US");
  return value.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

function printTable(rows: readonly ResultRow[]): void {
  const table = rows.map((r) => [r.module, r.name, formatValue(r.value), r.unit]);
  const header = ["module", "benchmark", "value", "unit"];
  const widths = header.map((h, i) =>
    table.reduce((w, row) => Math.max(w, (row[i] as string).length), h.length),
  );
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of table) console.log(line(row));
}

const CHILD_FLAG = "--child";

function isSelected(filters: readonly string[], module: string, exportName: string): boolean {
  return (
    filters.length === 0 ||
    filters.some((f) => module.toLowerCase().includes(f) || exportName.toLowerCase().includes(f))
  );
}

/** In the child: run the selected benches of one module, print their rows as one JSON line. */
async function runModuleHere(file: string, filters: readonly string[]): Promise<number> {
  const module = basename(file, ".bench.ts");
  const exports = (await import(pathToFileURL(join(BENCH_DIR, file)).href)) as Record<string, unknown>;
  const benches = Object.entries(exports).filter(
    (entry): entry is [string, () => Promise<unknown>] =>
      /^bench[A-Z0-9_]/.test(entry[0]) && typeof entry[1] === "function",
  );
  const rows: ResultRow[] = [];
  let failures = 0;
  for (const [exportName, fn] of benches) {
    if (!isSelected(filters, module, exportName)) continue;
    console.error(`▶ ${module}.${exportName} …`);
    const started = performance.now();
    try {
      const parsed = benchResults.safeParse(await fn());
      if (!parsed.success) {
        console.error(`  ${exportName} returned something other than {name, value, unit}[]: skipped.`);
        failures += 1;
        continue;
      }
      rows.push(...parsed.data.map((r) => ({ module, bench: exportName, ...r })));
      console.error(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      console.error(`  ${exportName} failed:`, error);
      failures += 1;
    }
  }
  process.stdout.write(`${JSON.stringify({ rows, failures })}\n`);
  return 0;
}

/** In the parent: run one module in a fresh process and collect its rows. */
function runModuleInChild(
  file: string,
  filters: readonly string[],
): Promise<{ rows: ResultRow[]; failures: number }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      // --expose-gc: memory benchmarks collect garbage before they measure a baseline.
      ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), CHILD_FLAG, file, ...filters],
      { stdio: ["ignore", "pipe", "inherit"], env: process.env },
    );
    let out = "";
    child.stdout.on("data", (d) => (out += String(d)));
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      const parsed = z.object({ rows: z.array(resultRow), failures: z.number() }).safeParse(
        (() => {
          try {
            return JSON.parse(last) as unknown;
          } catch {
            return null;
          }
        })(),
      );
      if (!parsed.success || code !== 0) {
        console.error(`  ${file}: the benchmark process failed (exit ${code}).`);
        resolve({ rows: [], failures: 1 });
        return;
      }
      resolve(parsed.data);
    });
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === CHILD_FLAG) {
    return runModuleHere(args[1] ?? "", args.slice(2));
  }
  const filters = args.map((f) => f.toLowerCase());
  const files = (await readdir(BENCH_DIR)).filter((f) => f.endsWith(".bench.ts")).sort();
  const rows: ResultRow[] = [];
  const ran = new Set<string>();
  let failures = 0;

  for (const file of files) {
    const module = basename(file, ".bench.ts");
    // Cheap pre-selection by file name; export names are checked in the child.
    const source = await readFile(join(BENCH_DIR, file), "utf8");
    const exportNames = [...source.matchAll(/export\s+(?:async\s+)?function\s+(bench\w*)/g)].map(
      (m) => m[1] ?? "",
    );
    if (!exportNames.some((name) => isSelected(filters, module, name))) continue;
    ran.add(module);
    const result = await runModuleInChild(file, filters);
    rows.push(...result.rows);
    failures += result.failures;
  }

  if (ran.size === 0) {
    console.error(
      `No benchmark matches ${filters.join(" ") || "(none found)"}. Modules: ${files.map((f) => basename(f, ".bench.ts")).join(", ")}.`,
    );
    return 2;
  }

  printTable(rows);
  const kept = (await previousRows()).filter((r) => !ran.has(r.module));
  const cpu = cpus()[0];
  await writeFile(
    RESULTS_FILE,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpu: cpu ? `${cpu.model} ×${cpus().length}` : "unknown",
        rows: [...kept, ...rows],
      },
      null,
      2,
    )}\n`,
  );
  console.error(`Results written to ${RESULTS_FILE}`);
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
