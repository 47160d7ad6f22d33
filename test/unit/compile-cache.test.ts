import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/cookbook-options.ts';
import { pinRun } from '../../src/run/cache-pins.ts';
import { cacheBudget } from '../../src/tools/compiler-cache.ts';
import { compileCacheKey, CompileCache } from '../../src/run/compile-cache.ts';
import type { CompileOutcome } from '../../src/types.ts';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cache-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const outcome = (over: Partial<CompileOutcome> = {}): CompileOutcome => ({
  compiler: 'py2wasm',
  cached: false,
  exitCode: 0,
  timedOut: false,
  durationMs: 10,
  logTail: '',
  command: ['py2wasm'],
  ...over,
});

/** A compile that writes `bytes` of wasm and counts its calls. */
function fakeCompile(bytes: number, calls: { n: number }, delayMs = 0) {
  return async (out: string) => {
    calls.n++;
    await new Promise((r) => setTimeout(r, delayMs));
    await fs.writeFile(out, Buffer.alloc(bytes, 7));
    return outcome({ wasmPath: out, wasmSize: bytes });
  };
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

describe('CompileCache', () => {
  it('compiles once, then serves hits', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const first = await cache.getOrCompile('ab12', fakeCompile(100, calls));
    const second = await cache.getOrCompile('ab12', fakeCompile(100, calls));
    expect(calls.n).toBe(1);
    expect(first.hit).toBe(false);
    expect(second.hit).toBe(true);
    expect((await fs.stat(second.wasmPath)).size).toBe(100);
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

  it('never uses a damaged entry: a truncated wasm or garbage meta means compile again', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const { wasmPath } = await cache.getOrCompile('ef56', fakeCompile(100, calls));
    await fs.truncate(wasmPath, 10);
    expect(await cache.get('ef56')).toBeUndefined();
    await cache.getOrCompile('ef56', fakeCompile(100, calls));
    expect(calls.n).toBe(2);
    await fs.writeFile(wasmPath.replace(/\.wasm$/, '.json'), '{"half":');
    expect(await cache.get('ef56')).toBeUndefined();
  });

  it('drops a hit whose wasm changed since it was stored (same size), warns, and compiles again', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    const { wasmPath } = await cache.getOrCompile('cc01', fakeCompile(100, calls));
    expect((await fs.stat(wasmPath)).mode & 0o222).toBe(0);
    expect((await cache.getOrCompile('cc01', fakeCompile(100, calls))).hit).toBe(true);
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    await fs.chmod(wasmPath, 0o644);
    await fs.writeFile(wasmPath, Buffer.alloc(100, 9));
    const again = await cache.getOrCompile('cc01', fakeCompile(100, calls));
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(again.hit).toBe(false);
    expect(calls.n).toBe(2);
    expect(warnings.join('\n')).toMatch(/compile cache entry cc01 changed since it was stored/);
    expect(await fs.readFile(again.wasmPath)).toEqual(Buffer.alloc(100, 7));
  });

  it('does not cache a compile whose output is not a wasm module', async () => {
    const cache = new CompileCache(dir, 1e9);
    await cache.getOrCompile('cc02', async () =>
      outcome({ invalidWasm: 'out.wasm (5 bytes) is not a usable wasm module: truncated' }),
    );
    expect(await cache.get('cc02')).toBeUndefined();
  });

  it('stores compiler errors but not timeouts', async () => {
    const cache = new CompileCache(dir, 1e9);
    await cache.getOrCompile('aa01', async () => outcome({ exitCode: 1, logTail: 'FATAL: boom' }));
    expect((await cache.get('aa01'))?.ok).toBe(false);
    await cache.getOrCompile('aa02', async () => outcome({ exitCode: null, timedOut: true }));
    expect(await cache.get('aa02')).toBeUndefined();
  });

  it('never evicts an entry a running run used, even beyond the limit; after the run the limit holds again', async () => {
    const cache = new CompileCache(dir, 3000);
    const calls = { n: 0 };
    await cache.getOrCompile('old1', fakeCompile(1000, calls));
    await new Promise((r) => setTimeout(r, 20));
    const unpin = await pinRun(dir, 'run-1');
    // a run that needs four entries of a cache that holds two
    for (const key of ['a001', 'a002', 'a003', 'a004']) await cache.getOrCompile(key, fakeCompile(1000, calls));
    for (const key of ['a001', 'a002', 'a003', 'a004'])
      expect((await cache.getOrCompile(key, fakeCompile(1000, calls))).hit, key).toBe(true);
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
    expect(await cache.prune(3000)).toBe(2);
    expect((await cache.stats()).entries).toBe(2);
    expect(await fs.readdir(path.join(dir, 'runs'))).toEqual([]);
  });

  it('evicts least recently used entries beyond the size limit', async () => {
    const cache = new CompileCache(dir, 1e9);
    const calls = { n: 0 };
    for (const key of ['k1', 'k2', 'k3']) {
      await cache.getOrCompile(`${key}xx`, fakeCompile(1000, calls));
      await new Promise((r) => setTimeout(r, 20));
    }
    await cache.get('k1xx'); // touch: now k2 is the least recently used
    const removed = await cache.prune(3000);
    expect(removed).toBe(1);
    expect(await cache.get('k2xx')).toBeUndefined();
    expect(await cache.get('k1xx')).toBeDefined();
    expect((await cache.stats()).entries).toBe(2);
  });
});

describe('the default size limit', () => {
  it("holds a whole cookbook's wasm (183 py2wasm modules of 26.8 MB, measured) beside the compiler cache's share", () => {
    expect(cacheBudget(DEFAULTS.cacheMaxBytes).wasmBytes).toBeGreaterThan(183 * 26.8e6 * 1.2);
  });
});
