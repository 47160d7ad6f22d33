// Target 8: the compile cache's size and speed, and a warm re-run that waits for nothing.
// 8a: every module of the user's compile cache (after `npm run cookbook`: the sample's, with the
// diagnose stage's --debug and --trace-execution builds) stored again in a fresh cache, one
// toolchain: stored / raw. 8b: a hit as the old plain entries cost it (read + sha256 of the module)
// against a hit that decodes from the store (zstd + sha256), against a compile. 8c: export and
// import of that cache. 8d: a warm re-run of the whole sample (its wasm timeout case included)
// with the wasm-run cache off (before) and on (after).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SAMPLE_COOKBOOK } from '../src/config/options.ts';
import { discoverCookbook } from '../src/discover/discover.ts';
import { exportCache, importCache } from '../src/run/cache-archive.ts';
import { readMeta } from '../src/run/compile-cache-meta.ts';
import { CompileCache } from '../src/run/compile-cache.ts';
import { caseNames, makeCacheDir, mean, median, removeDir, runVitest, secs, userCacheDir, verdict } from './common.ts';
import type { BenchContext, Row, Section } from './common.ts';

const MB = 1e6;

interface UserModule {
  key: string;
  file: string;
  bytes: number;
  compileMs: number;
}

/** The modules of the user's compile cache, as plain files (decoded when only stored). */
async function userModules(): Promise<UserModule[]> {
  const compileDir = path.join(userCacheDir(), 'compile');
  const cache = new CompileCache(compileDir, Number.MAX_SAFE_INTEGER);
  const out: UserModule[] = [];
  for (const shard of await fs.readdir(cache.entriesDir).catch(() => [] as string[])) {
    for (const name of await fs.readdir(path.join(cache.entriesDir, shard))) {
      if (!name.endsWith('.json')) continue;
      const meta = await readMeta(path.join(cache.entriesDir, shard, name));
      if (!meta?.ok) continue;
      const hit = await cache.get(meta.key);
      if (hit?.wasmPath)
        out.push({ key: meta.key, file: hit.wasmPath, bytes: meta.wasmSize ?? 0, compileMs: meta.outcome.durationMs });
    }
  }
  return out;
}

async function storeAll(dir: string, modules: UserModule[]): Promise<{ cache: CompileCache; encodeMs: number[] }> {
  const cache = new CompileCache(path.join(dir, 'compile'), Number.MAX_SAFE_INTEGER);
  const encodeMs: number[] = [];
  for (const m of modules) {
    const started = performance.now();
    await cache.getOrCompile(
      m.key,
      async (out) => {
        await fs.copyFile(m.file, out);
        return {
          compiler: 'py2wasm',
          cached: false,
          exitCode: 0,
          timedOut: false,
          durationMs: m.compileMs,
          logTail: '',
          command: [],
          wasmPath: out,
        };
      },
      'bench',
    );
    encodeMs.push(performance.now() - started);
  }
  return { cache, encodeMs };
}

/**
 * Mean time of `get` for each key. `decode`: its plain copy removed first (the toolchain's base
 * keeps its copy, as in use), or every copy (`all`: a cache just imported).
 */
async function hitTimes(
  cache: CompileCache,
  keys: string[],
  reps: number,
  decode: 'none' | 'own' | 'all',
): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < reps; r++)
    for (const key of keys) {
      const sha = (await readMeta(cache.metaPath(key)))?.wasmSha256;
      if (decode === 'all') await fs.rm(cache.modules.plainDir, { recursive: true, force: true });
      if (decode === 'own' && sha) await fs.rm(cache.modules.plainPath(sha), { force: true });
      const started = performance.now();
      const hit = await cache.get(key);
      times.push(performance.now() - started);
      if (!hit?.wasmPath) throw new Error(`bench: ${key} did not hit`);
    }
  return times;
}

/** The same modules as old plain entries (version 1: `<key>.wasm` beside the meta), which a hit hashes. */
async function legacyCache(dir: string, modules: UserModule[]): Promise<CompileCache> {
  const cache = new CompileCache(path.join(dir, 'legacy'), Number.MAX_SAFE_INTEGER);
  for (const m of modules) {
    const meta = await readMeta(path.join(userCacheDir(), 'compile', 'wasm', m.key.slice(0, 2), `${m.key}.json`));
    await fs.mkdir(path.dirname(cache.metaPath(m.key)), { recursive: true });
    await fs.copyFile(m.file, cache.legacyWasmPath(m.key));
    await fs.writeFile(cache.metaPath(m.key), JSON.stringify({ ...meta, version: 1, stored: undefined }));
  }
  return cache;
}

export const cacheSection: Section = {
  name: 'cache',
  title:
    '8. compile cache: stored <= 20 % of raw (sample); a hit far below a compile; warm re-run of the sample < 30 s',
  async run(ctx: BenchContext): Promise<Row[]> {
    const rows: Row[] = [];
    const modules = await userModules();
    if (modules.length < 2)
      throw new Error('the compile cache holds fewer than 2 modules: run `npm run cookbook` first');
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'vitest-py2wasm-bench-cache-'));
    try {
      const { cache, encodeMs } = await storeAll(work, modules);
      const stats = await cache.stats();
      ctx.log(
        `  ${modules.length} modules, ${(stats.rawBytes / MB).toFixed(1)} MB raw -> ${(stats.bytes / MB).toFixed(1)} MB stored; store (zstd) per module: median ${secs(median(encodeMs))}`,
      );
      const ratio = stats.bytes / stats.rawBytes;
      rows.push({
        id: '8a',
        target: 'stored / raw, sample modules',
        measured: `${(stats.bytes / MB).toFixed(1)} MB of ${(stats.rawBytes / MB).toFixed(1)} MB (${modules.length} modules)`,
        ratio: `${(100 * ratio).toFixed(1)} %`,
        verdict: verdict(ratio <= 0.2),
      });

      const keys = modules.slice(0, Math.min(8, modules.length)).map((m) => m.key);
      const reps = Math.max(1, Math.min(ctx.reps, 3));
      const before = mean(await hitTimes(await legacyCache(work, modules.slice(0, keys.length)), keys, reps, 'none'));
      const after = mean(await hitTimes(cache, keys.slice(1), reps, 'own'));
      const imported = mean(await hitTimes(cache, keys.slice(1), 1, 'all'));
      const compile = median(modules.map((m) => m.compileMs));
      ctx.log(
        `  hit: old plain entry ${secs(before)}; decoded from the store ${secs(after)} (base copy in use), ${secs(imported)} (no copy at all: base decoded too); median compile ${secs(compile)}`,
      );
      rows.push({
        id: '8b',
        target: 'hit time (decode + sha256) vs a compile',
        measured: `before ${secs(before)}, after ${secs(after)} (${secs(imported)} with no plain copy), compile ${secs(compile)}`,
        ratio: `${((100 * after) / compile).toFixed(1)} % of a compile`,
        verdict: verdict(after < compile * 0.05),
      });

      const archive = path.join(work, 'cache.tar');
      let started = performance.now();
      const exported = await exportCache(archive, { cacheDir: work });
      const exportMs = performance.now() - started;
      started = performance.now();
      await importCache(archive, { cacheDir: path.join(work, 'imported') });
      const importMs = performance.now() - started;
      rows.push({
        id: '8c',
        target: 'cache export / import (figures)',
        measured: `${exported.files} files, ${((await fs.stat(archive)).size / MB).toFixed(1)} MB: export ${secs(exportMs)}, import ${secs(importMs)}`,
        ratio: '-',
        verdict: 'PASS',
      });
    } finally {
      await removeDir(work, ctx);
    }

    const cases = caseNames(discoverCookbook(SAMPLE_COOKBOOK).flatMap((c) => c.recipes));
    const dir = await makeCacheDir('rerun', 'shared');
    try {
      const report = path.join(dir, 'report');
      const run = (on: boolean) =>
        runVitest({
          cacheDir: dir,
          reportDir: report,
          maxWorkers: 2,
          cases,
          env: { PY2WASM_WASM_RUN_CACHE: on ? '1' : '0' },
        });
      await run(true); // fills the CPython, wasm-run and diagnosis caches of this folder
      const off = await run(false);
      const on = await run(true);
      ctx.log(`  warm re-run of ${cases.length} cases: wasm-run cache off ${secs(off.wallMs)}, on ${secs(on.wallMs)}`);
      rows.push({
        id: '8d',
        target: 'warm re-run of the sample < 30 s',
        measured: `before (wasm runs run) ${secs(off.wallMs)}, after (cached) ${secs(on.wallMs)}`,
        ratio: `${(off.wallMs / on.wallMs).toFixed(1)}x`,
        verdict: verdict(on.wallMs < 30_000),
      });
    } finally {
      await removeDir(dir, ctx);
    }
    return rows;
  },
};
