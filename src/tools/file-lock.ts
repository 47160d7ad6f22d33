import fs from 'node:fs/promises';
import path from 'node:path';
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
export async function withFileLock<T>(opts: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(opts.lockfilePath), { recursive: true });
  const deadline = Date.now() + (opts.waitMs ?? 45 * 60_000);
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    opts.signal?.throwIfAborted();
    try {
      release = await lockfile.lock(path.dirname(opts.lockfilePath), {
        lockfilePath: opts.lockfilePath,
        stale: 30_000,
        update: 5_000,
        realpath: false,
        onCompromised: (err) => {
          compromised = err;
        },
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (Date.now() > deadline) throw new LockTimeoutError(`timed out waiting for the lock ${opts.lockfilePath}`);
      if (!told) opts.onWait?.();
      told = true;
      await sleep(250 + Math.random() * 500, opts.signal);
    }
  }
  try {
    const result = await fn();
    if (compromised) throw new Error(`the lock ${opts.lockfilePath} was lost while held: ${compromised.message}`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

/** Whether someone holds the lock now. */
export function isLocked(lockfilePath: string): Promise<boolean> {
  return lockfile.check(path.dirname(lockfilePath), { lockfilePath, realpath: false, stale: 30_000 }).catch(() => false);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
