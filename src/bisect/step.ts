import fs from 'node:fs/promises';
import path from 'node:path';
import { parseTarget, resolveOptions } from '../config/options.ts';
import { CaseJudge } from '../reduce/judge.ts';
import { findCase } from '../reduce/find-case.ts';
import { prepareRunEnvironment } from '../run/prepare.ts';
import { runDoctor } from '../tools/doctor.ts';
import { prepareCompileSlots } from '../tools/py2wasm-slots.ts';
import { CaseErrorCode } from '../types.ts';
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
}

/** `git bisect run` reads these exit codes: 0 good, 1 bad, 125 cannot be tested; >= 128 stops it. */
export const STEP_EXIT: Record<StepVerdict, number> = { good: 0, bad: 1, skip: 125 };

/** The nuitka package of a py2wasm checkout. */
export async function checkoutPackage(checkout: string): Promise<string> {
  const dir = path.join(checkout, 'nuitka');
  const ok = await fs.stat(path.join(dir, '__main__.py')).then((s) => s.isFile(), () => false);
  if (!ok) throw new Error(`${checkout} is not a py2wasm checkout: it has no nuitka/__main__.py`);
  return dir;
}

/**
 * Compiles and runs the cases with py2wasm as the checkout has it now, without installing it: the
 * compile slots are link mirrors of the checkout's nuitka package run by the toolchain's Python,
 * which is what an editable install gives, and the user's own py2wasm stays as it was.
 */
export async function judgeCheckout(config: Omit<BisectConfig, 'log' | 'version' | 'bad'> & { bad?: Record<string, string> }, signal?: AbortSignal): Promise<StepResult> {
  const started = performance.now();
  const options = resolveOptions({ targets: [config.target] });
  const target = parseTarget(config.target);
  const doctor = await runDoctor(options);
  const found = doctor.availability.py2wasm;
  if (!found?.python) throw new Error(`py2wasm's Python was not found (${doctor.availability.problems.py2wasm ?? 'run vitest-py2wasm setup'}); a checkout runs with it`);
  const packageDir = await checkoutPackage(config.checkout);
  const { env, scratchParent } = await prepareRunEnvironment({ ...options, compileSlots: 1 }, { ...doctor.availability, py2wasm: { ...found, packageDir } });
  const slots = await prepareCompileSlots({ packageDir, python: found.python, dir: path.join(options.cacheDir, 'py2wasm-slots'), count: Math.max(1, options.compileSlots) });
  // no __pycache__ folders written into the checkout: it is left as it was found
  env.py2wasm = { ...env.py2wasm!, command: slots[0]!, slots, env: { ...env.py2wasm!.env, PYTHONDONTWRITEBYTECODE: '1' } };
  if (env.missing[target.name]) throw new Error(`${target.name} cannot run here: ${env.missing[target.name]}`);

  const cases: StepResult['cases'] = [];
  await Promise.all(
    config.cases.map(async (name) => {
      const { recipe, kase } = findCase(options.root, name);
      const judged = await new CaseJudge({ env, scratchParent, recipe, kase, target, ...(signal ? { signal } : {}) }).record({});
      cases.push({ case: name, signature: judged.signature, code: judged.record?.code ?? -1 });
    }),
  );
  cases.sort((a, b) => config.cases.indexOf(a.case) - config.cases.indexOf(b.case));
  const bad = config.bad ?? {};
  const isBad = cases.some((c) => bad[c.case] === c.signature);
  // a step whose build fails cannot say good or bad (unless that failure is the bug being hunted)
  const buildFailed = cases.some((c) => c.code === CaseErrorCode.COMPILATION_FAILURE && bad[c.case] !== c.signature);
  const rev = (await git(config.checkout, ['rev-parse', 'HEAD'])).stdout;
  return {
    rev,
    subject: await commitSubject(config.checkout, rev),
    verdict: isBad ? 'bad' : buildFailed ? 'skip' : 'good',
    cases,
    ms: Math.round(performance.now() - started),
  };
}

/** The `bisect-step <config>` command that `git bisect run` calls: judge, log, exit code. */
export async function bisectStep(configFile: string): Promise<number> {
  const config = JSON.parse(await fs.readFile(configFile, 'utf8')) as BisectConfig;
  const result = await judgeCheckout(config);
  await fs.appendFile(config.log, `${JSON.stringify(result)}\n`);
  process.stderr.write(`bisect: ${result.rev.slice(0, 10)} ${result.subject}: ${result.verdict} (${result.cases.map((c) => `${c.case}: ${c.signature}`).join('; ')})\n`);
  return STEP_EXIT[result.verdict];
}
