import { afterAll, beforeAll, describe, inject, test } from 'vitest';
import { classifyFailure } from '../classify/failure.ts';
import type { ResolvedOptions } from '../config/options.ts';
import { ChapterRun, type ChapterCaseRequest } from '../diagnose/chapter-run.ts';
import { diagnosisSummaryLine } from '../diagnose/describe.ts';
import { discoverChapter, type CookbookChapter } from '../discover/discover.ts';
import { caseIdOf, escapeControls, isFailure, isHarnessError, outcomeName } from '../records.ts';
import { startPhase, type PhaseProgress } from '../report/phase-progress.ts';
import { harnessErrorRecords } from '../run/harness-error.ts';
import { failedFirst, readLastRun } from '../run/last-run.ts';
import { removeOwnLeftoversSync } from '../run/leftovers.ts';
import { CaseErrorCode, type CaseRecord } from '../types.ts';
import type { CasesPart } from './balanced-files.ts';
import { readFocus, readWasmStageFocus } from './watch.ts';
import '../config/provided.ts';
import '../tools/availability.ts';

/** A failed case: the code name comes first, as the users grep for it. */
export class CaseFailure extends Error {
  constructor(records: CaseRecord[]) {
    const failing = records.filter((r) => isFailure(r.code));
    const first = failing[0]!;
    // vitest prints the message as it is: a case's escape sequences would reach the terminal
    super(
      escapeControls(
        failing
          .map((r) => {
            const diagnosis = diagnosisSummaryLine(r.diagnosis);
            return `${outcomeName(r)} [${r.target.name}]: ${summarizeMsg(r.msg)}${diagnosis ? `\n${diagnosis}` : ''}`;
          })
          .join('\n'),
      ),
    );
    this.name = outcomeName(first);
  }
}

/** What a baseline pins per target: the code, and for a failure the group it falls in. */
function baselineOutcome(records: CaseRecord[]): string[] {
  return records.map((r) => {
    if (r.code === CaseErrorCode.OK) return `${r.target.name}: OK`;
    const group = classifyFailure(r);
    return `${r.target.name}: ${r.codeName} | ${group.kind}: ${escapeControls(group.label)}`;
  });
}

function summarizeMsg(msg: string, maxLines = 12): string {
  const lines = msg.trimEnd().split('\n');
  return lines.length <= maxLines
    ? lines.join('\n')
    : [...lines.slice(0, 4), `... (${lines.length - maxLines + 4} lines)`, ...lines.slice(-(maxLines - 5))].join('\n');
}

/**
 * Turns every case of one chapter into a vitest test, under a describe for the chapter.
 * One file per chapter, so `vitest --shard` splits the cookbook by chapter.
 */
export function defineCookbookChapter(chapter: number | string): void {
  const options = inject('py2wasmOptions');
  exitWithTheRun(options.cacheDir);
  const found = discoverChapter(options.root, chapter, { cases: options.cases, exclude: options.exclude });
  // watch mode: an edit to one case re-runs that case only
  const watching = inject('py2wasmWatching');
  const focus = watching ? readFocus(options.cacheDir) : null;
  // a save in the WAMR checkout: its targets only, CPython's outcomes from the last run
  const wasmStage = watching ? readWasmStageFocus(options.cacheDir) : null;
  if (found && focus) {
    for (const recipe of found.recipes)
      recipe.cases = recipe.cases.filter((c) => focus.includes(caseIdOf(c.chapter, c.key)));
    found.recipes = found.recipes.filter((r) => r.cases.length > 0);
    found.broken = found.broken.filter((b) => focus.includes(caseIdOf(b.chapter, b.key)));
  }
  const selected = options.chapters === null || options.chapters.includes(String(Number(chapter)));
  if (!found || !selected || (found.recipes.length === 0 && found.broken.length === 0)) {
    describe(`chapter ${chapter}`, () => {
      test.skip(
        found ? `chapter ${chapter}: no selected cases` : `chapter ${chapter} is not in ${options.root}`,
        () => {},
      );
    });
    return;
  }
  defineCases(options, [{ label: `chapter ${chapter}`, found }], wasmStage);
}

/**
 * One of the test files `shardFiles` writes: whole recipes of any chapters (`parts`), each
 * chapter's cases under a describe for the chapter, as in a chapter's own file.
 */
export function defineCookbookCases(file: number, parts: readonly CasesPart[]): void {
  const options = inject('py2wasmOptions');
  exitWithTheRun(options.cacheDir);
  const filters = { cases: options.cases, exclude: options.exclude };
  const chapters = parts.flatMap((part) => {
    const found = discoverChapter(options.root, part.chapter, filters);
    if (!found) return [];
    const recipes = new Set(part.recipes);
    const broken = new Set(part.broken);
    found.recipes = found.recipes.filter((r) => recipes.has(r.recipe));
    found.broken = found.broken.filter((b) => broken.has(b.key));
    return found.recipes.length || found.broken.length ? [{ label: `chapter ${found.chapter}`, found }] : [];
  });
  if (chapters.length === 0) {
    describe(`test file ${file}`, () => test.skip(`test file ${file}: no selected cases`, () => {}));
    return;
  }
  defineCases(options, chapters, null);
}

/** The tests of some chapters' cases in one file: one run of them (environment, runners), a describe per chapter. */
function defineCases(
  options: ResolvedOptions,
  chapters: ReadonlyArray<{ label: string; found: CookbookChapter }>,
  wasmStage: string[] | null,
): void {
  const run = new ChapterRun(options, inject('py2wasmAvailability'), inject('py2wasmRunId'), wasmStage);
  beforeAll(() => run.prepare());
  afterAll(() => run.dispose());
  // the diagnose stage runs inside the test, after the verdict: a debug re-run and a budget per target
  const diagnoseMs =
    options.targets.length *
    (options.timeouts.debugWasmMs + (options.diagnose === 'off' ? 0 : options.diagnoseBudgetMs + 60_000));
  const perCaseMs =
    options.timeouts.pythonMs +
    options.targets.length * (options.timeouts.compileMs + options.timeouts.wasmMs) +
    diagnoseMs +
    120_000;
  const last = readLastRun(options.cacheDir);
  const orders = chapters.map(({ found }) =>
    failedFirst(found.recipes, last).flatMap((recipe) => recipe.cases.map((kase) => ({ recipe, kase }))),
  );
  // the next case's compile starts ahead, across chapters too
  const order = orders.flat();
  chapters.forEach(({ label, found }, c) => {
    describe(label, () => {
      // a case that cannot even be read still gets its record, and fails
      for (const entry of found.broken) {
        test(escapeControls(entry.key), (ctx) => {
          const records = harnessErrorRecords(entry, options.targets, { stage: 'discover', message: entry.reason });
          ctx.task.meta.py2wasm = { records };
          throw new CaseFailure(records);
        });
      }
      for (const { recipe, kase } of orders[c]!) {
        const next = order[order.findIndex((o) => o.kase === kase) + 1];
        defineCase(options, run, { recipe, kase, next }, perCaseMs);
      }
    });
  });
}

function defineCase(
  options: ResolvedOptions,
  run: ChapterRun,
  { recipe, kase, next }: Pick<ChapterCaseRequest, 'recipe' | 'kase' | 'next'>,
  perCaseMs: number,
): void {
  // named by its key: two cases of one `recipe.example` (`a.b/c.py`, `a/b.c.py`) are two tests
  test(escapeControls(kase.key), { timeout: perCaseMs }, async (ctx) => {
    // a trap's debug re-run, symbolization and diagnostics can take minutes: never silent
    let phase: PhaseProgress | undefined;
    const records = await run
      .run({
        recipe,
        kase,
        next,
        signal: ctx.signal,
        onDiagnose: (record, message) => {
          phase ??= startPhase(`vitest-py2wasm: diagnose ${kase.chapter}/${kase.name}`);
          phase.update(`[${record.target.name}] ${message}`);
        },
      })
      .finally(() => phase?.end());
    ctx.task.meta.py2wasm = { records };
    if (records.some(isHarnessError)) throw new CaseFailure(records); // the case could not run
    if (options.baseline) {
      // the expected outcome lives in the snapshot: only a change fails
      ctx.expect(baselineOutcome(records)).toMatchSnapshot();
      return;
    }
    if (records.every((r) => r.code === CaseErrorCode.OK)) return;
    if (records.every((r) => r.code === CaseErrorCode.BYPASS || r.code === CaseErrorCode.OK)) {
      ctx.skip(records.find((r) => r.bypassReason)?.bypassReason ?? 'bypassed');
    }
    throw new CaseFailure(records);
  });
}

let exitHooked = false;

/**
 * A worker whose vitest is gone (killed, or Ctrl-C) stops instead of compiling on: its children
 * die with it (the process guard), and at exit it removes the scratch and compile folders it made.
 */
function exitWithTheRun(cacheDir: string): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => removeOwnLeftoversSync(cacheDir));
  if (process.send) process.once('disconnect', () => process.exit(130));
  // Ctrl-C reaches the workers too and ends them without an 'exit' event: clean up, then let the signal do what it did
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeOwnLeftoversSync(cacheDir);
      process.kill(process.pid, signal);
    });
  }
}
