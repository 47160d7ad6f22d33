import type { WamrAvailability } from '../wamr/ensure.ts';

/** What the doctor found: the tools a run can use, their versions, and what is missing and why. */
export interface ToolAvailability {
  py2wasm?: {
    command: string[];
    fingerprint: string;
    sdkFingerprint: string;
    wasiSdkDir: string | null;
    packageDir?: string;
    python?: string;
  };
  wasiPythonDir?: string | null;
  iwasm?: string[] | null;
  wasmtime?: string[] | null;
  /** Debian's ccache, for the compiler cache in the WASI SDK's clang wrapper. */
  ccache?: string | null;
  node: string[];
  /** configured runtimes (`runtimes:` in the config) found: name -> executable */
  runtimes?: Record<string, string>;
  /** iwasm variants built from the WAMR checkout (`wamr:` / WAMR_DIR) */
  wamr?: WamrAvailability;
  versions: Record<string, string>;
  /** tool -> message for a missing tool */
  problems: Record<string, string>;
}

declare module 'vitest' {
  interface ProvidedContext {
    py2wasmAvailability: ToolAvailability;
  }
}
