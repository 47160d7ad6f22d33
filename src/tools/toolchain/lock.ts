import fs from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { ToolchainError } from './types.ts';

export interface LockOptions {
  /** Existing folder the lock belongs to. */
  target: string;
  lockfilePath: string;
  /** Give up after this long (a setup takes minutes: default 45 min). */
  waitMs?: number;
  signal?: AbortSignal;
  onWait?: () => void;
}

/**
 * Runs `fn` holding a cross-process lock (vitest workers are separate processes). The holder
 * refreshes the lock's mtime; a lock not refreshed for `stale` ms (a killed holder) is taken over.
 */
export async function withLock<T>(opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(opts.target, { recursive: true });
  const deadline = Date.now() + (opts.waitMs ?? 45 * 60_000);
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let told = false;
  while (!release) {
    opts.signal?.throwIfAborted();
    try {
      release = await lockfile.lock(opts.target, {
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
      if (Date.now() > deadline) throw new ToolchainError(`Timed out waiting for the toolchain setup lock ${opts.lockfilePath}`);
      if (!told) opts.onWait?.();
      told = true;
      await sleep(1000, opts.signal);
    }
  }
  try {
    const result = await fn();
    if (compromised) throw new ToolchainError(`The toolchain setup lock was lost during the setup: ${compromised.message}`);
    return result;
  } finally {
    await release().catch(() => undefined);
  }
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
