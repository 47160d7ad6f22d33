import fs from 'node:fs/promises';
import path from 'node:path';
import { isLocked } from '../process/file-lock.ts';
import { pinnedSince } from './cache-pins.ts';
import { readMeta, type CacheEntryMeta, type CacheStats } from './compile-cache-meta.ts';
import type { ModuleStore } from './module-store.ts';

/** The folders of a compile cache that its size accounting reads. */
export interface CacheLayout {
  dir: string;
  entriesDir: string;
  locksDir: string;
  modules: ModuleStore;
}

/**
 * An object no entry names is kept this long: a store writes its object before its meta, so a
 * young one may be a store in progress (in another process).
 */
const UNNAMED_OBJECT_GRACE_MS = 10 * 60_000;

interface FileInfo {
  file: string;
  bytes: number;
  mtimeMs: number;
}

interface Entry extends FileInfo {
  key: string;
  meta: CacheEntryMeta | undefined;
}

/** Files under `dir/<shard>/` ending in `ext`, with their sizes and mtimes. */
async function sharded(dir: string, ext: string): Promise<FileInfo[]> {
  const out: FileInfo[] = [];
  for (const shard of await fs.readdir(dir).catch(() => [] as string[])) {
    for (const name of await fs.readdir(path.join(dir, shard)).catch(() => [] as string[])) {
      if (!name.endsWith(ext)) continue;
      const file = path.join(dir, shard, name);
      const st = await fs.stat(file).catch(() => undefined);
      if (st) out.push({ file, bytes: st.size, mtimeMs: st.mtimeMs });
    }
  }
  return out;
}

async function listEntries(layout: CacheLayout): Promise<Entry[]> {
  const metas = await sharded(layout.entriesDir, '.json');
  return Promise.all(
    metas.map(async (m) => {
      const key = path.basename(m.file, '.json');
      const meta = await readMeta(m.file);
      // an old entry's plain module lies beside its meta
      const legacy = await fs.stat(m.file.replace(/\.json$/, '.wasm')).then(
        (s) => s.size,
        () => 0,
      );
      return { ...m, key, meta, bytes: m.bytes + legacy };
    }),
  );
}

/** The objects an entry needs: its own and, for one stored against a base, the base's. */
function objectsOf(meta: CacheEntryMeta | undefined): string[] {
  const stored = meta?.stored;
  if (!stored) return [];
  const base = stored.base;
  return base ? [stored.object, path.join('objects', base.slice(0, 2), `${base}-full.zst`)] : [stored.object];
}

const sum = (files: Array<{ bytes: number }>) => files.reduce((n, f) => n + f.bytes, 0);

export async function cacheStats(layout: CacheLayout): Promise<CacheStats> {
  const [entries, objects, plain] = await Promise.all([
    listEntries(layout),
    sharded(layout.modules.objectsDir, '.zst'),
    sharded(layout.modules.plainDir, '.wasm'),
  ]);
  const sorted = [...entries].sort((a, b) => a.mtimeMs - b.mtimeMs);
  return {
    dir: layout.dir,
    entries: entries.length,
    failures: entries.filter((e) => e.meta && !e.meta.ok).length,
    bytes: sum(entries) + sum(objects),
    rawBytes: entries.reduce((n, e) => n + (e.meta?.wasmSize ?? 0), 0),
    plainBytes: sum(plain),
    plainFiles: plain.length,
    ...(sorted.length
      ? { oldest: new Date(sorted[0]!.mtimeMs).toISOString(), newest: new Date(sorted.at(-1)!.mtimeMs).toISOString() }
      : {}),
  };
}

/**
 * Down to `maxBytes`: plain copies no running run used go first (they are made again from the
 * objects), then entries, least recently used first; an object goes with the last entry that
 * needs it, so a base stays while any entry is stored against it. Returns how many entries went.
 */
export async function pruneCache(layout: CacheLayout, maxBytes: number): Promise<number> {
  const pinned = await pinnedSince(layout.dir);
  const entries = (await listEntries(layout)).sort((a, b) => a.mtimeMs - b.mtimeMs);
  const objects = await sharded(layout.modules.objectsDir, '.zst');
  const plain = (await sharded(layout.modules.plainDir, '.wasm')).sort((a, b) => a.mtimeMs - b.mtimeMs);
  const users = new Map<string, number>();
  for (const e of entries) for (const o of objectsOf(e.meta)) users.set(o, (users.get(o) ?? 0) + 1);
  const objectBytes = new Map(objects.map((o) => [path.relative(layout.dir, o.file), o]));
  let stored = sum(entries) + sum(objects);
  let plainBytes = sum(plain);
  const dropObject = async (rel: string) => {
    const info = objectBytes.get(rel);
    if (!info) return;
    await fs.rm(info.file, { force: true });
    objectBytes.delete(rel);
    stored -= info.bytes;
  };

  for (const p of plain) {
    if (stored + plainBytes <= maxBytes) break;
    if (p.mtimeMs >= pinned) continue; // a running run reads it
    await fs.rm(p.file, { force: true });
    plainBytes -= p.bytes;
  }
  for (const [rel, o] of objectBytes)
    if (!users.has(rel) && o.mtimeMs < pinned && Date.now() - o.mtimeMs > UNNAMED_OBJECT_GRACE_MS)
      await dropObject(rel);

  let removed = 0;
  for (const entry of entries) {
    if (stored <= maxBytes) break;
    // used by a run that still runs: it may need it again (see cache-pins.ts)
    if (entry.mtimeMs >= pinned) continue;
    if (await isLocked(path.join(layout.locksDir, `${entry.key}.lock`))) continue;
    // meta first: without it the module is never used
    await fs.rm(entry.file, { force: true });
    await fs.rm(entry.file.replace(/\.json$/, '.wasm'), { force: true });
    stored -= entry.bytes;
    removed++;
    for (const o of objectsOf(entry.meta)) {
      const left = (users.get(o) ?? 1) - 1;
      users.set(o, left);
      if (left === 0) await dropObject(o);
    }
  }
  return removed;
}
