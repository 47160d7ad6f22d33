// `vitest-py2wasm reduce <case> [--target T]`: shrink a failing case to a minimal reproducer and a
// report.md for an upstream issue, in <report dir>/reduced/<case>/. Resumes when run again.

import fs from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { parseTarget, resolveOptions } from '../../config/options.ts';
import { collectCallstacks } from '../../diagnose/callstacks.ts';
import { diagnoseStageOptions } from '../../diagnose/stage-options.ts';
import { caseIdOf, escapeControls } from '../../records.ts';
import { findCase } from '../../reduce/find-case.ts';
import { CaseJudge, type FileEdits } from '../../reduce/judge.ts';
import { PythonAst } from '../../reduce/python-ast.ts';
import { reduceCase, type ReduceProgress } from '../../reduce/reduce-case.ts';
import { hashRecipe, recipeFiles, verbatimFiles } from '../../reduce/recipe-files.ts';
import { bytePath, dirnameBytes, fsPath, joinBytes } from '../../run/byte-paths.ts';
import { isWasmSideFailure } from '../../reduce/signature.ts';
import { readReduceState, writeReduceState, type ReduceState } from '../../reduce/state.ts';
import { renderBugReport, sizeOf } from '../../report/bug-report.ts';
import { prepareRunEnvironment } from '../../run/prepare.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import type { CommandIO } from './import-pickle.ts';

export interface ReduceCommandOptions {
  case: string;
  /** Target to reduce on; default: the run's first target. */
  target?: string;
  /** Output folder; default `<report dir>/reduced/<case>`. */
  out?: string;
  /** Start over instead of resuming. */
  fresh?: boolean;
  signal?: AbortSignal;
}

export class ReduceError extends Error {
  override name = 'ReduceError';
}

export async function reduceCommand(opts: ReduceCommandOptions, io: CommandIO): Promise<number> {
  const started = performance.now();
  const options = resolveOptions({ ...(opts.target ? { targets: [opts.target] } : {}) });
  const target = opts.target ? parseTarget(opts.target) : options.targets[0]!;
  const { recipe, kase } = findCase(options.root, opts.case);
  const caseId = caseIdOf(kase.chapter, kase.key);
  const outDir = opts.out ?? path.join(options.reportDir, 'reduced', `${kase.chapter}-${kase.name}`);
  const say = (line: string) => io.stderr.write(`reduce: ${escapeControls(line)}\n`);

  const doctor = await runDoctor(options);
  const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
  if (env.missing[target.name]) throw new ReduceError(`${target.name} cannot run here: ${env.missing[target.name]}`);
  await fs.mkdir(outDir, { recursive: true });
  const stateFile = path.join(outDir, 'state.json');
  const originalHash = await hashRecipe(recipe.dir);
  const resumed = opts.fresh
    ? undefined
    : await readReduceState(stateFile, { case: caseId, target: target.name, originalHash });

  const reference = new CaseJudge({
    env,
    scratchParent,
    recipe,
    kase,
    target,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  say(
    `${caseId} on ${target.name}: ${resumed ? `resuming (${resumed.tests} candidates tested before)` : 'running the case alone'}`,
  );
  const first = resumed ? undefined : await reference.record({});
  if (first?.record && !isWasmSideFailure(first.record.code)) {
    throw new ReduceError(
      `${caseId} does not fail on ${target.name} when run alone (${first.record.codeName ?? first.record.harnessError?.message ?? 'no code'}): nothing to reduce`,
    );
  }
  const signature = resumed?.signature ?? first!.signature;
  say(`failure to keep: ${signature}`);

  let last: ReduceProgress | undefined;
  const show = (p: ReduceProgress) =>
    say(
      `${p.phase} ${p.file}: ${p.lines} lines, ${p.bytes} bytes; ${p.tests} tested, ${p.compiles} compiled, ${Math.round((performance.now() - started) / 1000)} s`,
    );
  const judge = new CaseJudge({
    env,
    scratchParent,
    recipe,
    kase,
    target,
    expected: signature,
    onJudged: (j) =>
      last &&
      show({
        ...last,
        tests: judge.tests,
        compiles: judge.compiles,
        phase: `${last.phase} (${j.holds ? 'still fails' : j.signature})`,
      }),
    ...(resumed ? { known: resumed.verdicts } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const priorMs = resumed?.elapsedMs ?? 0;
  const state = (best: FileEdits): ReduceState => ({
    version: 1,
    case: caseId,
    target: target.name,
    originalHash,
    signature,
    best,
    verdicts: judge.verdicts,
    tests: (resumed?.tests ?? 0) + judge.tests,
    compiles: (resumed?.compiles ?? 0) + judge.compiles,
    elapsedMs: priorMs + Math.round(performance.now() - started),
  });
  let best: FileEdits = resumed?.best ?? {};
  const ast = new PythonAst(options.tools.python);
  const scriptName = path.basename(kase.scriptPath);
  const original = await fs.readFile(kase.scriptPath, 'utf8');
  try {
    best = await reduceCase({
      judge,
      ast,
      recipeDir: recipe.dir,
      scriptName,
      start: best,
      parallel: Math.max(1, options.compileSlots),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (p: ReduceProgress) => show((last = p)),
      onBest: async (edits) => {
        best = edits;
        await writeReduceState(stateFile, state(best));
      },
    });
  } catch (error) {
    await writeReduceState(stateFile, state(best));
    if (opts.signal?.aborted) {
      say(`interrupted: the best candidate so far is saved; run the same command again to resume`);
      return 130;
    }
    throw error;
  } finally {
    ast.close();
  }
  await writeReduceState(stateFile, state(best));

  say('diagnosing the reproducer (call stack, Python line, callee, --debug build)');
  const final = await judge.record(
    best,
    diagnoseStageOptions({ ...options, diagnose: 'case' }, env, scratchParent, `reduce-${process.pid}`),
  );
  if (!final.holds || !final.record)
    throw new ReduceError(`the reduced case no longer fails the same way (${final.signature}); run again with --fresh`);
  // the script first, then every file the failure still needs, edited or not (data the script reads)
  const files = [scriptName, ...(await recipeFiles(recipe.dir)).filter((f) => f !== scriptName && best[f] !== null)];
  const contents = await Promise.all(
    files.map(async (rel) => ({
      path: rel,
      content: best[rel] ?? (await fs.readFile(path.join(recipe.dir, rel), 'utf8')),
    })),
  );
  const stack = final.record.stack;
  // the known upstream issues whose frame patterns the stack matches, as the report's groups get them
  const notes = stack ? (collectCallstacks([final.record], { topN: 5 }).groups[0]?.notes ?? []) : [];
  const totals = state(best);
  const report = renderBugReport({
    caseId,
    target: target.name,
    signature,
    scriptName,
    original: sizeOf(original),
    files: contents,
    record: final.record,
    stack,
    notes,
    stats: { tests: totals.tests, compiles: totals.compiles, wallMs: totals.elapsedMs },
  });
  // written beside, then swapped in: an interrupt never leaves half a reproducer
  const reproDir = path.join(outDir, 'files');
  const staging = `${reproDir}.${process.pid}.tmp`;
  await fs.rm(staging, { recursive: true, force: true });
  for (const rel of files) {
    const dest = path.join(staging, rel);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    // unedited files are copied byte for byte (data files need not be text)
    const edited = best[rel];
    if (typeof edited === 'string') await fs.writeFile(dest, edited);
    else await fs.copyFile(path.join(recipe.dir, rel), dest);
  }
  // names that are not UTF-8: the candidates all had them, so the reproducer does too
  for (const rel of await verbatimFiles(recipe.dir)) {
    const dest = joinBytes(bytePath(staging), rel);
    await fs.mkdir(fsPath(dirnameBytes(dest)), { recursive: true });
    await fs.copyFile(fsPath(joinBytes(bytePath(recipe.dir), rel)), fsPath(dest));
  }
  await fs.rm(reproDir, { recursive: true, force: true });
  await fs.rename(staging, reproDir);
  await writeFileAtomic(path.join(outDir, 'report.md'), report);
  await writeFileAtomic(
    path.join(outDir, 'reduce.json'),
    `${JSON.stringify({ case: caseId, target: target.name, signature, original: sizeOf(original), reduced: sizeOf(contents[0]!.content), files: files, tests: totals.tests, compiles: totals.compiles, wallMs: totals.elapsedMs, record: final.record }, null, 1)}\n`,
  );
  const size = sizeOf(contents[0]!.content);
  io.stdout.write(
    `${caseId}: ${sizeOf(original).lines} -> ${size.lines} lines (${sizeOf(original).bytes} -> ${size.bytes} bytes), ${totals.tests} tested, ${totals.compiles} compiles, ${Math.round(totals.elapsedMs / 1000)} s\n${path.join(reproDir, scriptName)}\n${path.join(outDir, 'report.md')}\n`,
  );
  return 0;
}
