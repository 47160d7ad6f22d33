import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { cacheBudget, compilerCacheEnv, compilerCacheFor, parseCcacheStats } from '../../src/tools/compiler-cache.ts';
import { CCACHE_ENV } from '../../src/toolchain/sdk-texts.ts';

describe('compiler cache settings', () => {
  it('takes a quarter of the cache size limit, the compiled wasm the rest', () => {
    expect(cacheBudget(4 * 1024 ** 3)).toEqual({ wasmBytes: 3 * 1024 ** 3, compilerBytes: 1024 ** 3 });
    const cache = compilerCacheFor('/c', 4 * 1024 ** 3, '/usr/bin/ccache');
    // ccache reads a bare number as gigabytes
    expect(compilerCacheEnv(cache)).toEqual({
      [CCACHE_ENV]: '/usr/bin/ccache',
      CCACHE_DIR: '/c/ccache',
      CCACHE_MAXSIZE: '1024Mi',
    });
  });

  it('reads ccache --print-stats', () => {
    const text =
      'cache_miss\t7\ncache_size_kibibyte\t2716\ncalled_for_link\t2\ndirect_cache_hit\t13\nfiles_in_cache\t16\nno_input_file\t2\npreprocessed_cache_hit\t1\nstats_updated_timestamp\t1796113442\n';
    expect(parseCcacheStats(text)).toEqual({ hits: 14, misses: 7, uncacheable: 4, bytes: 2716 * 1024, files: 16 });
  });

  it('reaches py2wasm through its environment unless turned off', () => {
    const found = {
      py2wasm: { command: ['py2wasm'], fingerprint: 'f', sdkFingerprint: 's', wasiSdkDir: '/sdk' },
      node: ['node'],
      versions: {},
      problems: {},
      ccache: '/usr/bin/ccache',
    };
    const on = buildEnvironment(resolveOptions({ cacheDir: '/c' }, {}), found);
    expect(on.py2wasm!.env).toMatchObject({
      WASI_SDK_DIR: '/sdk',
      [CCACHE_ENV]: '/usr/bin/ccache',
      CCACHE_DIR: '/c/ccache',
    });
    const off = buildEnvironment(resolveOptions({ cacheDir: '/c' }, { PY2WASM_COMPILER_CACHE: '0' }), found);
    expect(off.py2wasm!.env[CCACHE_ENV]).toBeUndefined();
    const missing = buildEnvironment(resolveOptions({ cacheDir: '/c', compilerCache: true }, {}), {
      ...found,
      ccache: null,
    });
    expect(missing.py2wasm!.env[CCACHE_ENV]).toBeUndefined();
  });
});
