import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

export interface FileLockOptions {
  /** The lock's own path (a folder proper-lockfile creates). */
  lockfilePath: string;
  /** Give up after this long (default 45 min: a setup or a compile may hold it for minutes). */
  waitMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is busy, so a caller can say what it waits for. */
  onWait?: () => void;
}

/**
 * Runs `fn` holding a cross-process lock (vitest workers and concurrent runs are separate
 * processes). The holder refreshes the lock; a lock not refreshed for 30 s (a killed holder) is taken over.
 */
export function withFileLock<T>(opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const { lockfilePath, ...rest } = opts;
  return withAnyFileLock({ ...rest, lockfilePaths: [lockfilePath] }, () => fn());
}

/** Like withFileLock, holding whichever of several locks is free first; `fn` learns which. */
export async function withAnyFileLock<T>(
  opts: Omit<FileLockOptions, 'lockfilePath'> & { lockfilePaths: string[] },
  fn: (index: number) => Promise<T>,
): Promise<T> {
  for (const p of opts.lockfilePaths) await fs.mkdir(path.dirname(p), { recursive: true });
  const deadline = Date.now() + (opts.waitMs ?? 45 * 60_000);
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let held = -1;
  let told = false;
  while (!release) {
    opts.signal?.throwIfAborted();
    for (let i = 0; i < opts.lockfilePaths.length && !release; i++) {
      const lockfilePath = opts.lockfilePaths[i]!;
      try {
        // keyed by the lock's own path: proper-lockfile keeps one registry entry per locked file
        release = await lockfile.lock(lockfilePath, {
          lockfilePath,
          stale: 30_000,
          update: 5_000,
          realpath: false,
          onCompromised: (err) => {
            compromised = err;
          },
        });
        held = i;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      }
    }
    if (release) break;
    if (Date.now() > deadline)
      throw new LockTimeoutError(`timed out waiting for the lock ${opts.lockfilePaths.join(' or ')}`);
    if (!told) opts.onWait?.();
    told = true;
    // an abort ends the wait with the signal's reason, as the check at the top of the loop does
    await sleep(250 + Math.random() * 500, undefined, { signal: opts.signal }).catch(() =>
      opts.signal?.throwIfAborted(),
    );
  }
  try {
    const result = await fn(held);
    if (compromised)
      throw new Error(`the lock ${opts.lockfilePaths[held]} was lost while held: ${compromised.message}`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

/** Whether someone holds the lock now. */
export function isLocked(lockfilePath: string): Promise<boolean> {
  return lockfile.check(lockfilePath, { lockfilePath, realpath: false, stale: 30_000 }).catch(() => false);
}
