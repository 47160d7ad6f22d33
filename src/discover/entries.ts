import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';

/** A folder entry read by its bytes: a name that is not UTF-8 is told apart, not mangled. */
export interface Entry {
  /** The name as text: exact when `utf8`, else with each undecodable byte shown as `\xNN`. */
  name: string;
  utf8: boolean;
  /** Absolute path; exact only when every name on the way is UTF-8. */
  path: string;
  /** The exact path, by its bytes, for the file system calls. */
  bytes: Buffer;
  dirent: fs.Dirent;
}

class EntryReadError extends Error {
  override name = 'EntryReadError';
}

/** Reads a folder; throws EntryReadError saying which folder and why. */
export function readEntries(dir: string): Entry[] {
  let dirents: fs.Dirent<Buffer>[];
  try {
    dirents = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    throw new EntryReadError(`cannot read ${dir}: ${(error as Error).message}`);
  }
  return dirents.map((d) => {
    const raw = d.name;
    const utf8 = isUtf8(raw);
    const name = utf8 ? raw.toString('utf8') : escapeName(raw);
    const bytes = Buffer.concat([Buffer.from(path.join(dir, '/')), raw]);
    return { name, utf8, path: path.join(dir, name), bytes, dirent: d as unknown as fs.Dirent };
  });
}

/** `caf\xe9`: the valid UTF-8 runs as text, every other byte as `\xNN`. */
function escapeName(raw: Buffer): string {
  let out = '';
  for (let i = 0; i < raw.length;) {
    let j = i;
    while (j < raw.length && raw[j]! < 0x80) j++;
    out += raw.subarray(i, j).toString('latin1');
    if (j >= raw.length) break;
    // the longest valid sequence starting here, else one escaped byte
    const len = [4, 3, 2].find((n) => j + n <= raw.length && isUtf8(raw.subarray(j, j + n))) ?? 0;
    out += len ? raw.subarray(j, j + len).toString('utf8') : `\\x${raw[j]!.toString(16).padStart(2, '0')}`;
    i = j + (len || 1);
  }
  return out;
}

/** A folder, or a link to one. A link that loops is reported, a dangling one is not a folder. */
export function folderKind(entry: Entry): 'folder' | 'not-folder' | 'loop' {
  if (entry.dirent.isDirectory()) return 'folder';
  if (!entry.dirent.isSymbolicLink()) return 'not-folder';
  try {
    return fs.statSync(entry.bytes).isDirectory() ? 'folder' : 'not-folder';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ELOOP' ? 'loop' : 'not-folder';
  }
}

/** Why a case file cannot be read as one (a loop, a link to nothing, a folder), or undefined. */
export function unreadableFileReason(entry: Entry): string | undefined {
  if (entry.dirent.isFile()) return undefined;
  try {
    const stat = fs.statSync(entry.bytes);
    if (stat.isDirectory()) return `${entry.path} is a folder (or a link to one), not a Python file`;
    if (!stat.isFile()) return `${entry.path} is not a regular file`;
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return `${entry.path} is a symbolic link loop`;
    if (code === 'ENOENT') return `${entry.path} is a symbolic link to nothing (${safeReadlink(entry.bytes)})`;
    return `cannot read ${entry.path}: ${(error as Error).message}`;
  }
}

function safeReadlink(file: Buffer): string {
  try {
    return escapeName(fs.readlinkSync(file, { encoding: 'buffer' }));
  } catch {
    return '?';
  }
}
