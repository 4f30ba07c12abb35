/**
 * An exclusive lock file for a PGlite data folder. PGlite is an in-process PostgreSQL: two
 * processes opening one folder both believe they own it and corrupt it silently, so the second
 * one must be refused before it boots.
 *
 * The file holds `{ pid, hostname, startedAt }`. It is created with O_EXCL (atomic); a lock left
 * by a process that no longer runs on this host is taken over. A lock from another host cannot be
 * checked, so it is never taken over automatically.
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";

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
  ) {
    const who = holder
      ? `tiến trình pid ${holder.pid} trên máy ${holder.hostname} (từ ${holder.startedAt}) / process pid ${holder.pid} on ${holder.hostname} (since ${holder.startedAt})`
      : "một tiến trình khác / another process";
    super(
      `Thư mục dữ liệu PGlite đang được ${who} sử dụng. Hãy dừng tiến trình đó, hoặc đặt DATABASE_URL để dùng máy chủ PostgreSQL. ` +
        `Nếu chắc chắn không còn tiến trình nào, xóa tệp khóa ${lockPath}.\n` +
        `The PGlite data directory is in use by ${who}. Stop that process, or set DATABASE_URL to use a PostgreSQL server. ` +
        `If you are sure nothing uses it, delete the lock file ${lockPath}.`,
    );
  }
}

export interface LockHandle {
  readonly path: string;
  release(): void;
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

/** Takes the lock at `path` or throws `DataDirLockedError`. */
export function acquireLockFile(path: string): LockHandle {
  const mine: LockContent = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };

  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path, mine)) return handleFor(path, mine);

    const holder = readLock(path);
    // Unreadable content may be a lock being written right now: treat it as held.
    const stale = holder !== undefined && holder.hostname === mine.hostname && !isAlive(holder.pid);
    if (!stale) throw new DataDirLockedError(path, holder);

    // Move the stale file aside with a rename (atomic) instead of unlinking it: if another
    // process took it over first, the renamed file is its fresh lock and we put it back.
    const aside = `${path}.stale-${process.pid}`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    const moved = readLock(aside);
    if (moved && moved.pid === holder.pid && moved.startedAt === holder.startedAt) {
      unlinkSync(aside);
    } else {
      // Someone else's fresh lock: restore it and give up.
      renameSync(aside, path);
      throw new DataDirLockedError(path, moved);
    }
  }
  throw new DataDirLockedError(path, readLock(path));
}

function handleFor(path: string, mine: LockContent): LockHandle {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    const current = readLock(path);
    // Never delete a lock that is no longer ours (e.g. an operator removed it by hand).
    if (current && current.pid === mine.pid && current.startedAt === mine.startedAt) {
      try {
        unlinkSync(path);
      } catch {
        // Already gone: nothing to release.
      }
    }
  };
  // A normal exit without close() still releases; a crash leaves a stale lock that the next
  // start takes over because our pid is gone.
  process.on("exit", release);
  return { path, release };
}
