import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedWamr, WamrVariant } from '../config/wamr.ts';
import { runProcess } from '../process/run.ts';
import type { IwasmMode } from '../config/choices.ts';
import { buildVariant, checkoutCacheDir, variantBinDir } from './build.ts';
import { wamrFingerprint } from './fingerprint.ts';
import { planVariant, readTreeFeatures } from './variants.ts';

export interface WamrVariantBinary {
  iwasm: string;
  wamrc?: string;
  mode: IwasmMode;
}

/** The iwasm variants of one checkout at one fingerprint: built ones, and why the others are not. */
export interface WamrAvailability {
  checkout: string;
  fingerprint: string;
  variants: Partial<Record<WamrVariant, WamrVariantBinary>>;
  problems: Partial<Record<WamrVariant, string>>;
  /** said once: a variant built without something (e.g. no call-stack dumps in this tree) */
  notes: string[];
  /** milliseconds per variant actually (re)built this time */
  builtMs: Partial<Record<WamrVariant, number>>;
}

export interface EnsureWamrOptions {
  cacheDir: string;
  /** false: only look up what is built for the current fingerprint (the doctor command) */
  build: boolean;
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
  /** where local SIMDe headers (`simde/simde-common.h`) are looked for. @default ['/usr/include', '/usr/local/include'] */
  simdeSearchDirs?: string[];
}

const SIMDE_SEARCH_DIRS = ['/usr/include', '/usr/local/include'];

/** The first folder holding `simde/simde-common.h`: what FetchContent would have cloned. */
export async function localSimdeDir(dirs: string[]): Promise<string | null> {
  for (const dir of dirs) {
    if (
      await fs.access(path.join(dir, 'simde', 'simde-common.h')).then(
        () => true,
        () => false,
      )
    )
      return dir;
  }
  return null;
}

/** `llvm-config-19 --cmakedir` (or llvm-config's), when it holds LLVMConfig.cmake: what wamrc needs. */
async function llvmCmakeDir(): Promise<string | null> {
  for (const exe of ['llvm-config-19', 'llvm-config']) {
    const out = await runProcess([exe, '--cmakedir'], { cwd: process.cwd(), timeoutMs: 10_000 }).catch(() => undefined);
    const dir = out?.exitCode === 0 ? out.stdout.text.trim() : '';
    if (
      dir &&
      (await fs.access(path.join(dir, 'LLVMConfig.cmake')).then(
        () => true,
        () => false,
      ))
    )
      return dir;
  }
  return null;
}

/** The user's own cmakeArgs already decide about SIMDe (SIMD off, or their own headers). */
const userSetsSimde = (args: string[]) =>
  args.some((a) => /^-DWAMR_BUILD_SIMD=(0|OFF)$/i.test(a) || a.startsWith('-DFETCHCONTENT_SOURCE_DIR_SIMDE='));

/**
 * Every configured variant of the checkout at its current fingerprint, built when missing (one at
 * a time: each build already uses `jobs` cores). A variant that fails or cannot be built here has
 * its reason in `problems`; the others are still there.
 */
export async function ensureWamrVariants(wamr: ResolvedWamr, opts: EnsureWamrOptions): Promise<WamrAvailability> {
  const fingerprint = await wamrFingerprint(wamr.checkout);
  const [tree, llvm, simde] = await Promise.all([
    readTreeFeatures(wamr.checkout),
    wamr.variants.includes('aot') ? llvmCmakeDir() : Promise.resolve(null),
    localSimdeDir(opts.simdeSearchDirs ?? SIMDE_SEARCH_DIRS),
  ]);
  const root = checkoutCacheDir(opts.cacheDir, wamr.checkout);
  const out: WamrAvailability = {
    checkout: wamr.checkout,
    fingerprint,
    variants: {},
    problems: {},
    notes: [],
    builtMs: {},
  };
  for (const variant of wamr.variants) {
    const plan = planVariant(variant, tree, {
      llvmCmakeDir: llvm,
      simdeDir: userSetsSimde(wamr.cmakeArgs) ? null : simde,
    });
    if (plan.unsupported) {
      out.problems[variant] = `iwasm:${variant}: ${plan.unsupported}`;
      continue;
    }
    if (plan.note) out.notes.push(`iwasm:${variant}: ${plan.note}`);
    if (!opts.build) {
      const dir = variantBinDir(root, variant, fingerprint);
      const iwasm = path.join(dir, 'iwasm');
      if (
        await fs.access(iwasm).then(
          () => true,
          () => false,
        )
      )
        out.variants[variant] = { iwasm, ...(plan.wamrc ? { wamrc: path.join(dir, 'wamrc') } : {}), mode: plan.mode };
      else
        out.problems[variant] =
          `iwasm:${variant} is not built for ${fingerprint} yet: a run builds it first, or \`npx vitest-py2wasm setup --wamr ${wamr.checkout}\``;
      continue;
    }
    try {
      const built = await buildVariant({
        checkout: wamr.checkout,
        fingerprint,
        plan,
        root,
        extraCmakeArgs: wamr.cmakeArgs,
        jobs: wamr.jobs,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      out.variants[variant] = { iwasm: built.iwasm, ...(built.wamrc ? { wamrc: built.wamrc } : {}), mode: plan.mode };
      if (built.built) out.builtMs[variant] = built.durationMs;
    } catch (error) {
      opts.signal?.throwIfAborted();
      out.problems[variant] = (error as Error).message;
    }
  }
  return out;
}
