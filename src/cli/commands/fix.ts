// `vitest-py2wasm fix [case|group ...] [--target T] [--all] [--sample N]`: for each failure group of
// the last report with a known fix, a py2wasm patch, verified on a private copy of the package by
// re-running the cases; written to <report dir>/fixes/. `fix --apply <checkout>` applies the verified
// patches to a py2wasm checkout.
import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { resolveOptions } from '../../config/options.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import { unifiedDiff } from '../../fix/patch-text.ts';
import type { FixesFile } from '../../fix/results.ts';
import { runFixes } from '../../fix/run-fixes.ts';
import { renderFixesMarkdown, tallyLine } from '../../report/fixes-markdown.ts';
import { renderHtmlReport } from '../../report/html.ts';
import { buildSummary } from '../../report/summary.ts';
import { renderSummaryMarkdown } from '../../report/summary-markdown.ts';
import { readHistory } from '../../report/write.ts';
import { readRunResults } from '../../records/read.ts';
import { RunResultsLoadError } from '../../records/validate.ts';
import { prepareRunEnvironment } from '../../run/prepare.ts';
import type { RunResults } from '../../types.ts';
import { escapeControls } from '../../records.ts';
import { applyFixes } from './fix-apply.ts';
import type { CommandIO } from './import-pickle.ts';

export interface FixCommandOptions {
  names: string[];
  target?: string;
  /** Apply every verified patch together and re-run the whole cookbook. */
  all?: boolean;
  /** Passing cases re-run per patch (default 2; every one with --all). */
  sample?: number;
  /** Apply the verified patches of the last `fix` to this py2wasm checkout instead. */
  apply?: string;
  signal?: AbortSignal;
}

export class FixError extends Error {
  override name = 'FixError';
}

/** The last report's records, read (checked, upgraded) as every reader reads results.json. */
async function readLastReport(resultsFile: string): Promise<RunResults> {
  try {
    await fs.access(resultsFile);
  } catch {
    throw new FixError(`no report at ${resultsFile}: run the cookbook first (npm run cookbook)`);
  }
  try {
    return await readRunResults(resultsFile);
  } catch (err) {
    if (err instanceof RunResultsLoadError) throw new FixError(`the last report cannot be read: ${err.message}`);
    throw err;
  }
}

export async function fixCommand(opts: FixCommandOptions, io: CommandIO): Promise<number> {
  if (opts.sample !== undefined && (!Number.isInteger(opts.sample) || opts.sample < 0))
    throw new FixError(`--sample takes a whole number of cases (0 or more), not ${String(opts.sample)}`);
  const options = resolveOptions(opts.target ? { targets: [opts.target] } : {});
  const fixesDir = path.join(options.reportDir, 'fixes');
  const say = (line: string) => io.stderr.write(`fix: ${escapeControls(line)}\n`);
  if (opts.apply) return applyFixes(opts.apply, fixesDir, say, io);

  const resultsFile = path.join(options.reportDir, 'results.json');
  const results = await readLastReport(resultsFile);
  const records = results.records.filter((r) => !opts.target || r.target.name === opts.target);
  const doctor = await runDoctor(options);
  const found = doctor.availability.py2wasm;
  if (!found?.packageDir || !found.python || !found.wasiSdkDir)
    throw new FixError(
      `a fix patches py2wasm's package and compiles with it: ${doctor.availability.problems.py2wasm ?? 'its package, Python or WASI SDK was not found'} (vitest-py2wasm setup)`,
    );
  const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
  const run = await runFixes({
    env,
    records,
    select: opts.names,
    samplePassing: opts.sample ?? 2,
    all: opts.all ?? false,
    packageDir: found.packageDir,
    wasiSdkDir: found.wasiSdkDir,
    python: found.python,
    ccache: doctor.availability.ccache ?? null,
    scratchParent,
    signal: opts.signal ?? new AbortController().signal,
    say,
  });
  const patches = Object.fromEntries(run.proposed.map((p) => [p.entry.patch, unifiedDiff(p.fix.changes)]));
  await writeFixes(fixesDir, run.file, patches);
  await rewriteSummary(options.reportDir, results, run.file);
  for (const f of run.file.fixes) io.stdout.write(`${f.patch}: ${f.title}\n  ${tallyLine(f.verified)}\n`);
  for (const n of run.file.noFix) io.stdout.write(`no known fix: ${escapeControls(`${n.group.label}: ${n.reason}`)}\n`);
  if (run.file.all) io.stdout.write(`all patches together: ${tallyLine(run.file.all.verified)}\n`);
  io.stdout.write(`${path.join(fixesDir, 'fixes.md')}\n`);
  return run.file.fixes.some((f) => f.ok) ? 0 : 1;
}

/** summary.md and index.html again, from the same results, with the Fixes section. */
async function rewriteSummary(reportDir: string, results: RunResults, fixes: FixesFile): Promise<void> {
  const callstacks = await fs.readFile(path.join(reportDir, 'callstacks.json'), 'utf8').then(
    (t) => (JSON.parse(t) as { groups?: unknown }).groups,
    () => undefined,
  );
  const summary = buildSummary(results, { stacks: callstacks ?? [], fixes });
  await writeFileAtomic(path.join(reportDir, 'summary.md'), renderSummaryMarkdown(summary));
  await writeFileAtomic(
    path.join(reportDir, 'index.html'),
    renderHtmlReport(summary, { history: await readHistory(reportDir) }),
  );
}

/** fixes/ is written beside and swapped in whole: an interrupt never leaves half of it. */
async function writeFixes(dir: string, file: FixesFile, patches: Record<string, string>): Promise<void> {
  const staging = `${dir}.${process.pid}.tmp`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  for (const [name, text] of Object.entries(patches)) await fs.writeFile(path.join(staging, name), text);
  await fs.writeFile(path.join(staging, 'fixes.json'), `${JSON.stringify(file, null, 1)}\n`);
  await writeFileAtomic(path.join(staging, 'fixes.md'), renderFixesMarkdown(file, patches));
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rename(staging, dir);
}
