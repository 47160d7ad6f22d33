import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir, resolveOptions, SAMPLE_COOKBOOK } from '../../src/config/options.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { exportCache, importCache } from '../../src/run/cache-archive.ts';
import { CompileCache } from '../../src/run/compile-cache.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import { prepareRunEnvironment } from '../../src/run/prepare.ts';
import { inCI } from '../helpers/needs.ts';
import type { CompileOutcome } from '../../src/types.ts';

// Two sample cases compiled by the real py2wasm into a cache of this test's own (the toolchain,
// the Nuitka cache and the compiler cache borrowed from the user's cache by symlink, as the bench
// does): the second module is stored against the first, decodes byte-identical, and travels
// through export and import.
const CASES = ['unpacking.example1', 'formatting.example1'];
let cacheDir: string;
let missing = '';
const compiled: CompileOutcome[] = [];

describe('compile cache on real py2wasm modules', () => {
  beforeAll(async () => {
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'module-store-real-'));
    const source = process.env.PY2WASM_CACHE_DIR ?? defaultCacheDir(process.env);
    for (const name of ['toolchain', 'nuitka-cache', 'ccache']) {
      await fs.mkdir(path.join(source, name), { recursive: true });
      await fs.symlink(path.join(source, name), path.join(cacheDir, name), 'dir');
    }
    const options = resolveOptions(
      { root: SAMPLE_COOKBOOK, cases: CASES, targets: ['py2wasm+node'], cacheDir, autoSetup: false },
      {},
    );
    const doctor = await runDoctor(options);
    missing = ['py2wasm', 'zstd'].flatMap((t) => doctor.availability.problems[t] ?? []).join('; ');
    if (missing && inCI()) throw new Error(`missing in CI: ${missing}`);
    if (missing) return;
    const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
    for (const recipe of discoverCookbook(SAMPLE_COOKBOOK, { cases: CASES }).flatMap((c) => c.recipes)) {
      const runner = new RecipeRunner(env, recipe, scratchParent);
      for (const kase of recipe.cases) compiled.push(await runner.compile(kase));
      await runner.dispose();
    }
  }, 600_000);
  afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

  it('stores the second module against the first in well under a third of its size, byte-identical on a hit', async (ctx) => {
    if (missing) return ctx.skip(missing);
    expect(compiled.map((c) => c.exitCode)).toEqual([0, 0]);
    const cache = new CompileCache(path.join(cacheDir, 'compile'), Number.MAX_SAFE_INTEGER);
    const [first, second] = await Promise.all(compiled.map((c) => cache.get(c.cacheKey!)));
    expect(first!.meta.stored!.base).toBeUndefined();
    expect(second!.meta.stored!.base).toBe(first!.meta.wasmSha256);
    // measured: ~1 MB of ~27 MB; loosely here
    expect(second!.meta.stored!.bytes).toBeLessThan(0.3 * second!.meta.wasmSize!);
    const plain = await fs.readFile(second!.wasmPath!);
    await fs.rm(cache.modules.plainDir, { recursive: true });
    const decoded = await cache.get(compiled[1]!.cacheKey!);
    expect((await fs.readFile(decoded!.wasmPath!)).equals(plain)).toBe(true);
    const stats = await cache.stats();
    expect(stats.bytes).toBeLessThan(0.5 * stats.rawBytes);
  });

  it('carries both through export and import: hits, not compiles, in another cache', async (ctx) => {
    if (missing) return ctx.skip(missing);
    const archive = path.join(cacheDir, 'ci', 'cache.tar');
    await exportCache(archive, { cacheDir });
    const other = path.join(cacheDir, 'other');
    await importCache(archive, { cacheDir: other });
    const cache = new CompileCache(path.join(other, 'compile'), Number.MAX_SAFE_INTEGER);
    for (const c of compiled) {
      const hit = await cache.getOrCompile(c.cacheKey!, () => Promise.reject(new Error('must be a hit')));
      expect(hit.meta.wasmSha256).toBe(c.wasmSha256);
    }
  });
});
