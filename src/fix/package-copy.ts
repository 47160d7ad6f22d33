// A private copy of the py2wasm package with a patch applied: the patched files are files of its
// own, everything else links to the real package, so the user's install or checkout is never
// written. Keyed by the package and the patch, kept in the cache folder: a second `fix` reuses it.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileChange } from './types.ts';

export interface PatchedPackage {
  /** The copy's `nuitka/` folder. */
  packageDir: string;
  /** Names the patch in cache keys (the compile cache key's py2wasm fingerprint). */
  patchKey: string;
}

/** Patch paths are from a checkout's root (`nuitka/build/...`); the package is that `nuitka/`. */
function packagePath(change: FileChange): string {
  if (!change.path.startsWith('nuitka/')) throw new Error(`a patch of py2wasm changes nuitka/..., not ${change.path}`);
  return change.path.slice('nuitka/'.length);
}

export function patchKeyOf(packageDir: string, changes: FileChange[]): string {
  const hash = crypto.createHash('sha256').update(path.resolve(packageDir));
  for (const c of [...changes].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`\0${c.path}\0${c.after}`);
  return hash.digest('hex').slice(0, 16);
}

export async function patchedPackage(packageDir: string, changes: FileChange[], dir: string): Promise<PatchedPackage> {
  const patchKey = patchKeyOf(packageDir, changes);
  const final = path.join(dir, patchKey);
  const result = { packageDir: path.join(final, 'nuitka'), patchKey };
  if (await exists(path.join(final, 'complete'))) return result;
  // built beside and renamed into place: an interrupted copy is never used
  const staging = `${final}.${process.pid}.tmp`;
  await fs.rm(staging, { recursive: true, force: true });
  const files = new Map(changes.map((c) => [packagePath(c), c.after]));
  await mirror(path.resolve(packageDir), path.join(staging, 'nuitka'), '', files);
  await fs.writeFile(path.join(staging, 'complete'), `${[...files.keys()].join('\n')}\n`);
  await fs.rm(final, { recursive: true, force: true });
  await fs.rename(staging, final).catch(async (error: NodeJS.ErrnoException) => {
    // another process made the same copy meanwhile: it is as good as ours
    await fs.rm(staging, { recursive: true, force: true });
    if (!(await exists(path.join(final, 'complete')))) throw error;
  });
  return result;
}

/** Links every entry of `src` into `dest`, except folders on a patched path (mirrored) and patched files (written). */
async function mirror(src: string, dest: string, rel: string, files: Map<string, string>): Promise<void> {
  await fs.mkdir(dest, { recursive: true });
  for (const entry of await fs.readdir(src)) {
    const entryRel = rel ? `${rel}/${entry}` : entry;
    if (entryRel === '__py2wasm') continue; // compiles write there; each compile slot has its own
    const content = files.get(entryRel);
    if (content !== undefined) await fs.writeFile(path.join(dest, entry), content);
    else if ([...files.keys()].some((f) => f.startsWith(`${entryRel}/`)))
      await mirror(path.join(src, entry), path.join(dest, entry), entryRel, files);
    else await fs.symlink(path.join(src, entry), path.join(dest, entry));
  }
  const missing = [...files.keys()].filter((f) => path.posix.dirname(f) === (rel || '.'));
  for (const f of missing)
    if (!(await exists(path.join(src, path.posix.basename(f)))))
      throw new Error(`the patch changes nuitka/${f}, which the package does not have`);
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
