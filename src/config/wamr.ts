import path from 'node:path';
import { ConfigError } from './errors.ts';

/** iwasm builds made from one WAMR checkout; each is a runtime `iwasm:<variant>`. */
export const WAMR_VARIANTS = ['release', 'classic', 'debug', 'fast-jit', 'aot'] as const;
export type WamrVariant = (typeof WAMR_VARIANTS)[number];

export interface WamrOptions {
  /** A wasm-micro-runtime source tree (a git checkout or a plain copy). Env: WAMR_DIR */
  checkout?: string;
  /**
   * Builds to make, each in a folder of its own. `aot` (wamrc + iwasm on the `.aot`) is opt-in.
   * Env: WAMR_VARIANTS (comma separated). @default ['release', 'classic', 'debug']
   */
  variants?: WamrVariant[];
  /** Extra CMake options for every variant, e.g. `['-DWAMR_BUILD_BULK_MEMORY=1']`. */
  cmakeArgs?: string[];
  /** `make -j` jobs. @default 2 */
  jobs?: number;
}

export interface ResolvedWamr {
  checkout: string;
  variants: WamrVariant[];
  cmakeArgs: string[];
  jobs: number;
}

const WAMR_DEFAULTS = { variants: ['release', 'classic', 'debug'] as WamrVariant[], jobs: 2 };

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

/** `wamr` options merged with WAMR_DIR / WAMR_VARIANTS; null without a checkout. */
export function resolveWamr(
  options: WamrOptions | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): ResolvedWamr | null {
  const checkout = env.WAMR_DIR || options?.checkout;
  if (!checkout) return null;
  const fromEnv = env.WAMR_VARIANTS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const asked: string[] = fromEnv ?? options?.variants ?? WAMR_DEFAULTS.variants;
  const variants = asked.map((v) => {
    if (!isVariant(v)) throw new ConfigError(`unknown WAMR variant "${v}": one of ${WAMR_VARIANTS.join(', ')}`);
    return v;
  });
  const jobs = options?.jobs ?? WAMR_DEFAULTS.jobs;
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new ConfigError(`wamr.jobs must be a positive whole number, not ${jobs}`);
  return {
    checkout: path.resolve(cwd, checkout),
    variants: [...new Set(variants)],
    cmakeArgs: options?.cmakeArgs ?? [],
    jobs,
  };
}
