import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { readMeta } from './compile-cache-meta.ts';
import { OWNER_MARK } from './scratch.ts';

/**
 * A whole cache as one tar for a CI cache: the compile entries (metas, zstd objects, bases) and
 * the cached CPython results, diagnoses and stacks, as they are, with a manifest of every file's
 * sha256. Plain copies, locks and work files stay out (they are made again).
 */
export interface CacheArchiveOptions {
  /** The cache folder (`cacheDir`). */
  cacheDir: string;
  signal?: AbortSignal;
}

export interface ArchiveSummary {
  files: number;
  bytes: number;
  /** Files an import left as they were: the cache already had them. */
  kept?: number;
}

export class CacheArchiveError extends Error {
  override name = 'CacheArchiveError';
}

const MANIFEST = 'vitest-py2wasm-cache.json';
const FORMAT = 'vitest-py2wasm-cache/1';
/** In merge order: objects before the metas that name them, so an entry is never seen without its module. */
const PARTS = ['compile/objects', 'compile/bases', 'compile/wasm', 'python', 'wasm-runs', 'diagnose'];

interface Manifest {
  format: string;
  createdAt: string;
  files: Array<{ path: string; bytes: number; sha256: string }>;
}

async function listFiles(root: string, rel: string): Promise<string[]> {
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listFiles(root, child)));
    else if (e.isFile() && !/\.tmp|\.lock$/.test(e.name)) out.push(child);
  }
  return out;
}

const sha256 = async (file: string) =>
  crypto
    .createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');

/** A work folder of this process under `compile/tmp` (swept with the other work folders if it dies). */
async function workDir(cacheDir: string, label: string): Promise<string> {
  const parent = path.join(cacheDir, 'compile', 'tmp');
  await fs.mkdir(parent, { recursive: true });
  return fs.mkdtemp(path.join(parent, `${label}${OWNER_MARK}${process.pid}-`));
}

/** Writes the cache into `file` (whole or not at all). Entries whose module went meanwhile are left out. */
export async function exportCache(file: string, opts: CacheArchiveOptions): Promise<ArchiveSummary> {
  const root = opts.cacheDir;
  const files: string[] = [];
  for (const part of PARTS) files.push(...(await listFiles(root, part)));
  const wanted = new Set(files);
  // a meta whose object was evicted while we listed would be an entry that never hits
  for (const meta of files.filter((f) => f.startsWith('compile/wasm/') && f.endsWith('.json'))) {
    const object = (await readMeta(path.join(root, meta)))?.stored?.object;
    if (object && !wanted.has(`compile/${object}`)) wanted.delete(meta);
  }
  const manifest: Manifest = { format: FORMAT, createdAt: new Date().toISOString(), files: [] };
  for (const rel of wanted) {
    opts.signal?.throwIfAborted();
    const st = await fs.stat(path.join(root, rel)).catch(() => undefined);
    if (st) manifest.files.push({ path: rel, bytes: st.size, sha256: await sha256(path.join(root, rel)) });
  }
  const work = await workDir(root, 'export');
  const staged = path.join(work, 'cache.tar');
  try {
    await fs.writeFile(path.join(work, MANIFEST), JSON.stringify(manifest));
    await tar.create({ file: staged, cwd: work, portable: true }, [MANIFEST]);
    await tar.replace(
      { file: staged, cwd: root, portable: true },
      manifest.files.map((f) => f.path),
    );
    opts.signal?.throwIfAborted();
    await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    // copied next to the destination, then renamed: never a half-written archive under its name
    const next = `${path.resolve(file)}.tmp-${process.pid}`;
    try {
      await fs.copyFile(staged, next);
      await fs.rename(next, path.resolve(file));
    } finally {
      await fs.rm(next, { force: true });
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  return { files: manifest.files.length, bytes: manifest.files.reduce((n, f) => n + f.bytes, 0) };
}

/**
 * Merges an archive made by `exportCache` into the cache: unpacked aside, every file checked
 * against the manifest (a damaged or cut archive changes nothing), then moved in file by file,
 * modules before the entries that name them. What the cache already has is kept.
 */
export async function importCache(file: string, opts: CacheArchiveOptions): Promise<ArchiveSummary> {
  const root = opts.cacheDir;
  const work = await workDir(root, 'import');
  try {
    await tar.extract({ file, cwd: work, strict: true, preservePaths: false }).catch((error: unknown) => {
      throw new CacheArchiveError(`${file} is not a whole cache archive: ${(error as Error).message}`);
    });
    const manifest = await fs
      .readFile(path.join(work, MANIFEST), 'utf8')
      .then((t) => JSON.parse(t) as Manifest)
      .catch(() => undefined);
    if (manifest?.format !== FORMAT)
      throw new CacheArchiveError(`${file} is not a cache archive of this tool (no ${MANIFEST} of format ${FORMAT})`);
    for (const f of manifest.files) {
      opts.signal?.throwIfAborted();
      if (!PARTS.some((p) => f.path.startsWith(`${p}/`)) || f.path.includes('..'))
        throw new CacheArchiveError(`${file}: unexpected path ${f.path}`);
      const got = await sha256(path.join(work, f.path)).catch(() => 'missing');
      if (got !== f.sha256)
        throw new CacheArchiveError(
          `${file} is damaged: ${f.path} is ${got === 'missing' ? 'missing' : 'not what was stored'}`,
        );
    }
    let kept = 0;
    const order = (p: string) => PARTS.findIndex((part) => p.startsWith(`${part}/`));
    // an old entry's plain module before its meta, like an object before its meta
    const rank = (p: string) => order(p) * 2 + (p.endsWith('.json') ? 1 : 0);
    for (const f of [...manifest.files].sort((a, b) => rank(a.path) - rank(b.path))) {
      opts.signal?.throwIfAborted();
      const dest = path.join(root, f.path);
      if (await fs.stat(dest).catch(() => undefined)) {
        kept++;
        continue;
      }
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.rename(path.join(work, f.path), dest);
    }
    return { files: manifest.files.length, bytes: manifest.files.reduce((n, f) => n + f.bytes, 0), kept };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
