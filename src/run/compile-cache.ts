import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isLocked, withFileLock } from '../process/file-lock.ts';
import { pinnedSince } from './cache-pins.ts';
import { OWNER_MARK } from './scratch.ts';
import writeFileAtomic from 'write-file-atomic';
import type { CompileOutcome } from '../types.ts';

export interface CompileKeyInputs {
  /** Script file name (the stem shows in the wasm: a renamed copy is another entry). */
  scriptName: string;
  /** Relative path (text, or its bytes when a name is not UTF-8) -> content of the script and every `.py` beside or below it. */
  sources: Array<{ path: string | Buffer; content: Buffer | string }>;
  compilerFingerprint: string;
  sdkFingerprint: string;
  flags: string[];
}

/** A stored compile: the wasm (on success) and the outcome that produced it. */
export interface CacheEntryMeta {
  version: 1;
  key: string;
  ok: boolean;
  wasmSize?: number;
  wasmSha256?: string;
  createdAt: string;
  outcome: CompileOutcome;
}

export interface CacheStats {
  dir: string;
  entries: number;
  failures: number;
  bytes: number;
  oldest?: string;
  newest?: string;
}

const ENTRY_VERSION = 1;

/** Entry files (path, inode, mtime, size) whose hash this process has checked. */
const verified = new Set<string>();

export function compileCacheKey(inputs: CompileKeyInputs): string {
  const hash = crypto.createHash('sha256');
  hash.update(
    `v${ENTRY_VERSION}\0${inputs.scriptName}\0${inputs.compilerFingerprint}\0${inputs.sdkFingerprint}\0${inputs.flags.join('\u0001')}\0`,
  );
  const sources = inputs.sources.map((source) => ({ ...source, path: Buffer.from(source.path) }));
  for (const source of sources.sort((a, b) => Buffer.compare(a.path, b.path))) {
    hash.update(source.path);
    hash.update('\0');
    hash.update(crypto.createHash('sha256').update(source.content).digest('hex'));
  }
  return hash.digest('hex');
}

/**
 * Content-addressed store of compiled wasm. An entry is its `.json` meta, written (atomically)
 * only after the `.wasm` is in place and checked, so a crash mid-write leaves nothing that is used.
 * A lock per key makes concurrent workers and runs compile each key once.
 */
export class CompileCache {
  readonly entriesDir: string;
  readonly locksDir: string;
  readonly tmpDir: string;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    this.entriesDir = path.join(dir, 'wasm');
    this.locksDir = path.join(dir, 'locks');
    this.tmpDir = path.join(dir, 'tmp');
  }

  wasmPath(key: string): string {
    return path.join(this.entriesDir, key.slice(0, 2), `${key}.wasm`);
  }

  private metaPath(key: string): string {
    return path.join(this.entriesDir, key.slice(0, 2), `${key}.json`);
  }

  /** A usable entry, or undefined when there is none or it is damaged. Touches it for LRU. */
  async get(key: string): Promise<CacheEntryMeta | undefined> {
    let meta: CacheEntryMeta;
    try {
      meta = JSON.parse(await fs.readFile(this.metaPath(key), 'utf8')) as CacheEntryMeta;
    } catch {
      return undefined;
    }
    if (meta.version !== ENTRY_VERSION || meta.key !== key) return undefined;
    if (meta.ok && !(await this.intact(meta))) return undefined;
    const now = new Date();
    await fs.utimes(this.metaPath(key), now, now).catch(() => undefined);
    return meta;
  }

  /**
   * Whether the entry's wasm still hashes to what was stored; checked once per process per file
   * state (a write changes its mtime), so a hit costs one hash per run. A damaged entry is dropped.
   */
  private async intact(meta: CacheEntryMeta): Promise<boolean> {
    const file = this.wasmPath(meta.key);
    const st = await fs.stat(file).catch(() => undefined);
    if (!st || st.size !== meta.wasmSize) return false;
    const state = `${file}\0${st.ino}\0${st.mtimeMs}\0${st.size}`;
    if (verified.has(state)) return true;
    const sha = crypto
      .createHash('sha256')
      .update(await fs.readFile(file))
      .digest('hex');
    if (sha === meta.wasmSha256) {
      verified.add(state);
      return true;
    }
    process.emitWarning(
      `compile cache entry ${meta.key.slice(0, 12)} changed since it was stored (sha256 ${sha.slice(0, 12)}, stored ${meta.wasmSha256?.slice(0, 12)}): dropped, compiling again`,
      { code: 'VITEST_PY2WASM_CACHE' },
    );
    await this.remove(meta.key);
    return false;
  }

  private async remove(key: string): Promise<void> {
    // meta first: without it the wasm is never used
    await fs.rm(this.metaPath(key), { force: true });
    await fs.rm(this.wasmPath(key), { force: true });
  }

  /**
   * The entry for `key`, compiling it with `compile(outWasm)` when absent. Compile outcomes that
   * depend on the inputs (success, a compiler error) are stored; timeouts and spawn errors are not.
   */
  async getOrCompile(
    key: string,
    compile: (outWasm: string) => Promise<CompileOutcome>,
  ): Promise<{ meta: CacheEntryMeta; wasmPath: string; hit: boolean }> {
    const hit = await this.get(key);
    if (hit) return { meta: hit, wasmPath: this.wasmPath(key), hit: true };
    return withFileLock({ lockfilePath: path.join(this.locksDir, `${key}.lock`) }, async () => {
      const raced = await this.get(key);
      if (raced) return { meta: raced, wasmPath: this.wasmPath(key), hit: true };
      await fs.mkdir(this.tmpDir, { recursive: true });
      const work = await fs.mkdtemp(path.join(this.tmpDir, `${key.slice(0, 12)}${OWNER_MARK}${process.pid}-`));
      try {
        const outWasm = path.join(work, path.basename(this.wasmPath(key)));
        const meta = await this.store(key, await compile(outWasm), outWasm);
        return { meta, wasmPath: this.wasmPath(key), hit: false };
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    });
  }

  private async store(key: string, outcome: CompileOutcome, builtWasm: string): Promise<CacheEntryMeta> {
    const ok = outcome.exitCode === 0 && !outcome.timedOut && outcome.wasmPath !== undefined;
    const meta: CacheEntryMeta = {
      version: ENTRY_VERSION,
      key,
      ok,
      createdAt: new Date().toISOString(),
      outcome: { ...outcome, ...(ok ? { wasmPath: this.wasmPath(key) } : {}) },
    };
    // a compiler that exited 0 with a broken wasm (disk full, killed writer) may do better next time
    const cacheable =
      ok || (!outcome.timedOut && !outcome.spawnError && !outcome.invalidWasm && outcome.exitCode !== null);
    if (!cacheable) return meta;
    await fs.mkdir(path.dirname(this.metaPath(key)), { recursive: true });
    if (ok) {
      const content = await fs.readFile(builtWasm);
      meta.wasmSize = content.length;
      meta.wasmSha256 = crypto.createHash('sha256').update(content).digest('hex');
      // rename within one file system is atomic: readers see the whole file or none
      const staged = `${this.wasmPath(key)}.${process.pid}.tmp`;
      await fs.copyFile(builtWasm, staged);
      // read-only, and served as copies (placeWasm): a case never holds a writable handle on it
      await fs.chmod(staged, 0o444);
      await fs.rename(staged, this.wasmPath(key));
    }
    await writeFileAtomic(this.metaPath(key), JSON.stringify(meta, null, 2));
    await this.prune(this.maxBytes).catch(() => undefined);
    return meta;
  }

  private async listEntries(): Promise<
    Array<{ key: string; meta: CacheEntryMeta | undefined; bytes: number; mtimeMs: number }>
  > {
    const out: Array<{ key: string; meta: CacheEntryMeta | undefined; bytes: number; mtimeMs: number }> = [];
    const shards = await fs.readdir(this.entriesDir).catch(() => [] as string[]);
    for (const shard of shards) {
      const files = await fs.readdir(path.join(this.entriesDir, shard)).catch(() => [] as string[]);
      for (const file of files.filter((f) => f.endsWith('.json'))) {
        const key = file.slice(0, -5);
        const metaFile = path.join(this.entriesDir, shard, file);
        const [stat, meta] = await Promise.all([
          fs.stat(metaFile).catch(() => undefined),
          fs.readFile(metaFile, 'utf8').then(
            (t) => JSON.parse(t) as CacheEntryMeta,
            () => undefined,
          ),
        ]);
        const wasmBytes = await fs.stat(this.wasmPath(key)).then(
          (s) => s.size,
          () => 0,
        );
        out.push({ key, meta, bytes: wasmBytes + (stat?.size ?? 0), mtimeMs: stat?.mtimeMs ?? 0 });
      }
    }
    return out;
  }

  async stats(): Promise<CacheStats> {
    const entries = await this.listEntries();
    const sorted = [...entries].sort((a, b) => a.mtimeMs - b.mtimeMs);
    return {
      dir: this.dir,
      entries: entries.length,
      failures: entries.filter((e) => e.meta && !e.meta.ok).length,
      bytes: entries.reduce((n, e) => n + e.bytes, 0),
      ...(sorted.length
        ? { oldest: new Date(sorted[0]!.mtimeMs).toISOString(), newest: new Date(sorted.at(-1)!.mtimeMs).toISOString() }
        : {}),
    };
  }

  /** Drop least recently used entries until the store fits in `maxBytes`. Returns how many went. */
  async prune(maxBytes: number): Promise<number> {
    const entries = (await this.listEntries()).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    let removed = 0;
    const pinned = await pinnedSince(this.dir);
    for (const entry of entries) {
      if (total <= maxBytes) break;
      // used by a run that still runs: it may need it again (see cache-pins.ts)
      if (entry.mtimeMs >= pinned) continue;
      if (await isLocked(path.join(this.locksDir, `${entry.key}.lock`))) continue;
      await this.remove(entry.key);
      total -= entry.bytes;
      removed++;
    }
    return removed;
  }

  async clear(): Promise<number> {
    return this.prune(-1);
  }
}
