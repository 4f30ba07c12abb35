/**
 * One import in a fresh process, for bench/import.bench.ts: writes a staff file of ROWS rows to a
 * temporary folder (streamed), imports it from the file with --issue-mailboxes semantics into the
 * PostgreSQL database at URL, the issued addresses written to a file as they are issued (as
 * `import staff` does), and prints one JSON line: the process's peak RSS before and after
 * the import, the file size and the import time. ROWS = 0 measures the process without an import.
 *
 *   node --import tsx bench/import-memory-child.ts URL ROWS
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/client.ts";
import { importStaff, importUnits, openImportFile } from "../src/services/import/index.ts";
import { staffLines, unitsCsv } from "./import-data.ts";

const maxRssMb = () => (process.resourceUsage().maxRSS * 1024) / 1048576;

async function main(): Promise<void> {
  const [url, rowsArg] = process.argv.slice(2);
  const rows = Number(rowsArg);
  if (!url || !Number.isInteger(rows) || rows < 0) throw new Error("usage: URL ROWS");
  const dir = mkdtempSync(join(tmpdir(), "mailbot-import-bench-"));
  const database = await openDatabase({ url });
  try {
    const file = join(dir, "canbo.csv");
    const out = createWriteStream(file);
    for (const chunk of staffLines(rows)) if (!out.write(chunk)) await once(out, "drain");
    out.end();
    await once(out, "close");
    await importUnits(database, unitsCsv());
    global.gc?.();
    const before = maxRssMb();
    const started = performance.now();
    const issuedOut = createWriteStream(join(dir, "issued.txt"));
    const report =
      rows > 0
        ? await importStaff(database, await openImportFile(file), {
            issueMailboxes: true,
            onIssued: (a) => issuedOut.write(`${a.fullName} (mã ${a.code}, dòng ${a.line}) → ${a.address}\n`),
          })
        : null;
    issuedOut.end();
    await once(issuedOut, "close");
    const seconds = (performance.now() - started) / 1000;
    if (report && (report.errorCount > 0 || report.created !== rows))
      throw new Error(`import: ${report.errorCount} errors, ${report.created} created`);
    process.stdout.write(
      `${JSON.stringify({ rows, bytes: statSync(file).size, seconds, rssBeforeMb: before, peakRssMb: maxRssMb() })}\n`,
    );
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
