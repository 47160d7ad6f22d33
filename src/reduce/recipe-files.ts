// The files of a recipe as the reducer sees them. Each is addressed by a text path (the edits and
// the resume state are JSON); a file whose name is not UTF-8 has none, so it is never edited or
// left out: the judge's scratch copies and the reproducer take it by its bytes, as it is.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { bytePath, fsPath, isUtf8Path, joinBytes, readEntriesBytes, type BytePath } from '../run/byte-paths.ts';
import { SKIP } from '../run/scratch-copy.ts';

/** Every regular file below a recipe folder, relative and by its bytes, without build products. */
async function filesByBytes(dir: string): Promise<BytePath[]> {
  const root = bytePath(dir);
  const out: BytePath[] = [];
  const walk = async (rel: BytePath): Promise<void> => {
    for (const { name, dirent } of await readEntriesBytes(joinBytes(root, rel))) {
      if (SKIP.has(name)) continue;
      const child = joinBytes(rel, name);
      if (dirent.isDirectory()) await walk(child);
      else if (dirent.isFile() && !name.endsWith('.wasm')) out.push(child);
    }
  };
  await walk('' as BytePath);
  return out.sort();
}

/** The files the reducer may edit or leave out: relative text paths, sorted. */
export async function recipeFiles(dir: string): Promise<string[]> {
  return (await filesByBytes(dir)).filter(isUtf8Path).map((p) => fsPath(p).toString('utf8'));
}

/** The files it takes as they are, their names not UTF-8: relative, by their bytes. */
export async function verbatimFiles(dir: string): Promise<BytePath[]> {
  return (await filesByBytes(dir)).filter((p) => !isUtf8Path(p));
}

/** Every file's path and content: what tells that the recipe changed since a reduction began. */
export async function hashRecipe(dir: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for (const rel of await filesByBytes(dir))
    hash
      .update(fsPath(rel))
      .update('\0')
      .update(await fs.readFile(fsPath(joinBytes(bytePath(dir), rel))))
      .update('\0');
  return hash.digest('hex');
}
