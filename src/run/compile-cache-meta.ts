import fs from 'node:fs/promises';
import type { CompileOutcome } from '../types.ts';

export const ENTRY_VERSION = 2;

/**
 * How a module is stored: a zstd object, either whole (`<sha>-full.zst`, the base of its family) or
 * encoded against its family's base (`<sha>-<base sha>.zst`): py2wasm modules of one toolchain
 * share most of their bytes (libpython), so a module costs ~1 MB instead of ~27 MB.
 */
export interface StoredModule {
  /** The object file, relative to the cache folder. */
  object: string;
  /** The module it is encoded against (sha256 of its wasm); absent for a whole one. */
  base?: string;
  bytes: number;
}

/** A stored compile: the module (on success), how it is stored, and the outcome that produced it. */
export interface CacheEntryMeta {
  /** 1: the module beside the meta as a plain `<key>.wasm` (still served); 2: a zstd object (module-store.ts). */
  version: 1 | 2;
  key: string;
  ok: boolean;
  wasmSize?: number;
  wasmSha256?: string;
  /** The toolchain the module was compiled with: its entries are encoded against one base. */
  family?: string;
  stored?: StoredModule;
  createdAt: string;
  outcome: CompileOutcome;
}

export interface CacheStats {
  dir: string;
  entries: number;
  failures: number;
  /** What the entries take on disk: metas, objects, bases, and old plain entries. */
  bytes: number;
  /** Their modules' size, plain. */
  rawBytes: number;
  /** Plain copies of the modules in use (made on use, dropped first when over the limit). */
  plainBytes: number;
  plainFiles: number;
  oldest?: string;
  newest?: string;
}

/** An entry's meta; undefined when it is missing, unreadable, or of a version this one does not know. */
export async function readMeta(file: string): Promise<CacheEntryMeta | undefined> {
  const meta = await readJson<CacheEntryMeta>(file);
  return meta?.version === 1 || meta?.version === ENTRY_VERSION ? meta : undefined;
}

/** A JSON file's value; undefined when it is missing or not whole JSON (a file cut short). */
export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
