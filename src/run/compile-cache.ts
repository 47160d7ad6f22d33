import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../process/file-lock.ts';
import { pruneCache, cacheStats } from './compile-cache-prune.ts';
import { ENTRY_VERSION, readMeta, type CacheEntryMeta, type CacheStats } from './compile-cache-meta.ts';
import { ModuleStore, sha256File } from './module-store.ts';
import { OWNER_MARK } from './scratch.ts';
import writeFileAtomic from 'write-file-atomic';
import type { CompileOutcome } from '../types.ts';

export type { CacheEntryMeta, CacheStats } from './compile-cache-meta.ts';

export interface CompileKeyInputs {
  /** Script file name (the stem shows in the wasm: a renamed copy is another entry). */
  scriptName: string;
  /** Relative path (text, or its bytes when a name is not UTF-8) -> content of the script and every `.py` beside or below it. */
  sources: Array<{ path: string | Buffer; content: Buffer | string }>;
  compilerFingerprint: string;
  sdkFingerprint: string;
  flags: string[];
}

/** An entry found: its meta and, on success, the plain module to read. */
export interface CacheHit {
  meta: CacheEntryMeta;
  wasmPath?: string;
}

/** In every key: bumping it makes every entry miss. */
const KEY_VERSION = 1;

export function compileCacheKey(inputs: CompileKeyInputs): string {
  const hash = crypto.createHash('sha256');
  hash.update(
    `v${KEY_VERSION}\0${inputs.scriptName}\0${inputs.compilerFingerprint}\0${inputs.sdkFingerprint}\0${inputs.flags.join('\u0001')}\0`,
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
 * only after its module is stored and checked, so a crash mid-write leaves nothing that is used.
 * Modules are stored by `ModuleStore` (zstd, against the toolchain's base module); a hit is served as
 * a plain read-only copy, checked against the module's sha256. A lock per key makes concurrent
 * workers and runs compile each key once.
 */
export class CompileCache {
  readonly entriesDir: string;
  readonly locksDir: string;
  readonly tmpDir: string;
  readonly modules: ModuleStore;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    this.entriesDir = path.join(dir, 'wasm');
    this.locksDir = path.join(dir, 'locks');
    this.tmpDir = path.join(dir, 'tmp');
    this.modules = new ModuleStore(dir);
  }

  /** An old (version 1) entry's plain module. */
  legacyWasmPath(key: string): string {
    return path.join(this.entriesDir, key.slice(0, 2), `${key}.wasm`);
  }

  metaPath(key: string): string {
    return path.join(this.entriesDir, key.slice(0, 2), `${key}.json`);
  }

  /**
   * A usable entry, or undefined when there is none or it is damaged (then dropped, with a warning).
   * Touches it for LRU. An old plain entry is moved into the store when `family` is given.
   */
  async get(key: string, family?: string): Promise<CacheHit | undefined> {
    const meta = await readMeta(this.metaPath(key));
    if (!meta || meta.key !== key) return undefined;
    const now = new Date();
    await fs.utimes(this.metaPath(key), now, now).catch(() => undefined);
    if (!meta.ok) return { meta };
    if (meta.version === 1) return this.getLegacy(meta, family);
    const wasmPath =
      meta.stored && meta.wasmSha256 ? await this.modules.plain(meta.wasmSha256, meta.stored) : undefined;
    if (wasmPath) return { meta, wasmPath };
    warnDropped(meta, 'does not decode to the module it stored');
    if (meta.stored) await this.modules.drop(meta.stored);
    await this.remove(key);
    return undefined;
  }

  private async getLegacy(meta: CacheEntryMeta, family?: string): Promise<CacheHit | undefined> {
    const file = this.legacyWasmPath(meta.key);
    const st = await fs.stat(file).catch(() => undefined);
    const sha = st?.size === meta.wasmSize ? await sha256File(file) : undefined;
    if (!sha || sha !== meta.wasmSha256) {
      warnDropped(meta, `changed since it was stored (sha256 ${sha?.slice(0, 12) ?? 'none'})`);
      await this.remove(meta.key);
      return undefined;
    }
    if (!family) return { meta, wasmPath: file };
    const migrated: CacheEntryMeta = {
      ...meta,
      version: ENTRY_VERSION,
      family,
      stored: await this.modules.put(file, sha, family),
    };
    await writeFileAtomic(this.metaPath(meta.key), JSON.stringify(migrated, null, 2));
    await fs.rm(file, { force: true });
    return { meta: migrated, wasmPath: this.modules.plainPath(sha) };
  }

  private async remove(key: string): Promise<void> {
    // meta first: without it the module is never used
    await fs.rm(this.metaPath(key), { force: true });
    await fs.rm(this.legacyWasmPath(key), { force: true });
  }

  /**
   * The entry for `key`, compiling it with `compile(outWasm)` when absent. Compile outcomes that
   * depend on the inputs (success, a compiler error) are stored; timeouts and spawn errors are not.
   * `family` names the toolchain (its entries are stored against one base module).
   */
  async getOrCompile(
    key: string,
    compile: (outWasm: string) => Promise<CompileOutcome>,
    family = 'default',
  ): Promise<{ meta: CacheEntryMeta; wasmPath?: string; hit: boolean }> {
    const hit = await this.get(key, family);
    if (hit) return { ...hit, hit: true };
    return withFileLock({ lockfilePath: path.join(this.locksDir, `${key}.lock`) }, async () => {
      const raced = await this.get(key, family);
      if (raced) return { ...raced, hit: true };
      await fs.mkdir(this.tmpDir, { recursive: true });
      const work = await fs.mkdtemp(path.join(this.tmpDir, `${key.slice(0, 12)}${OWNER_MARK}${process.pid}-`));
      try {
        const outWasm = path.join(work, `${key}.wasm`);
        return { ...(await this.store(key, await compile(outWasm), outWasm, family)), hit: false };
      } finally {
        await fs.rm(work, { recursive: true, force: true });
      }
    });
  }

  private async store(
    key: string,
    outcome: CompileOutcome,
    builtWasm: string,
    family: string,
  ): Promise<{ meta: CacheEntryMeta; wasmPath?: string }> {
    const ok = outcome.exitCode === 0 && !outcome.timedOut && outcome.wasmPath !== undefined;
    const { wasmPath: _built, ...rest } = outcome;
    const meta: CacheEntryMeta = {
      version: ENTRY_VERSION,
      key,
      ok,
      createdAt: new Date().toISOString(),
      outcome: rest,
    };
    // Only what the script itself decides is kept: a compiler that exited 0 with a broken wasm (disk
    // full, killed writer), or a C compile or link that failed (ccache or wasi-libc removed under a
    // running compile, a full disk, a crashed clang), may do better next time with the same inputs.
    const cacheable =
      ok ||
      (!outcome.timedOut &&
        !outcome.spawnError &&
        !outcome.invalidWasm &&
        !outcome.failedInBackend &&
        outcome.exitCode !== null);
    if (!cacheable) return { meta };
    let wasmPath: string | undefined;
    if (ok) {
      const sha = await sha256File(builtWasm);
      Object.assign(meta, { wasmSize: (await fs.stat(builtWasm)).size, wasmSha256: sha, family });
      meta.stored = await this.modules.put(builtWasm, sha, family);
      wasmPath = this.modules.plainPath(sha);
    }
    await fs.mkdir(path.dirname(this.metaPath(key)), { recursive: true });
    await writeFileAtomic(this.metaPath(key), JSON.stringify(meta, null, 2));
    await this.prune(this.maxBytes).catch(() => undefined);
    return { meta, ...(wasmPath ? { wasmPath } : {}) };
  }

  stats(): Promise<CacheStats> {
    return cacheStats(this);
  }

  /**
   * Down to `maxBytes`: first the plain copies no running run uses, then the least recently used
   * entries, never a base module that entries still need. Returns how many entries went.
   */
  prune(maxBytes: number): Promise<number> {
    return pruneCache(this, maxBytes);
  }

  async clear(): Promise<number> {
    return this.prune(-1);
  }
}

function warnDropped(meta: CacheEntryMeta, why: string): void {
  process.emitWarning(
    `compile cache entry ${meta.key.slice(0, 12)} ${why} (stored sha256 ${meta.wasmSha256?.slice(0, 12)}): dropped, compiling again`,
    { code: 'VITEST_PY2WASM_CACHE' },
  );
}
