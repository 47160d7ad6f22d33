import path from 'node:path';
import { runProcess } from '../process/run.ts';
import { CCACHE_ENV } from '../toolchain/sdk-texts.ts';

/**
 * The compiler cache in front of clang: Debian's `ccache`, called by the WASI SDK's `bin/clang`
 * wrapper when CCACHE_ENV names it. It lives in `<cacheDir>/ccache` and takes a share of
 * `cacheMaxBytes`; the compiled-wasm cache gets the rest.
 */
export interface CompilerCache {
  /** The ccache executable. */
  ccache: string;
  /** Its cache folder (CCACHE_DIR). */
  dir: string;
  /** Size limit; ccache evicts by itself beyond it. */
  maxBytes: number;
}

export interface CompilerCacheStats {
  hits: number;
  misses: number;
  /** Calls ccache passed through uncached (links, `-dumpversion`, unsupported options). */
  uncacheable: number;
  bytes: number;
  files: number;
}

/** Share of the cache size limit given to the compiler cache. */
const COMPILER_CACHE_SHARE = 0.25;

/** How `cacheMaxBytes` is split between compiled wasm and compiled C objects. */
export function cacheBudget(maxBytes: number): { wasmBytes: number; compilerBytes: number } {
  const compilerBytes = Math.floor(maxBytes * COMPILER_CACHE_SHARE);
  return { wasmBytes: maxBytes - compilerBytes, compilerBytes };
}

export function compilerCacheFor(cacheDir: string, maxBytes: number, ccache: string): CompilerCache {
  return { ccache, dir: path.join(cacheDir, 'ccache'), maxBytes: cacheBudget(maxBytes).compilerBytes };
}

/** Environment of a py2wasm compile that goes through the compiler cache. */
export function compilerCacheEnv(cache: CompilerCache): Record<string, string> {
  return {
    [CCACHE_ENV]: cache.ccache,
    CCACHE_DIR: cache.dir,
    // ccache reads a bare number as GB: say mebibytes
    CCACHE_MAXSIZE: `${Math.max(1, Math.floor(cache.maxBytes / 1024 ** 2))}Mi`,
  };
}

async function ccache(cache: CompilerCache, args: string[]): Promise<string> {
  const out = await runProcess([cache.ccache, ...args], {
    cwd: process.cwd(),
    timeoutMs: 120_000,
    env: compilerCacheEnv(cache),
  });
  if (out.exitCode !== 0) {
    throw new Error(
      `${cache.ccache} ${args.join(' ')} exited ${String(out.exitCode)}${out.spawnError ? ` (${out.spawnError})` : ''}: ${out.stderr.text.trim()}`,
    );
  }
  return out.stdout.text;
}

/** ccache's own counters (`--print-stats`), summed the way its summary does. */
export async function compilerCacheStats(cache: CompilerCache): Promise<CompilerCacheStats> {
  return parseCcacheStats(await ccache(cache, ['--print-stats']));
}

export function parseCcacheStats(text: string): CompilerCacheStats {
  const n: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.split('\t');
    if (key && value !== undefined) n[key] = Number(value);
  }
  const get = (k: string) => n[k] ?? 0;
  const uncacheable = Object.entries(n)
    .filter(([k]) =>
      /^(called_for_|no_input_file|unsupported_|multiple_source_files|output_to_stdout|autoconf_test|bad_|could_not_|compiler_produced_|compile_failed|preprocessor_error)/.test(
        k,
      ),
    )
    .reduce((s, [, v]) => s + v, 0);
  return {
    hits: get('direct_cache_hit') + get('preprocessed_cache_hit'),
    misses: get('cache_miss'),
    uncacheable,
    bytes: get('cache_size_kibibyte') * 1024,
    files: get('files_in_cache'),
  };
}

/** Zeroes the counters, so the next `compilerCacheStats` counts one run (the bench's compiles section). */
export async function zeroCompilerCacheStats(cache: CompilerCache): Promise<void> {
  await ccache(cache, ['--zero-stats']);
}

/** Removes every cached object and zeroes the counters. */
export async function clearCompilerCache(cache: CompilerCache): Promise<void> {
  await ccache(cache, ['--clear', '--zero-stats']);
}

/** Evicts down to `maxBytes` (`ccache --cleanup` under that limit). */
export async function pruneCompilerCache(cache: CompilerCache): Promise<void> {
  await ccache(cache, ['--cleanup']);
}
