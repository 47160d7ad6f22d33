import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Build products and caches that must not travel from the cookbook into a run. */
const SKIP = new Set(['__pycache__', '.git']);

/** A fresh copy of a recipe folder under `parent`: runs happen there, never in the cookbook tree. */
export async function copyRecipe(recipeDir: string, parent: string, label: string): Promise<string> {
  const dest = await fs.mkdtemp(path.join(parent, `${label.replace(/[^\w.+-]/g, '_')}-`));
  await fs.cp(recipeDir, dest, {
    recursive: true,
    filter: (src) => !SKIP.has(path.basename(src)) && !src.endsWith('.wasm'),
    verbatimSymlinks: false,
  });
  return dest;
}

export async function makeScratchRoot(prefix = 'vitest-py2wasm-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Put a cached wasm into a scratch folder: a hard link when possible (26 MB each), else a copy. */
export async function placeWasm(cachedWasm: string, dest: string): Promise<void> {
  await fs.rm(dest, { force: true });
  try {
    await fs.link(cachedWasm, dest);
  } catch {
    await fs.copyFile(cachedWasm, dest);
  }
}

/** Every `.py` of a recipe (script, siblings, support modules below it), for the compile cache key. */
export async function recipeSources(recipeDir: string): Promise<Array<{ path: string; content: Buffer }>> {
  const out: Array<{ path: string; content: Buffer }> = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (SKIP.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.py')) out.push({ path: path.relative(recipeDir, full), content: await fs.readFile(full) });
    }
  };
  await walk(recipeDir);
  return out;
}
