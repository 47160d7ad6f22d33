import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/config/options.ts';
import { CompileCache } from '../../src/run/compile-cache.ts';
import { detectToolchain, py2wasmEnv, type Toolchain } from '../../src/toolchain/index.ts';
import { compileWithPy2wasm } from '../../src/tools/py2wasm.ts';
import { skipWithout } from '../helpers/needs.ts';

// A toolchain that breaks under a running compile (here: the compiler cache the SDK's clang wrapper
// calls is gone, as when `apt-get remove ccache` runs meanwhile) fails the compile in the C backend.
// Such a failure says nothing about the script: it must not be kept, or the same inputs would be
// served the failure once the toolchain is whole again. Real py2wasm, real SDK wrapper.
let toolchain: Toolchain | undefined;
let dir: string;
const missing: string[] = [];

beforeAll(async () => {
  toolchain = await detectToolchain(defaultCacheDir()).catch(() => undefined);
  if (!toolchain) missing.push('the py2wasm toolchain (npx vitest-py2wasm setup)');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'broken-toolchain-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe.skipIf(skipWithout(missing))('a compile broken by its toolchain is not cached', () => {
  it('says the compile failed in the C backend and keeps no entry for it', async () => {
    const tc = toolchain!;
    // a stem of its own: the install's build folder for it is used by no other compile
    const script = path.join(dir, 'broken_backend_probe.py');
    await fs.writeFile(script, 'print("hello")\n');
    const cache = new CompileCache(path.join(dir, 'cache'), 1e10);
    const { meta, hit } = await cache.getOrCompile('b0b0', (outWasm) =>
      compileWithPy2wasm({
        py2wasm: tc.py2wasm,
        scriptPath: script,
        outWasm,
        timeoutMs: 300_000,
        lockDir: path.join(dir, 'locks'),
        env: { ...py2wasmEnv(tc), VITEST_PY2WASM_CCACHE: path.join(dir, 'no-such-ccache') },
      }),
    );
    expect(hit).toBe(false);
    expect(meta.ok).toBe(false);
    expect(meta.outcome.failedInBackend, meta.outcome.logTail).toBe(true);
    // Nuitka asks the compiler for its version first: the wrapper cannot start it
    expect(meta.outcome.logTail).toMatch(/Failed unexpectedly in Scons C backend compilation/);
    expect(await cache.get('b0b0')).toBeUndefined();
  });
});
