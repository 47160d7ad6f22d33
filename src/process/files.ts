import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A fresh sibling of `dest` to build into: `<dest>.tmp-<random>`. */
export async function makeTempSibling(dest: string): Promise<string> {
  const tmp = `${dest}.tmp-${crypto.randomBytes(4).toString('hex')}`;
  await fs.mkdir(tmp, { recursive: true });
  return tmp;
}

/**
 * Puts the finished `tmp` at `dest`. A directory cannot be renamed over a non-empty one, so the old
 * one is moved aside first; the gap between the two renames is covered by the setup lock.
 */
export async function replaceDir(tmp: string, dest: string): Promise<void> {
  let old: string | undefined;
  if (await exists(dest)) {
    old = `${dest}.old-${crypto.randomBytes(4).toString('hex')}`;
    await fs.rename(dest, old);
  }
  await fs.rename(tmp, dest);
  if (old) await fs.rm(old, { recursive: true, force: true });
}

/** Leftovers of an interrupted setup: temp builds and moved-aside folders. */
export async function removeLeftovers(root: string, patterns: readonly RegExp[]): Promise<string[]> {
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const gone = names.filter((n) => patterns.some((p) => p.test(n)));
  await Promise.all(gone.map((n) => fs.rm(path.join(root, n), { recursive: true, force: true })));
  return gone;
}

/** size:mtimeNs of a file (following links), or 'missing': cheap input for a stamp key. */
export async function statKey(file: string): Promise<string> {
  return fs.stat(file, { bigint: true }).then(
    (s) => `${s.size}:${s.mtimeNs}`,
    () => 'missing',
  );
}
