// Diagnostics: what diagnosing a failure group costs, and that `diagnose: 'off'` costs nothing.
// decorators.example1 traps (indirect call type mismatch), so every diagnostic of this project
// applies: two re-compiles (--trace-execution, --debug) and an instrumented run under Node. On a
// fresh compile cache, four `vitest run`s one after another:
//   1. diagnose off, cold: the plain compile (its duration is the unit);
//   2. diagnose off, warm: the run without diagnostics;
//   3. diagnose group: the diagnostic re-compiles are cache misses;
//   4. diagnose group again: every diagnosis comes from the diagnosis cache.
// Target a: (3 - 2) is about one compile per compiling kind (<= 1.5x). Target b: 2 is not slower
// than 4 (<= 1.1x): with the stage off nothing is re-run, and a cached diagnosis is no cost either.

import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CaseRecord } from '../src/types.ts';
import {
  makeCacheDir,
  removeDir,
  runVitest,
  secs,
  times,
  verdict,
  type BenchContext,
  type Row,
  type Section,
} from './common.ts';

const CASES = ['decorators.example1'];
const COMPILE_LIMIT = 1.5;
const OFF_LIMIT = 1.1;

function diagnosisLine(record: CaseRecord | undefined): string {
  const results = record?.diagnosis?.results ?? [];
  return (
    results.map((r) => `${r.kind} ${r.status}${r.cached ? ' (cached)' : ''} ${secs(r.durationMs)}`).join(', ') ||
    'no diagnosis'
  );
}

export const diagnoseSection: Section = {
  name: 'diagnose',
  title: "Diagnostics: cost per failure group, and diagnose: 'off'",
  async run(ctx: BenchContext): Promise<Row[]> {
    const cacheDir = await makeCacheDir('diagnose', 'fresh');
    const reportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vitest-py2wasm-bench-diagnose-report-'));
    try {
      const run = async (label: string, mode: 'off' | 'group') => {
        const r = await runVitest({
          cacheDir,
          reportDir,
          maxWorkers: 1,
          cases: CASES,
          env: { PY2WASM_DIAGNOSE: mode },
        });
        const record = r.records[0];
        ctx.log(
          `  ${label}: ${secs(r.wallMs)} wall; ${record?.codeName}; compile ${record?.compile?.cached ? 'cached' : secs(record?.compile?.durationMs ?? 0)}; ${diagnosisLine(record)}`,
        );
        return { ...r, record };
      };
      const cold = await run('1 off, cold', 'off');
      const off = await run('2 off, warm', 'off');
      const fresh = await run('3 group, diagnostic compiles cold', 'group');
      const cached = await run('4 group, diagnoses cached', 'group');
      const compileMs = cold.record?.compile?.durationMs ?? Number.NaN;
      const results = fresh.record?.diagnosis?.results ?? [];
      const failed = results.filter((r) => r.status !== 'ok');
      if (results.length === 0 || failed.length)
        throw new Error(
          `diagnostics did not all succeed: ${diagnosisLine(fresh.record)} ${failed.map((f) => f.message).join('; ')}`,
        );
      const compiling = results.filter((r) => r.kind === 'python-line' || r.kind === 'debug-build').length;
      const costMs = fresh.wallMs - off.wallMs;
      const perCompile = costMs / (compiling * compileMs);
      const offRatio = off.wallMs / cached.wallMs;
      return [
        {
          id: 'diag-a',
          target: `diagnosing a group costs about one compile per compiling diagnostic (<= ${COMPILE_LIMIT}x)`,
          measured: `plain compile ${secs(compileMs)}; diagnose cost ${secs(costMs)} for ${results.length} diagnostics (${compiling} compile)`,
          ratio: times(perCompile),
          verdict: verdict(perCompile <= COMPILE_LIMIT),
        },
        {
          id: 'diag-b',
          target: `diagnose: 'off' is no slower than a run whose diagnoses are cached (<= ${OFF_LIMIT}x)`,
          measured: `off ${secs(off.wallMs)}, group (cached) ${secs(cached.wallMs)}`,
          ratio: times(offRatio),
          verdict: verdict(offRatio <= OFF_LIMIT),
        },
      ];
    } finally {
      await removeDir(cacheDir, ctx);
      await fs.rm(reportDir, { recursive: true, force: true });
    }
  },
};
