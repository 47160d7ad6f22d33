import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveOptions } from '../../config/options.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import { resolveExecutable } from '../../process/which.ts';
import { exportCache, importCache } from '../../run/cache-archive.ts';
import { ciCacheKey } from '../../run/cache-key.ts';
import { CompileCache, type CacheStats } from '../../run/compile-cache.ts';
import { removeLeftovers } from '../../run/leftovers.ts';
import {
  cacheBudget,
  clearCompilerCache,
  compilerCacheFor,
  compilerCacheStats,
  pruneCompilerCache,
} from '../../tools/compiler-cache.ts';
import { formatBytes, parseSize } from '../size.ts';

export interface CacheFlags {
  prune?: boolean;
  maxSize?: string;
  clear?: boolean;
  /** Print the CI cache key (`key=...`) and restore prefix (`restore-key=...`). */
  key?: boolean;
}

interface CacheIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** `cache [export|import <file>] [--prune|--clear|--key]`. */
export async function cacheCommand(
  flags: CacheFlags & { action?: string | undefined; file?: string | undefined; signal?: AbortSignal },
  io: CacheIO,
): Promise<number> {
  const options = resolveOptions();
  const maxBytes = flags.maxSize ? parseSize(flags.maxSize) : options.cacheMaxBytes;
  const budget = cacheBudget(maxBytes);
  const cache = new CompileCache(path.join(options.cacheDir, 'compile'), budget.wasmBytes);
  const archive = { cacheDir: options.cacheDir, ...(flags.signal ? { signal: flags.signal } : {}) };
  if (flags.action && !['export', 'import'].includes(flags.action)) {
    io.stderr(`cache: unknown action ${flags.action} (export <file> or import <file>)\n`);
    return 2;
  }
  if (flags.action && !flags.file) {
    io.stderr(`cache ${flags.action}: name the archive file\n`);
    return 2;
  }
  if (flags.key) return printKey(options, io);
  if (flags.action === 'export') {
    const started = performance.now();
    const out = await exportCache(flags.file!, archive);
    io.stdout(`exported ${out.files} files (${formatBytes(out.bytes)}) to ${flags.file} in ${seconds(started)}\n`);
    return 0;
  }
  if (flags.action === 'import') {
    const started = performance.now();
    const out = await importCache(flags.file!, archive);
    io.stdout(
      `imported ${out.files - (out.kept ?? 0)} files from ${flags.file} (${out.kept ?? 0} already there) in ${seconds(started)}\n`,
    );
    await cache.prune(budget.wasmBytes);
  }
  const ccache = resolveExecutable('ccache');
  const objects = ccache ? compilerCacheFor(options.cacheDir, maxBytes, ccache) : undefined;
  if (flags.clear) {
    io.stdout(`removed ${await cache.clear()} entries\n`);
    if (objects) await clearCompilerCache(objects);
    await fs.rm(path.join(options.cacheDir, 'python'), { recursive: true, force: true });
    await fs.rm(path.join(options.cacheDir, 'wasm-runs'), { recursive: true, force: true });
    await fs.rm(path.join(options.cacheDir, 'diagnose'), { recursive: true, force: true });
    io.stdout('removed the cached CPython results and wasm runs\n');
  } else if (flags.prune) {
    io.stdout(`removed ${await cache.prune(budget.wasmBytes)} entries\n`);
    if (objects) await pruneCompilerCache(objects);
  }
  if (flags.clear || flags.prune) {
    // what runs that were killed left: their owners are gone, so nobody else removes it
    const left = await removeLeftovers(options.cacheDir);
    io.stdout(
      `removed ${left.scratch} leftover scratch folders, ${left.compileTmp} compile work folders, ${left.locks} abandoned locks\n`,
    );
  }
  io.stdout(formatCacheStats(await cache.stats(), budget.wasmBytes));
  if (objects) {
    const c = await compilerCacheStats(objects);
    io.stdout(
      `compiler cache (ccache) ${objects.dir}\n  objects: ${c.files}, size: ${formatBytes(c.bytes)} of ${formatBytes(objects.maxBytes)}\n  hits: ${c.hits}, misses: ${c.misses} (since the last --clear)\n`,
    );
  } else {
    io.stdout('compiler cache: ccache not found (apt-get install -y ccache)\n');
  }
  return 0;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** The key from the py2wasm a run would use (the doctor's fingerprints), in `$GITHUB_OUTPUT` form. */
async function printKey(options: ReturnType<typeof resolveOptions>, io: CacheIO): Promise<number> {
  const report = await runDoctor(options);
  if (!report.availability.py2wasm) {
    io.stderr(`cache --key: ${report.availability.problems.py2wasm ?? 'py2wasm not found'}\n`);
    return 1;
  }
  const { fingerprint, sdkFingerprint } = report.availability.py2wasm;
  const key = ciCacheKey(fingerprint, sdkFingerprint);
  io.stdout(`key=${key.key}\nrestore-key=${key.restorePrefix}\n`);
  return 0;
}

export function formatCacheStats(stats: CacheStats, limit: number): string {
  const ratio = stats.rawBytes
    ? ` (${Math.round((100 * stats.bytes) / stats.rawBytes)} % of the modules' ${formatBytes(stats.rawBytes)})`
    : '';
  return (
    `compile cache ${stats.dir}\n  entries: ${stats.entries} (${stats.failures} cached compile failures)\n` +
    `  stored: ${formatBytes(stats.bytes)} of ${formatBytes(limit)}${ratio}\n` +
    `  plain copies in use: ${stats.plainFiles} (${formatBytes(stats.plainBytes)}; made again on use, dropped first)\n` +
    (stats.oldest ? `  least recently used: ${stats.oldest}\n  most recently used: ${stats.newest}\n` : '')
  );
}
