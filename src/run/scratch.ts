import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { copyTree, SKIP, type SkippedEntry } from './scratch-copy.ts';

export type { SkippedEntry } from './scratch-copy.ts';

/** A scratch copy of a recipe, and what of the recipe could not be copied (and why). */
export interface ScratchCopy {
  dir: string;
  skipped: SkippedEntry[];
}

/** Marks a scratch folder with the pid that made it, so a sweep can tell a dead run's leftovers. */
export const OWNER_MARK = '-p';

/**
 * A fresh copy of a recipe folder in a private folder of its own under `parent`: runs happen
 * there, never in the cookbook tree, and a case's `open('../x', 'w')` lands in that private folder
 * (removed with the copy by `removeScratch`), not in a folder other runs share.
 */
export async function scratchCopy(recipeDir: string, parent: string, label: string): Promise<ScratchCopy> {
  const own = await fs.mkdtemp(path.join(parent, `${label.replace(/[^\w.+-]/g, '_')}${OWNER_MARK}${process.pid}-`));
  const dir = path.join(own, path.basename(recipeDir) || 'recipe');
  const skipped = await copyTree(recipeDir, dir);
  return { dir, skipped };
}

/** `scratchCopy`, warning once about what could not be copied. */
export async function copyRecipe(recipeDir: string, parent: string, label: string): Promise<string> {
  const copy = await scratchCopy(recipeDir, parent, label);
  for (const s of copy.skipped)
    process.emitWarning(`${path.join(recipeDir, s.path)} not copied into the scratch folder: ${s.reason}`, {
      code: 'VITEST_PY2WASM_SCRATCH',
    });
  return copy.dir;
}

/** Remove a copy made by `scratchCopy` together with its private parent. */
export async function removeScratch(dir: string): Promise<void> {
  await fs.rm(path.dirname(dir), { recursive: true, force: true });
}

/**
 * Put a cached wasm into a scratch folder as a copy of its own (a reflink where the file system
 * has them): never a hard link, which a case opening its `.wasm` for writing would share with the cache.
 */
export async function placeWasm(cachedWasm: string, dest: string): Promise<void> {
  await fs.rm(dest, { force: true });
  await fs.copyFile(cachedWasm, dest, fsConstants.COPYFILE_FICLONE);
  await fs.chmod(dest, 0o644);
}

/** Every `.py` of a recipe (script, siblings, support modules below it), for the compile cache key. */
export async function recipeSources(recipeDir: string): Promise<Array<{ path: string; content: Buffer }>> {
  const out: Array<{ path: string; content: Buffer }> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.py'))
        out.push({ path: path.relative(recipeDir, full), content: await fs.readFile(full) });
    }
  };
  await walk(recipeDir);
  return out;
}
