/**
 * Booting the embedded database (PGlite) under its lock, apart from Drizzle and the schema:
 * `npm start` begins the boot before it loads the rest of the program, because most of the boot
 * (reading and compiling PGlite's WebAssembly, tens of MB) leaves the thread free for that
 * loading. client.ts wraps the booted client in Drizzle.
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { acquireLockFile, type LockHandle } from "./lock-file.ts";

export const DEFAULT_PGLITE_DIR = "./data/pglite";

export interface PgliteBootOptions {
  /** PGlite data folder (default `./data/pglite`), locked against a second process. */
  dataDir?: string;
  /** Keep everything in memory (tests, `--dry-run`); no folder, no lock. */
  inMemory?: boolean;
  /** Start from a `dumpDataDir()` tarball (the test snapshot). Implies in-memory. */
  loadDataDir?: Blob | File;
}

export interface BootedPglite {
  client: PGlite;
  /** Absolute data folder, or undefined in memory. */
  dataDir: string | undefined;
  lock: LockHandle | undefined;
}

/**
 * PGlite's shared buffers. Its default, 128 MB, is set up (in WebAssembly memory) at every boot:
 * ~0.6 s of CPU on this project's machine before the first query, for an embedded database of a
 * few tens of MB. 32 MB boots in about two thirds of the time and still holds a deployment's hot
 * tables (bench/start.bench.ts measures the start).
 */
const PGLITE_SHARED_BUFFERS = "32MB";

/** Takes the folder's lock at once (a second process fails here), then boots PGlite. */
export function bootPglite(options: PgliteBootOptions): Promise<BootedPglite> {
  const inMemory = options.inMemory === true || options.loadDataDir !== undefined;
  let dataDir: string | undefined;
  let lock: LockHandle | undefined;
  if (!inMemory) {
    dataDir = resolve(options.dataDir ?? DEFAULT_PGLITE_DIR);
    mkdirSync(dirname(dataDir), { recursive: true });
    // Next to the folder, not inside it: PGlite owns the folder's contents.
    lock = acquireLockFile(`${dataDir}.lock`);
  }
  const booting = (async () => {
    try {
      const { PGlite } = await import("@electric-sql/pglite");
      return await PGlite.create({
        ...(dataDir ? { dataDir } : {}),
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
        startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
      });
    } catch (error) {
      lock?.release();
      throw error;
    }
  })();
  return booting.then((client) => {
    // The boot can block the event loop (and the lease's heartbeat) for a while: refresh now.
    lock?.refresh();
    return { client, dataDir, lock };
  });
}
