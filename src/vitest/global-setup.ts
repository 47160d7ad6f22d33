import path from 'node:path';
import type { TestProject, Vitest } from 'vitest/node';
import type { ResolvedOptions } from '../config/options.ts';
import { pinRun } from '../run/cache-pins.ts';
import { removeLeftovers } from '../run/leftovers.ts';
import { runDoctor } from '../doctor/doctor.ts';
import { processGuard } from '../process/guard.ts';
import { checkWamr } from '../doctor/wamr.ts';
import { ensureWamrVariants, type WamrAvailability } from '../wamr/ensure.ts';
import { ensureToolchain, detectToolchain, ensureZstd } from '../toolchain/index.ts';
import { formatDoctor } from '../doctor/format.ts';
import '../config/provided.ts';
import '../tools/availability.ts';

type Logger = Vitest['logger'];

/**
 * Once per run: set up the py2wasm toolchain when a target needs it and none is there, then
 * run the doctor and hand what it found to the workers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const options = project.getProvidedContext().py2wasmOptions;
  // what it prints goes through vitest's logger, as vitest's own output does
  const logger = project.vitest.logger;
  // an interrupted run's scratch copies, compile work folders and abandoned locks go first
  await sweepLeftovers(options.cacheDir, 'an earlier run', logger);
  await processGuard();
  // this run's compile-cache entries stay until it ends (its later cases and traps' re-runs need them)
  const unpin = await pinRun(path.join(options.cacheDir, 'compile'), project.getProvidedContext().py2wasmRunId);
  const needsPy2wasm = options.targets.some((t) => t.compiler === 'py2wasm' || t.compiler === 'wasi-python');
  if (needsPy2wasm && options.autoSetup && !options.tools.py2wasm && !(await detectToolchain(options.cacheDir))) {
    logger.log('vitest-py2wasm: setting up the py2wasm toolchain (first run only)...');
    try {
      await ensureToolchain({
        cacheDir: options.cacheDir,
        py2wasmSpec: options.py2wasmSpec,
        wasiSdkDir: options.tools.wasiSdkDir ?? undefined,
        verify: true,
        onProgress: (msg) => logger.log(`  setup: ${msg}`),
      });
    } catch (error) {
      // The run stops: every case would skip, and the message names the one command to run.
      logger.error(`vitest-py2wasm: toolchain setup failed: ${(error as Error).message}`);
      throw error;
    }
  }
  if (needsPy2wasm && options.autoSetup) {
    // a toolchain set up before the compile cache stored modules with zstd: its setup does not run again
    await ensureZstd({ onProgress: (msg) => logger.log(`  setup: ${msg}`) }).catch((error: unknown) =>
      logger.error(`vitest-py2wasm: ${(error as Error).message}`),
    );
  }
  const wamr = await buildWamrVariants(options, logger);
  const report = await runDoctor(options, wamr ? { wamr } : {});
  logger.log(formatDoctor(report.lines, { color: process.stdout.isTTY && !process.env.NO_COLOR, onlyNeeded: false }));
  project.provide('py2wasmAvailability', report.availability);
  if (options.wamr && project.vitest.config.watch) {
    // watch mode: a save in the checkout changed its fingerprint; rebuild (incrementally) before the re-run
    let current = report.availability;
    project.onTestsRerun(async () => {
      const fresh = await buildWamrVariants(options, logger);
      if (!fresh || fresh.fingerprint === current.wamr?.fingerprint) return;
      const check = await checkWamr(options, fresh);
      const problems = Object.fromEntries(Object.entries(current.problems).filter(([k]) => !k.startsWith('iwasm:')));
      current = { ...current, wamr: fresh, problems: { ...problems, ...check.problems } };
      project.provide('py2wasmAvailability', current);
    });
  }
  // after Ctrl-C the workers are gone by now: what they could not remove goes here
  return async () => {
    await unpin();
    await sweepLeftovers(options.cacheDir, 'this run', logger);
  };
}

async function sweepLeftovers(cacheDir: string, whose: string, logger: Logger): Promise<void> {
  const left = await removeLeftovers(cacheDir).catch(() => undefined);
  if (left && left.scratch + left.compileTmp + left.locks > 0) {
    logger.log(
      `vitest-py2wasm: removed what ${whose} left: ${left.scratch} scratch copies, ${left.compileTmp} compile work folders, ${left.locks} abandoned locks`,
    );
  }
}

/** The WAMR checkout's variants for its current fingerprint, built when missing; a failure is said, and fatal only when strict. */
async function buildWamrVariants(options: ResolvedOptions, logger: Logger): Promise<WamrAvailability | undefined> {
  if (!options.wamr) return undefined;
  try {
    const wamr = await ensureWamrVariants(options.wamr, {
      cacheDir: options.cacheDir,
      build: true,
      onProgress: (msg) => logger.log(`  wamr: ${msg}`),
    });
    for (const [variant, ms] of Object.entries(wamr.builtMs))
      logger.log(`  wamr: iwasm:${variant} built for ${wamr.fingerprint} in ${(ms / 1000).toFixed(1)} s`);
    return wamr;
  } catch (error) {
    if (options.strictTools) throw error;
    logger.warn(`vitest-py2wasm: WAMR checkout ${options.wamr.checkout}: ${(error as Error).message}`);
    return undefined;
  }
}
