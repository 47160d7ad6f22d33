import fs from 'node:fs/promises';
import path from 'node:path';

/** Build products and caches that must not travel from the cookbook into a run. */
export const SKIP = new Set(['__pycache__', '.git']);

/** Copying through links that leave the recipe stops here (a link to `/` must not copy the disk). */
const OUTSIDE_BUDGET = { entries: 10_000, bytes: 512 << 20 };

export interface SkippedEntry {
  /** Relative to the recipe folder. */
  path: string;
  reason: string;
}

interface Walk {
  realRoot: string;
  destRoot: string;
  skipped: SkippedEntry[];
  outside: { entries: number; bytes: number };
}

class OverBudget extends Error {}

/**
 * Copy a recipe folder so that nothing in the copy resolves outside it: a link to a place within
 * the recipe becomes the same link within the copy; a link leaving the recipe becomes a copy of
 * what it points at; loops, dangling outside links and special files are skipped and listed.
 */
export async function copyTree(srcRoot: string, destRoot: string): Promise<SkippedEntry[]> {
  const walk: Walk = { realRoot: await fs.realpath(srcRoot), destRoot, skipped: [], outside: { entries: 0, bytes: 0 } };
  await copyDir(walk, walk.realRoot, destRoot, '', [walk.realRoot], false);
  return walk.skipped;
}

function within(root: string, p: string): boolean {
  return p === root || p.startsWith(`${root}${path.sep}`);
}

async function copyDir(
  walk: Walk,
  realDir: string,
  destDir: string,
  rel: string,
  ancestors: string[],
  outside: boolean,
): Promise<void> {
  await fs.mkdir(destDir, { recursive: true });
  for (const name of await fs.readdir(realDir)) {
    if (SKIP.has(name) || name.endsWith('.wasm')) continue;
    const src = path.join(realDir, name);
    const dest = path.join(destDir, name);
    const relPath = path.join(rel, name);
    const st = await fs.lstat(src);
    if (st.isSymbolicLink()) await copyLink(walk, src, dest, relPath, ancestors, outside);
    else await copyEntry(walk, src, st, dest, relPath, ancestors, outside);
  }
}

async function copyEntry(
  walk: Walk,
  real: string,
  st: Awaited<ReturnType<typeof fs.stat>>,
  dest: string,
  rel: string,
  ancestors: string[],
  outside: boolean,
): Promise<void> {
  if (
    outside &&
    (++walk.outside.entries > OUTSIDE_BUDGET.entries || (walk.outside.bytes += Number(st.size)) > OUTSIDE_BUDGET.bytes)
  )
    throw new OverBudget();
  if (st.isDirectory()) {
    if (ancestors.includes(real)) {
      walk.skipped.push({ path: rel, reason: `a loop: it leads back to ${real}, which is being copied` });
      return;
    }
    await copyDir(walk, real, dest, rel, [...ancestors, real], outside);
  } else if (st.isFile()) {
    await fs.copyFile(real, dest);
  } else {
    walk.skipped.push({ path: rel, reason: 'not a regular file or folder (a fifo, socket or device)' });
  }
}

async function copyLink(
  walk: Walk,
  src: string,
  dest: string,
  rel: string,
  ancestors: string[],
  outside: boolean,
): Promise<void> {
  const text = await fs.readlink(src);
  let real: string;
  try {
    real = await fs.realpath(src);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return void walk.skipped.push({ path: rel, reason: `a symbolic link loop (-> ${text})` });
    // dangling: harmless as a link within the copy; written through, an outside one would create a file outside
    const lexical = path.resolve(path.dirname(src), text);
    if (code === 'ENOENT' && within(walk.realRoot, lexical)) return linkWithinCopy(walk, lexical, dest);
    return void walk.skipped.push({
      path: rel,
      reason: `a symbolic link to ${lexical}, which does not exist and is outside the recipe`,
    });
  }
  if (within(walk.realRoot, real)) return linkWithinCopy(walk, real, dest);
  const st = await fs.stat(real);
  try {
    await copyEntry(walk, real, st, dest, rel, ancestors, true);
  } catch (error) {
    if (!(error instanceof OverBudget) || outside) throw error;
    await fs.rm(dest, { recursive: true, force: true });
    walk.skipped.push({
      path: rel,
      reason: `a symbolic link to ${real}, outside the recipe and too large to copy (over ${OUTSIDE_BUDGET.entries} files or ${OUTSIDE_BUDGET.bytes >> 20} MiB)`,
    });
  }
}

async function linkWithinCopy(walk: Walk, realTarget: string, dest: string): Promise<void> {
  const targetInCopy = path.join(walk.destRoot, path.relative(walk.realRoot, realTarget));
  await fs.symlink(path.relative(path.dirname(dest), targetInCopy) || '.', dest);
}
