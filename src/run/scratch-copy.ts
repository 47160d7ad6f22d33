import fs from 'node:fs/promises';
import path from 'node:path';
import {
  bytePath,
  dirnameBytes,
  fsPath,
  isUtf8Path,
  joinBytes,
  readEntriesBytes,
  readlinkBytes,
  realpathBytes,
  relativeBytes,
  resolveBytes,
  showPath,
  type BytePath,
} from './byte-paths.ts';

/** Build products and caches that must not travel from the cookbook into a run. */
export const SKIP = new Set<string>(['__pycache__', '.git']);

/** Copying through links that leave the recipe stops here (a link to `/` must not copy the disk). */
const OUTSIDE_BUDGET = { entries: 10_000, bytes: 512 << 20 };

export interface SkippedEntry {
  /** Relative to the recipe folder, as people read it (bytes that are not UTF-8 as `\xNN`). */
  path: string;
  reason: string;
}

/** What a copy could not take over as it was. */
export interface CopyNotes {
  skipped: SkippedEntry[];
  /** Entries copied by their bytes whose names are not UTF-8 (shown with `\xNN`), relative to the recipe. */
  notUtf8: string[];
}

interface Walk extends CopyNotes {
  realRoot: BytePath;
  destRoot: BytePath;
  outside: { entries: number; bytes: number };
}

class OverBudget extends Error {}

/**
 * Copy a recipe folder so that nothing in the copy resolves outside it: a link to a place within
 * the recipe becomes the same link within the copy; a link leaving the recipe becomes a copy of
 * what it points at; loops, dangling outside links and special files are skipped and listed.
 * Names are copied by their bytes: one that is not UTF-8 is copied as it is, and listed.
 */
export async function copyTree(srcRoot: string, destRoot: string): Promise<CopyNotes> {
  const realRoot = await realpathBytes(bytePath(srcRoot));
  const walk: Walk = {
    realRoot,
    destRoot: bytePath(destRoot),
    skipped: [],
    notUtf8: [],
    outside: { entries: 0, bytes: 0 },
  };
  await copyDir(walk, realRoot, walk.destRoot, '' as BytePath, [realRoot], false);
  return { skipped: walk.skipped, notUtf8: walk.notUtf8 };
}

function within(root: BytePath, p: BytePath): boolean {
  return p === root || p.startsWith(`${root}${path.sep}`);
}

function skip(walk: Walk, rel: BytePath, reason: string): void {
  walk.skipped.push({ path: showPath(rel), reason });
}

async function copyDir(
  walk: Walk,
  realDir: BytePath,
  destDir: BytePath,
  rel: BytePath,
  ancestors: BytePath[],
  outside: boolean,
): Promise<void> {
  await fs.mkdir(fsPath(destDir), { recursive: true });
  for (const { name } of await readEntriesBytes(realDir)) {
    if (SKIP.has(name) || name.endsWith('.wasm')) continue;
    const src = joinBytes(realDir, name);
    const dest = joinBytes(destDir, name);
    const relPath = joinBytes(rel, name);
    if (!isUtf8Path(name)) walk.notUtf8.push(showPath(relPath));
    const st = await fs.lstat(fsPath(src));
    if (st.isSymbolicLink()) await copyLink(walk, src, dest, relPath, ancestors, outside);
    else await copyEntry(walk, src, st, dest, relPath, ancestors, outside);
  }
}

async function copyEntry(
  walk: Walk,
  real: BytePath,
  st: Awaited<ReturnType<typeof fs.stat>>,
  dest: BytePath,
  rel: BytePath,
  ancestors: BytePath[],
  outside: boolean,
): Promise<void> {
  if (
    outside &&
    (++walk.outside.entries > OUTSIDE_BUDGET.entries || (walk.outside.bytes += Number(st.size)) > OUTSIDE_BUDGET.bytes)
  )
    throw new OverBudget();
  if (st.isDirectory()) {
    if (ancestors.includes(real)) {
      skip(walk, rel, `a loop: it leads back to ${showPath(real)}, which is being copied`);
      return;
    }
    await copyDir(walk, real, dest, rel, [...ancestors, real], outside);
  } else if (st.isFile()) {
    await fs.copyFile(fsPath(real), fsPath(dest));
  } else {
    skip(walk, rel, 'not a regular file or folder (a fifo, socket or device)');
  }
}

async function copyLink(
  walk: Walk,
  src: BytePath,
  dest: BytePath,
  rel: BytePath,
  ancestors: BytePath[],
  outside: boolean,
): Promise<void> {
  const text = await readlinkBytes(src);
  let real: BytePath;
  try {
    real = await realpathBytes(src);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return skip(walk, rel, `a symbolic link loop (-> ${showPath(text)})`);
    // dangling: harmless as a link within the copy; written through, an outside one would create a file outside
    const lexical = resolveBytes(dirnameBytes(src), text);
    if (code === 'ENOENT' && within(walk.realRoot, lexical)) return linkWithinCopy(walk, lexical, dest);
    return skip(walk, rel, `a symbolic link to ${showPath(lexical)}, which does not exist and is outside the recipe`);
  }
  if (within(walk.realRoot, real)) return linkWithinCopy(walk, real, dest);
  const st = await fs.stat(fsPath(real));
  try {
    await copyEntry(walk, real, st, dest, rel, ancestors, true);
  } catch (error) {
    if (!(error instanceof OverBudget) || outside) throw error;
    await fs.rm(fsPath(dest), { recursive: true, force: true });
    skip(
      walk,
      rel,
      `a symbolic link to ${showPath(real)}, outside the recipe and too large to copy (over ${OUTSIDE_BUDGET.entries} files or ${OUTSIDE_BUDGET.bytes >> 20} MiB)`,
    );
  }
}

async function linkWithinCopy(walk: Walk, realTarget: BytePath, dest: BytePath): Promise<void> {
  const targetInCopy = joinBytes(walk.destRoot, relativeBytes(walk.realRoot, realTarget));
  await fs.symlink(fsPath(relativeBytes(dirnameBytes(dest), targetInCopy) || ('.' as BytePath)), fsPath(dest));
}
