/**
 * An exclusive lock file for a PGlite data folder. PGlite is an in-process PostgreSQL: two
 * processes opening one folder both believe they own it and corrupt it silently, so the second
 * one must be refused before it boots.
 *
 * The lock is a lease, so it dies with its holder: the file holds `{ pid, hostname, startedAt }`
 * and the holder touches its mtime every `intervalMs` while it runs. A later start takes the
 * lock over when
 *   - the holder is this very process's pid on this host but not a lock this process holds (a
 *     container restarted as PID 1: the old holder is us, before the restart), or
 *   - the holder's pid no longer runs on this host, or
 *   - the lease has not been refreshed for `staleAfterMs` (a holder on another host, or a new
 *     container with a new hostname: its pid cannot be checked, its heartbeat can).
 * Otherwise the start is refused with a message saying who holds it and since when.
 * Creation is O_EXCL and takeover a rename (both atomic), so two starts cannot both win.
 */
import {
  closeSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";

/** How often the holder refreshes its lease. */
export const LEASE_INTERVAL_MS = 5_000;
/**
 * A lease not refreshed for this long belongs to a dead holder (24 missed heartbeats). Generous on
 * purpose: PGlite's boot and long statements can block the event loop (and the heartbeat) for
 * tens of seconds on a loaded machine, and taking over a live holder corrupts the data folder.
 */
export const LEASE_STALE_MS = 24 * LEASE_INTERVAL_MS;

const LockContent = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  startedAt: z.string(),
});
type LockContent = z.infer<typeof LockContent>;

export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
  constructor(
    readonly lockPath: string,
    readonly holder: LockContent | undefined,
    /** Seconds until the lease counts as stale if its holder stops refreshing it. */
    readonly staleInSeconds?: number,
  ) {
    const who = holder
      ? `tiến trình pid ${holder.pid} trên máy ${holder.hostname} (từ ${holder.startedAt}) / process pid ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})`
      : "một tiến trình khác / another process";
    const wait =
      staleInSeconds === undefined
        ? ""
        : ` Tiến trình đó vẫn đang gia hạn khóa; nếu nó đã dừng, khóa được tiếp quản sau ${staleInSeconds} giây nữa. / Its lease is live; if it has stopped, the lock is taken over in ${staleInSeconds} s.`;
    super(
      `Thư mục dữ liệu PGlite đang được ${who} sử dụng.${wait} Hãy dừng tiến trình đó, hoặc đặt DATABASE_URL để dùng máy chủ PostgreSQL. ` +
        `Nếu chắc chắn không còn tiến trình nào, xóa tệp khóa ${lockPath}.\n` +
        `The PGlite data directory is in use by ${who}. Stop that process, or set DATABASE_URL to use a PostgreSQL server. ` +
        `If you are sure nothing uses it, delete the lock file ${lockPath}.`,
    );
  }
}

export interface LockHandle {
  readonly path: string;
  /** Refreshes the lease now (e.g. after a long synchronous step such as PGlite's boot). */
  refresh(): void;
  release(): void;
}

export interface LockOptions {
  intervalMs?: number;
  staleAfterMs?: number;
  /** Clock and identity, for tests. */
  now?: () => number;
  pid?: number;
  hostname?: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; only ESRCH means it is gone.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function readLock(path: string): LockContent | undefined {
  try {
    const parsed = LockContent.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds since the lease was last refreshed; undefined when the file is gone. */
function leaseAge(path: string, now: number): number | undefined {
  try {
    return now - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function tryCreate(path: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(content));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Lock files this process holds: our own pid in a file we do not hold is a previous life (PID 1). */
const heldHere = new Set<string>();

const sameHolder = (a: LockContent | undefined, b: LockContent) =>
  a !== undefined && a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;

/** Takes the lock at `path` or throws `DataDirLockedError`. */
export function acquireLockFile(path: string, options: LockOptions = {}): LockHandle {
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? LEASE_STALE_MS;
  const mine: LockContent = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? hostname(),
    startedAt: new Date(now()).toISOString(),
  };

  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, mine)) return handleFor(path, mine, options.intervalMs ?? LEASE_INTERVAL_MS);

    const holder = readLock(path);
    const age = leaseAge(path, now());
    if (age === undefined) continue; // released meanwhile: try again
    const sameHost = holder !== undefined && holder.hostname === mine.hostname;
    // A lock this process holds is live whatever its mtime says (our event loop may have been busy).
    const stale =
      !heldHere.has(path) &&
      (age > staleAfterMs ||
        (holder !== undefined && sameHost && (holder.pid === mine.pid || !isAlive(holder.pid))));
    // Unreadable content with a fresh mtime may be a lock being written right now: held.
    if (!stale)
      throw new DataDirLockedError(path, holder, Math.max(1, Math.ceil((staleAfterMs - age) / 1000)));

    // Move the stale file aside with a rename (atomic) instead of unlinking it: if another
    // process took it over first, the renamed file is its fresh lock and we put it back.
    const aside = `${path}.stale-${mine.pid}-${Date.now()}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const moved = readLock(aside);
    if (holder === undefined ? moved === undefined : sameHolder(moved, holder)) {
      unlinkSync(aside);
    } else {
      // Someone else's fresh lock: restore it and give up.
      renameSync(aside, path);
      throw new DataDirLockedError(path, moved);
    }
  }
  throw new DataDirLockedError(path, readLock(path));
}

function handleFor(path: string, mine: LockContent, intervalMs: number): LockHandle {
  let released = false;
  heldHere.add(path);
  // The heartbeat: refresh the lease while the file is still ours. If it is not (an operator
  // removed it, or the event loop was blocked past the stale limit and someone took over),
  // stop touching it rather than refresh another process's lease.
  const refresh = () => {
    if (released || !sameHolder(readLock(path), mine)) {
      clearInterval(heartbeat);
      return;
    }
    try {
      const t = new Date();
      utimesSync(path, t, t);
    } catch {
      clearInterval(heartbeat);
    }
  };
  const heartbeat = setInterval(refresh, intervalMs);
  heartbeat.unref();
  const release = () => {
    if (released) return;
    released = true;
    heldHere.delete(path);
    clearInterval(heartbeat);
    process.off("exit", release);
    // Never delete a lock that is no longer ours (e.g. an operator removed it by hand).
    if (sameHolder(readLock(path), mine)) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  };
  // A normal exit without close() still releases; a crash leaves a lease that stops being
  // refreshed, which the next start takes over.
  process.on("exit", release);
  return { path, refresh, release };
}
