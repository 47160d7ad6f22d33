// Paths of a recipe held by their bytes. A file name need not be UTF-8; as a JavaScript string it
// would decode to U+FFFD and name no file. Held as latin1 text (one character per byte) it keeps
// every byte, and `path.posix` works on it unchanged: `/` and `.` are the same bytes either way.

import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeBytes } from '../process/capture.ts';

/** A path as its bytes, one latin1 character per byte. */
export type BytePath = string & { readonly __bytes: unique symbol };

/** The bytes of an ordinary (UTF-8) path. */
export function bytePath(text: string): BytePath {
  return Buffer.from(text, 'utf8').toString('latin1') as BytePath;
}

/** What the file system calls take: the path's bytes. */
export function fsPath(p: BytePath): Buffer {
  return Buffer.from(p, 'latin1');
}

/** The path as people read it: UTF-8 text, every byte that is not UTF-8 shown as `\xNN`. */
export function showPath(p: BytePath): string {
  return decodeBytes(fsPath(p));
}

/** Whether every name of the path is UTF-8 (as WASI requires of a path). */
export function isUtf8Path(p: BytePath): boolean {
  return isUtf8(fsPath(p));
}

export function joinBytes(dir: BytePath, ...names: BytePath[]): BytePath {
  return path.join(dir, ...names) as BytePath;
}

/** `path.resolve` for an absolute `dir`: never reaches for the (UTF-8) working directory. */
export function resolveBytes(dir: BytePath, to: BytePath): BytePath {
  return (path.isAbsolute(to) ? path.normalize(to) : path.join(dir, to)) as BytePath;
}

export function relativeBytes(from: BytePath, to: BytePath): BytePath {
  return path.relative(from, to) as BytePath;
}

export function dirnameBytes(p: BytePath): BytePath {
  return path.dirname(p) as BytePath;
}

/** A folder's entries, their names by their bytes. */
export async function readEntriesBytes(dir: BytePath): Promise<Array<{ name: BytePath; dirent: Dirent }>> {
  const dirents = await fs.readdir(fsPath(dir), { withFileTypes: true, encoding: 'buffer' });
  return dirents.map((d) => ({ name: d.name.toString('latin1') as BytePath, dirent: d as unknown as Dirent }));
}

export async function realpathBytes(p: BytePath): Promise<BytePath> {
  // the promise API is the native realpath; the callback one decodes the name as UTF-8 on the way
  return (await fs.realpath(fsPath(p), { encoding: 'latin1' })) as BytePath;
}

export async function readlinkBytes(p: BytePath): Promise<BytePath> {
  return (await fs.readlink(fsPath(p), { encoding: 'latin1' })) as BytePath;
}
