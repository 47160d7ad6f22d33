import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aptInstallLine, findMissingDebianPackages, missingPackagesMessage } from '../../src/toolchain/debian.ts';
import { checkAlltypes } from '../../src/toolchain/pthread-header.ts';
import { CCACHE_ENV, CCACHE_SETTINGS, clangWrapper, DLSTUB_C, pthreadHeader } from '../../src/toolchain/sdk-texts.ts';
import { resolvePy2wasmSpec } from '../../src/toolchain/venv.ts';

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'p2w-inputs-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function touch(rel: string, mode = 0o644): Promise<void> {
  const file = path.join(tmp, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, '', { mode });
}

describe('Debian package check', () => {
  it('names exactly the missing packages in one apt-get line', async () => {
    await touch('usr/lib/llvm-19/bin/clang');
    await touch('usr/lib/llvm-19/bin/llvm-ar');
    await touch('usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a');
    const missing = await findMissingDebianPackages({ root: tmp, needSdk: true, pathEnv: path.join(tmp, 'nobin') });
    expect(missing.map((m) => m.pkg)).toEqual(['lld-19', 'wasi-libc', 'patchelf', 'ccache', 'zstd']);
    const msg = missingPackagesMessage(missing);
    expect(msg).toContain('\n  apt-get install -y lld-19 wasi-libc patchelf ccache zstd');
    expect(msg).toContain('/usr/lib/llvm-19/bin/wasm-ld');
  });

  it('finds nothing missing when every file is there', async () => {
    for (const f of ['bin/clang', 'bin/wasm-ld', 'bin/llvm-ar', 'lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a'])
      await touch(`usr/lib/llvm-19/${f}`);
    await touch('usr/include/wasm32-wasi/stdio.h');
    await touch('usr/lib/wasm32-wasi/libc.a');
    await touch('bin/patchelf', 0o755);
    await touch('bin/ccache', 0o755);
    await touch('bin/zstd', 0o755);
    expect(await findMissingDebianPackages({ root: tmp, needSdk: true, pathEnv: path.join(tmp, 'bin') })).toEqual([]);
  });

  it('needs only patchelf and zstd (the compile cache) when the user brings the WASI SDK', async () => {
    const missing = await findMissingDebianPackages({ root: tmp, needSdk: false, pathEnv: '' });
    expect(missing.map((m) => m.pkg)).toEqual(['patchelf', 'zstd']);
    expect(aptInstallLine(['patchelf', 'patchelf'])).toBe('apt-get install -y patchelf');
  });
});

describe('py2wasm spec', () => {
  it.each([
    ['py2wasm==2.6.3', 'pip'],
    ['py2wasm>=2.6,<3', 'pip'],
    ['py2wasm @ https://example.invalid/py2wasm.tar.gz', 'pip'],
    ['./py2wasm', 'path'],
    ['../checkouts/py2wasm', 'path'],
    ['/src/py2wasm', 'path'],
    ['checkouts/py2wasm', 'path'],
  ])('%s is a %s spec', (spec, kind) => {
    expect(resolvePy2wasmSpec(spec, '/home/u/proj').kind).toBe(kind);
  });

  it('installs a checkout editable by absolute path', () => {
    expect(resolvePy2wasmSpec('../py2wasm', '/home/u/proj')).toEqual({
      kind: 'path',
      spec: '/home/u/py2wasm',
      pipArgs: ['-e', '/home/u/py2wasm'],
    });
  });
});

describe('pthread.h against the sysroot alltypes.h', () => {
  const pthreadH = '#define __NEED_pthread_t\n#define __NEED_pthread_mutex_t\n#include <bits/alltypes.h>\n';
  const alltypes =
    '#if defined(__NEED_pthread_t) && !defined(__DEFINED_pthread_t)\n#endif\n#if defined(__NEED_pthread_mutex_t)\n#endif\n';

  it('is identical when the files are', () => {
    expect(checkAlltypes(pthreadH, alltypes, alltypes)).toBe('identical');
  });
  it('is compatible when every needed type is defined', () => {
    expect(checkAlltypes(pthreadH, `${alltypes}/* newer */\n`, alltypes)).toBe('compatible');
  });
  it('fails naming the types the sysroot lacks', () => {
    expect(() => checkAlltypes(`${pthreadH}#define __NEED_pthread_spinlock_t\n`, 'other', alltypes)).toThrow(
      /pthread_spinlock_t/,
    );
  });
});

describe('generated SDK texts', () => {
  it('wrap Debian clang with the WASI target and the features old runtimes reject turned off', () => {
    const w = clangWrapper('/usr/lib/llvm-19/bin', 'clang');
    expect(w.startsWith('#!/bin/sh\n')).toBe(true);
    expect(w).toContain(
      'set -- --target=wasm32-wasi --sysroot="$SDK/share/wasi-sysroot" -B "$SDK/bin" -mno-reference-types -mno-multivalue "$@"',
    );
    // the fingerprint follows the compiler through this line
    expect(w).toContain('\nexec /usr/lib/llvm-19/bin/clang "$@"\n');
  });

  it('call clang directly, or through the ccache the environment names, with the constants blob cached too', async () => {
    // stand-ins that print how they were called
    const llvm = path.join(tmp, 'llvm', 'bin');
    await fs.mkdir(llvm, { recursive: true });
    await fs.writeFile(
      path.join(llvm, 'clang'),
      '#!/bin/sh\necho "clang $* disable=${CCACHE_DISABLE:-} base=${CCACHE_BASEDIR:-}"\n',
      { mode: 0o755 },
    );
    const ccache = path.join(tmp, 'ccache');
    await fs.writeFile(ccache, '#!/bin/sh\necho "ccache $1 sloppiness=$CCACHE_SLOPPINESS"\nexec "$@"\n', {
      mode: 0o755,
    });
    await fs.mkdir(path.join(tmp, 'sdk', 'bin'), { recursive: true });
    const wrapper = path.join(tmp, 'sdk', 'bin', 'clang');
    await fs.writeFile(wrapper, clangWrapper(llvm, 'clang'), { mode: 0o755 });
    const sdk = await fs.realpath(path.join(tmp, 'sdk'));
    const plain = await execa(wrapper, ['-c', 'x.c'], { env: { CCACHE_DISABLE: '1' } });
    expect(plain.stdout).toBe(
      `clang --target=wasm32-wasi --sysroot=${sdk}/share/wasi-sysroot -B ${sdk}/bin -mno-reference-types -mno-multivalue -c x.c disable=1 base=`,
    );
    const cached = await execa(wrapper, ['-c', '__constants_data.c'], {
      env: { CCACHE_DISABLE: '1', [CCACHE_ENV]: ccache },
    });
    expect(cached.stdout.split('\n')).toEqual([
      `ccache ${llvm}/clang sloppiness=${CCACHE_SETTINGS.CCACHE_SLOPPINESS}`,
      `clang --target=wasm32-wasi --sysroot=${sdk}/share/wasi-sysroot -B ${sdk}/bin -mno-reference-types -mno-multivalue -c __constants_data.c disable= base=/`,
    ]);
  });
  it('keep musl pthread.h whole after our comment', () => {
    const h = pthreadHeader('#ifndef _PTHREAD_H\n#define _PTHREAD_H\n', 'ziglang 0.17.1');
    expect(h).toMatch(/^\/\* Added for py2wasm[\s\S]*PyPI ziglang 0\.17\.1[\s\S]*\*\/\n#ifndef _PTHREAD_H\n/);
  });
  it('stub dlerror with the message py2wasm programs print', () => {
    expect(DLSTUB_C).toContain('"dynamic libraries are not implemented in wasi"');
  });
});
