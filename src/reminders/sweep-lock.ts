/**
 * One sweep per profile at a time (issue 9.10: two sweeps at once sent some recipients two
 * digests). On a server, session advisory locks on one reserved connection: held for the whole
 * run (claims and delivery), and gone with the connection if the process dies. On PGlite there
 * is one process (the data folder is locked), so an in-process set of held profiles does.
 * A sweep that cannot get a profile's lock skips that profile: the running sweep covers it.
 */
import type { Database } from "../db/client.ts";

/** Advisory lock namespace of the per-profile sweep locks (the second key is hashtext(profile)). */
const SWEEP_LOCK_NAMESPACE = 727_005_002;

export interface SweepLocks {
  /** Takes the profile's lock without waiting; false when another sweep holds it. */
  tryLock(profileId: string): Promise<boolean>;
  /** Releases every lock this run took (idempotent). */
  releaseAll(): Promise<void>;
}

const heldInProcess = new WeakMap<object, Set<string>>();

export function sweepLocks(database: Database): SweepLocks {
  const mine = new Set<string>();
  if (database.driver === "pglite") {
    let held = heldInProcess.get(database.client);
    if (!held) heldInProcess.set(database.client, (held = new Set()));
    const shared = held;
    return {
      async tryLock(profileId) {
        if (shared.has(profileId)) return false;
        shared.add(profileId);
        mine.add(profileId);
        return true;
      },
      async releaseAll() {
        for (const profileId of mine) shared.delete(profileId);
        mine.clear();
      },
    };
  }
  // One connection for all the run's locks, reserved at the first one (not one per profile:
  // the pool must keep connections for the sweep's own statements).
  let connection: Awaited<ReturnType<typeof database.client.reserve>> | null = null;
  return {
    async tryLock(profileId) {
      connection ??= await database.client.reserve();
      const [row] = await connection<{ ok: boolean }[]>`
        select pg_try_advisory_lock(${SWEEP_LOCK_NAMESPACE}::int, hashtext(${profileId})) as ok`;
      if (row?.ok !== true) return false;
      mine.add(profileId);
      return true;
    },
    async releaseAll() {
      const held = connection;
      connection = null;
      if (!held) return;
      try {
        // Unlocks everything this session holds (only our sweep locks live on this connection).
        if (mine.size > 0) await held`select pg_advisory_unlock_all()`;
      } finally {
        mine.clear();
        held.release();
      }
    },
  };
}
