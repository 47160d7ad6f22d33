import fs from 'node:fs/promises';
import { LockTimeoutError, withFileLock } from '../process/file-lock.ts';
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

/** The setup lock: the shared file lock, with failures said as setup errors. */
export async function withLock<T>(opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  await fs.mkdir(opts.target, { recursive: true });
  try {
    return await withFileLock(
      { lockfilePath: opts.lockfilePath, waitMs: opts.waitMs, signal: opts.signal, onWait: opts.onWait },
      fn,
    );
  } catch (err) {
    if (err instanceof LockTimeoutError)
      throw new ToolchainError(`Timed out waiting for the toolchain setup lock ${opts.lockfilePath}`);
    if (err instanceof Error && /was lost while held/.test(err.message))
      throw new ToolchainError(`The toolchain setup lock was lost during the setup: ${err.message}`);
    throw err;
  }
}
