import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '../process/file-lock.ts';
import { runProcess } from '../process/run.ts';
import { WamrBuildError } from './build-error.ts';
import type { VariantPlan } from './variants.ts';

export interface BuildVariantOptions {
  checkout: string;
  fingerprint: string;
  plan: VariantPlan;
  /** this checkout's folder in the cache: `<cacheDir>/wamr/<checkout key>` */
  root: string;
  extraCmakeArgs: string[];
  jobs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface VariantBuild {
  iwasm: string;
  wamrc?: string;
  /** false when a build of this fingerprint was there already */
  built: boolean;
  durationMs: number;
}

/** Builds of older fingerprints kept per variant, so undoing an edit needs no rebuild. */
const KEEP_BUILDS = 4;
const STEP_TIMEOUT_MS = 30 * 60_000;

/** `<cacheDir>/wamr/<key>`: one folder per checkout path. */
export function checkoutCacheDir(cacheDir: string, checkout: string): string {
  const key = crypto.createHash('sha256').update(path.resolve(checkout)).digest('hex').slice(0, 12);
  return path.join(cacheDir, 'wamr', `${path.basename(checkout).replace(/[^\w.-]/g, '_')}-${key}`);
}

/** Where the binaries of one fingerprint of a variant live (a stable path: runs in flight keep theirs). */
export function variantBinDir(root: string, variant: string, fingerprint: string): string {
  return path.join(root, variant, 'bin', fingerprint.replace(/[^\w.+-]/g, '_'));
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );

/**
 * One variant, incrementally: the build folder persists per variant (CMake configures it once per
 * set of options; `cmake --build` recompiles what a save touched), and the binaries are copied out
 * per fingerprint of the checkout. A fingerprint built before costs nothing.
 */
export async function buildVariant(opts: BuildVariantOptions): Promise<VariantBuild> {
  const started = performance.now();
  const binDir = variantBinDir(opts.root, opts.plan.variant, opts.fingerprint);
  const wanted = {
    iwasm: path.join(binDir, 'iwasm'),
    ...(opts.plan.wamrc ? { wamrc: path.join(binDir, 'wamrc') } : {}),
  };
  const present = async () => (await exists(wanted.iwasm)) && (!wanted.wamrc || (await exists(wanted.wamrc)));
  if (await present()) return { ...wanted, built: false, durationMs: 0 };
  const variantDir = path.join(opts.root, opts.plan.variant);
  return withFileLock(
    {
      lockfilePath: path.join(variantDir, 'build.lock'),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onWait: () => opts.onProgress?.(`iwasm:${opts.plan.variant}: waiting for another build of it`),
    },
    async () => {
      if (await present()) return { ...wanted, built: false, durationMs: 0 };
      const args = [...opts.plan.cmakeArgs, ...opts.extraCmakeArgs];
      await cmakeBuild(
        opts,
        path.join(opts.checkout, 'product-mini', 'platforms', 'linux'),
        path.join(variantDir, 'build'),
        args,
        'iwasm',
      );
      const tmp = `${binDir}.tmp-${process.pid}`;
      await fs.mkdir(tmp, { recursive: true });
      await fs.copyFile(path.join(variantDir, 'build', 'iwasm'), path.join(tmp, 'iwasm'));
      if (wanted.wamrc) {
        await cmakeBuild(
          opts,
          path.join(opts.checkout, 'wamr-compiler'),
          path.join(variantDir, 'wamrc-build'),
          args,
          'wamrc',
        );
        await fs.copyFile(path.join(variantDir, 'wamrc-build', 'wamrc'), path.join(tmp, 'wamrc'));
      }
      await fs.rm(binDir, { recursive: true, force: true });
      await fs.rename(tmp, binDir);
      await pruneOldBuilds(path.dirname(binDir));
      return { ...wanted, built: true, durationMs: Math.round(performance.now() - started) };
    },
  );
}

/** Configure (when the options changed or nothing is configured yet), then build one target. */
async function cmakeBuild(
  opts: BuildVariantOptions,
  sourceDir: string,
  buildDir: string,
  args: string[],
  target: string,
): Promise<void> {
  const stampFile = path.join(buildDir, 'vitest-py2wasm-cmake-args.json');
  const stamp = JSON.stringify({ sourceDir, args });
  const configured =
    (await exists(path.join(buildDir, 'CMakeCache.txt'))) &&
    (await fs.readFile(stampFile, 'utf8').catch(() => '')) === stamp;
  const step = async (command: string[], what: string) => {
    opts.onProgress?.(`iwasm:${opts.plan.variant}: ${what}`);
    const out = await runProcess(command, {
      cwd: buildDir,
      timeoutMs: STEP_TIMEOUT_MS,
      capture: { headBytes: 16 << 10, tailBytes: 64 << 10 },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (out.exitCode !== 0)
      throw new WamrBuildError(
        opts.plan.variant,
        command,
        out.exitCode,
        `${out.stdout.text}\n${out.stderr.text}${out.spawnError ? `\n${out.spawnError}` : ''}`,
      );
  };
  if (!configured) {
    await fs.rm(buildDir, { recursive: true, force: true });
    await fs.mkdir(buildDir, { recursive: true });
    await step(['cmake', '-S', sourceDir, '-B', buildDir, ...args], `configure ${args.join(' ') || '(defaults)'}`);
    await fs.writeFile(stampFile, stamp);
  }
  await step(['cmake', '--build', buildDir, '--target', target, '--parallel', String(opts.jobs)], `build ${target}`);
}

async function pruneOldBuilds(binParent: string): Promise<void> {
  const entries = await fs.readdir(binParent).catch(() => [] as string[]);
  const dated = await Promise.all(
    entries
      .filter((e) => !e.includes('.tmp-'))
      .map(async (e) => ({ e, t: (await fs.stat(path.join(binParent, e))).mtimeMs })),
  );
  dated.sort((a, b) => b.t - a.t);
  await Promise.all(
    dated.slice(KEEP_BUILDS).map(({ e }) => fs.rm(path.join(binParent, e), { recursive: true, force: true })),
  );
}
