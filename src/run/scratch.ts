import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { escapeControls } from '../records.ts';
import { copyTree, SKIP, type CopyNotes } from './scratch-copy.ts';
import { fsPath, joinBytes, bytePath, readEntriesBytes, type BytePath } from './byte-paths.ts';

export type { CopyNotes, SkippedEntry } from './scratch-copy.ts';

/** A scratch copy of a recipe, and what of the recipe could not be copied as it was (and why). */
export interface ScratchCopy extends CopyNotes {
  dir: string;
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
  return { dir, ...(await copyTree(recipeDir, dir)) };
}

/** Warnings already given by this process: a recipe is copied for CPython, each target and each compile. */
const warned = new Set<string>();

/** `scratchCopy`, warning about what of the recipe could not be copied as it was, once per recipe and entry. */
export async function copyRecipe(recipeDir: string, parent: string, label: string): Promise<string> {
  const copy = await scratchCopy(recipeDir, parent, label);
  // a copy of a copy (reduce runs each candidate from one): said when the first copy was made
  if (`${path.resolve(recipeDir)}${path.sep}`.startsWith(`${path.resolve(parent)}${path.sep}`)) return copy.dir;
  const messages = [
    ...copy.skipped.map((s) => `${path.join(recipeDir, s.path)} not copied into the scratch folder: ${s.reason}`),
    ...copy.notUtf8.map(
      (rel) =>
        `${path.join(recipeDir, rel)}: the name is not valid UTF-8 (bytes shown as \\xNN); copied by its bytes, but a wasm runtime may not find it (WASI names are UTF-8)`,
    ),
  ];
  for (const message of messages) {
    if (warned.has(message)) continue;
    warned.add(message);
    process.emitWarning(escapeControls(message), { code: 'VITEST_PY2WASM_SCRATCH' });
  }
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

/**
 * Every `.py` of a recipe (script, siblings, support modules below it), for the compile cache key.
 * Paths are relative and by their bytes, so a name that is not UTF-8 is read and keyed as it is.
 */
export async function recipeSources(recipeDir: string): Promise<Array<{ path: Buffer; content: Buffer }>> {
  const out: Array<{ path: Buffer; content: Buffer }> = [];
  const root = bytePath(recipeDir);
  const walk = async (rel: BytePath): Promise<void> => {
    for (const { name, dirent } of await readEntriesBytes(joinBytes(root, rel))) {
      if (SKIP.has(name)) continue;
      const child = joinBytes(rel, name);
      if (dirent.isDirectory()) await walk(child);
      else if (name.endsWith('.py'))
        out.push({ path: fsPath(child), content: await fs.readFile(fsPath(joinBytes(root, child))) });
    }
  };
  await walk('' as BytePath);
  return out;
}
