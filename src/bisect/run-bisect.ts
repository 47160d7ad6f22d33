import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { isWasmSideFailure } from '../reduce/signature.ts';
import { assertReadyToBisect, checkoutPosition, commitSubject, git, GitError, resolveRev } from './git.ts';
import { checkoutKind, judgeCheckout, type BisectConfig, type StepResult } from './step.ts';

export interface BisectRequest {
  checkout: string;
  good: string;
  bad: string;
  cases: string[];
  target: string;
  /** Folder for the step log, git's bisect log and the result. */
  outDir: string;
  /** The command that runs one step (`vitest-py2wasm bisect-step`), without the config argument. */
  stepCommand: string[];
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface BisectResult {
  firstBad?: { rev: string; subject: string };
  /** Why there is no single first bad commit (skipped steps around it, ...). */
  inconclusive?: string;
  good: StepResult;
  bad: StepResult;
  steps: StepResult[];
}

export class BisectError extends Error {
  override name = 'BisectError';
}

/**
 * Finds the first commit of a py2wasm or WAMR checkout at which the cases fail the way they fail at `bad`,
 * with `git bisect run`. Both ends are judged first (a good end that already fails is an error).
 * The checkout is left where it was found, also when interrupted.
 */
export async function runBisect(req: BisectRequest): Promise<BisectResult> {
  const checkout = path.resolve(req.checkout);
  await checkoutKind(checkout);
  await assertReadyToBisect(checkout);
  const position = await checkoutPosition(checkout);
  const [goodRev, badRev] = [await resolveRev(checkout, req.good), await resolveRev(checkout, req.bad)];
  await fs.mkdir(req.outDir, { recursive: true });
  const log = path.join(req.outDir, 'steps.jsonl');
  await fs.writeFile(log, '');
  const say = (line: string) => req.onLine?.(line);
  const judgeAt = async (rev: string) => {
    await git(checkout, ['checkout', '-q', '--detach', rev]);
    const result = await judgeCheckout({ checkout, cases: req.cases, target: req.target }, req.signal);
    await fs.appendFile(log, `${JSON.stringify(result)}\n`);
    say(`${rev.slice(0, 10)} ${result.subject}: ${result.cases.map((c) => `${c.case}: ${c.signature}`).join('; ')}`);
    return result;
  };
  let started = false;
  try {
    say(`judging the bad end ${req.bad}`);
    const bad = await judgeAt(badRev);
    if (bad.why) throw new BisectError(`${req.bad} does not build: ${bad.why}`);
    if (!bad.cases.some((c) => isWasmSideFailure(c.code))) {
      throw new BisectError(
        `the cases do not fail at ${req.bad}: ${bad.cases.map((c) => `${c.case}: ${c.signature}`).join('; ')}`,
      );
    }
    const badSignatures = Object.fromEntries(bad.cases.map((c) => [c.case, c.signature]));
    say(`judging the good end ${req.good}`);
    const good = await judgeAt(goodRev);
    if (good.why) throw new BisectError(`${req.good} does not build: ${good.why}`);
    const already = good.cases.filter((c) => badSignatures[c.case] === c.signature);
    if (already.length)
      throw new BisectError(
        `${req.good} is not good: ${already.map((c) => c.case).join(', ')} already fail the same way (${already[0]!.signature})`,
      );

    const configFile = path.join(req.outDir, 'bisect-config.json');
    const config: BisectConfig = {
      version: 1,
      checkout,
      cases: req.cases,
      target: req.target,
      bad: badSignatures,
      log,
    };
    await fs.writeFile(configFile, `${JSON.stringify(config, null, 1)}\n`);
    await fs.writeFile(log, `${JSON.stringify(bad)}\n${JSON.stringify(good)}\n`);
    started = true;
    await git(checkout, ['bisect', 'start', badRev, goodRev]);
    const [file, ...args] = req.stepCommand;
    const run = execa('git', ['bisect', 'run', file!, ...args, configFile], {
      cwd: checkout,
      reject: false,
      all: true,
      stdin: 'ignore',
      ...(req.signal ? { cancelSignal: req.signal } : {}),
    });
    run.all?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n'))
        if (line.startsWith('bisect: ')) say(line.slice('bisect: '.length));
    });
    const outcome = await run;
    const output = String(outcome.all ?? '');
    await fs.writeFile(path.join(req.outDir, 'bisect-run.log'), output);
    await fs.writeFile(
      path.join(req.outDir, 'bisect.log'),
      (await git(checkout, ['bisect', 'log'], { allowFail: true })).stdout,
    );
    req.signal?.throwIfAborted();
    const steps = (await fs.readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StepResult);
    const first = /^([0-9a-f]{40}) is the first bad commit/m.exec(output)?.[1];
    if (first) return { firstBad: { rev: first, subject: await commitSubject(checkout, first) }, good, bad, steps };
    const reason =
      /There are only 'skip'ped commits left to test\.[\s\S]*/m.exec(output)?.[0] ??
      output.trim().split('\n').slice(-5).join('\n');
    if (outcome.exitCode !== 0 && !reason) throw new GitError(['bisect', 'run'], outcome.exitCode, output);
    return { inconclusive: reason, good, bad, steps };
  } finally {
    if (started) await git(checkout, ['bisect', 'reset'], { allowFail: true });
    await git(checkout, ['checkout', '-q', position.branch ?? position.head], { allowFail: true });
  }
}
