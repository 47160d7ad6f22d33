import path from 'node:path';
import { ConfigError } from './errors.ts';

/** iwasm builds made from one WAMR checkout; each is a runtime `iwasm:<variant>`. */
export const WAMR_VARIANTS = ['release', 'classic', 'debug', 'fast-jit', 'aot'] as const;
export type WamrVariant = (typeof WAMR_VARIANTS)[number];

export interface WamrOptions {
  /**
   * A wasm-micro-runtime source tree (a git checkout or a plain copy).
   * @default none: no variant is built
   */
  checkout?: string;
  /**
   * Builds to make, each in a folder of its own. `aot` (wamrc + iwasm on the `.aot`) is opt-in.
   * @default ['release', 'classic', 'debug']
   */
  variants?: WamrVariant[];
  /**
   * Extra CMake options for every variant, e.g. `['-DWAMR_BUILD_BULK_MEMORY=1']`.
   * @default []
   */
  cmakeArgs?: string[];
  /** `make -j` jobs. @default 2 */
  jobs?: number;
}

/** Part of DEFAULTS (cookbook-options.ts), kept here with the variants. */
export const WAMR_DEFAULTS = { variants: ['release', 'classic', 'debug'] as WamrVariant[], jobs: 2 } as const;

export interface ResolvedWamr {
  checkout: string;
  variants: WamrVariant[];
  cmakeArgs: string[];
  jobs: number;
}

function isVariant(v: string): v is WamrVariant {
  return (WAMR_VARIANTS as readonly string[]).includes(v);
}

/** The variant a runtime name asks for: `iwasm:classic` -> classic; anything else -> undefined. */
export function variantOfRuntime(runtime: string): WamrVariant | undefined {
  const m = /^iwasm:(.+)$/.exec(runtime);
  if (!m) return undefined;
  if (!isVariant(m[1]!))
    throw new ConfigError(`unknown iwasm variant "${m[1]}" in ${runtime}: one of ${WAMR_VARIANTS.join(', ')}`);
  return m[1];
}

/** The `wamr` options (checked, the environment already applied); null without a checkout. */
export function resolveWamr(options: WamrOptions | undefined, cwd: string): ResolvedWamr | null {
  if (!options?.checkout) return null;
  return {
    checkout: path.resolve(cwd, options.checkout),
    variants: [...new Set(options.variants ?? WAMR_DEFAULTS.variants)],
    cmakeArgs: options.cmakeArgs ?? [],
    jobs: options.jobs ?? WAMR_DEFAULTS.jobs,
  };
}
