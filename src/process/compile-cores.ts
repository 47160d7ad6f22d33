import path from 'node:path';
import { isLocked, withAnyFileLock } from './file-lock.ts';

/**
 * One compile per core, across vitest workers and runs: a compile holds one of `count` locks while
 * it runs, and Scons gets as many jobs as cores are not busy with another compile. Alone, a compile
 * builds its objects on every core; side by side, each on its own, so neither waits on the other.
 */
export interface CompileCores {
  lockDir: string;
  count: number;
}

function corePaths(cores: CompileCores): string[] {
  return Array.from({ length: cores.count }, (_, i) => path.join(cores.lockDir, `core-${i}.lock`));
}

/** Whether a compile started now would find a core to itself. */
export async function freeCompileCore(cores: CompileCores): Promise<boolean> {
  const busy = await Promise.all(corePaths(cores).map(isLocked));
  return busy.some((b) => !b);
}

/** Runs `fn(jobs)` holding a core; `jobs` is the Scons job count that matches the cores free now. */
export function withCompileCore<T>(
  cores: CompileCores,
  signal: AbortSignal | undefined,
  fn: (jobs: number) => Promise<T>,
): Promise<T> {
  const paths = corePaths(cores);
  return withAnyFileLock({ lockfilePaths: paths, signal }, async (held) => {
    const others = await Promise.all(paths.map((p, i) => (i === held ? Promise.resolve(false) : isLocked(p))));
    return fn(Math.max(1, cores.count - others.filter(Boolean).length));
  });
}
