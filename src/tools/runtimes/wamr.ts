import path from 'node:path';
import type { ResolvedOptions } from '../../config/options.ts';
import type { ToolAvailability } from '../availability.ts';
import { iwasmAotRuntime } from './iwasm-aot.ts';
import { iwasmRuntime } from './iwasm.ts';
import type { WasmRuntime } from './runtime.ts';

/**
 * The fast JIT's code cache: its 10 MB default fails on every py2wasm module ("fast jit compilation
 * failed: Error: allocate memory failed"); a 27 MB module needed 64 MiB (measured, WAMR 2.4.3).
 */
export const FAST_JIT_CODE_CACHE = '--jit-codecache-size=268435456';

/**
 * The runtimes of the WAMR checkout's builds: `iwasm:<variant>` for each, and plain `iwasm` as the
 * release build when IWASM names none.
 */
export function wamrRuntimes(options: ResolvedOptions, found: ToolAvailability): Record<string, WasmRuntime> {
  const out: Record<string, WasmRuntime> = {};
  const wamr = found.wamr;
  if (!wamr) return out;
  for (const [variant, binary] of Object.entries(wamr.variants)) {
    const name = `iwasm:${variant}`;
    out[name] =
      variant === 'aot' && binary.wamrc
        ? iwasmAotRuntime({
            iwasm: binary.iwasm,
            wamrc: binary.wamrc,
            fingerprint: wamr.fingerprint,
            aotCacheDir: path.join(options.cacheDir, 'wamr-aot'),
          })
        : iwasmRuntime(
            variant === 'fast-jit' ? [binary.iwasm, FAST_JIT_CODE_CACHE] : [binary.iwasm],
            binary.mode,
            name,
          );
  }
  if (!found.iwasm && wamr.variants.release) out.iwasm = iwasmRuntime([wamr.variants.release.iwasm], 'fast-interp');
  return out;
}
