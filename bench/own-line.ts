// A case's own Python line: read from its trapped memory (python-frames: a re-run under Node and
// the module's DWARF layout, no compile) against the --trace-execution re-compile of the same case
// (python-line) that a case would need without it. progress_output.example1 traps in
// functools.wraps; from a fresh compile cache (toolchain and Nuitka cache borrowed, warm): the
// plain compile, then each diagnostic alone through the real stage with a store of its own.
// Target: the line read costs at most a fifth of the re-compile it replaces for the inheriting cases.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pythonFrames } from '../src/diagnose/diagnostics/python-frames.ts';
import { pythonLine } from '../src/diagnose/diagnostics/python-line.ts';
import { diagnoseStageOptions } from '../src/diagnose/stage-options.ts';
import { diagnoseRecords } from '../src/diagnose/stage.ts';
import { DiagnosisStore } from '../src/diagnose/store.ts';
import { discoverCookbook } from '../src/discover/discover.ts';
import { RecipeRunner } from '../src/run/pipeline.ts';
import type { AnyDiagnostic } from '../src/diagnose/types.ts';
import type { CaseRecord } from '../src/types.ts';
import {
  BENCH_TARGET,
  makeCacheDir,
  removeDir,
  runEnvironment,
  sampleOptions,
  secs,
  times,
  verdict,
  type BenchContext,
  type Row,
  type Section,
} from './common.ts';

const CASE = 'progress_output.example1';
const LIMIT = 0.2;

export const ownLineSection: Section = {
  name: 'own-line',
  title: "A case's own Python line: memory read vs --trace-execution re-compile",
  async run(ctx: BenchContext): Promise<Row[]> {
    const cacheDir = await makeCacheDir('own-line', 'fresh');
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'vitest-py2wasm-bench-own-line-'));
    try {
      const options = sampleOptions(cacheDir, { cases: [CASE], diagnose: 'case' });
      const env = await runEnvironment(options);
      const recipe = discoverCookbook(options.root, { cases: [CASE] }).flatMap((c) => c.recipes)[0]!;
      const runner = new RecipeRunner(env, recipe, scratch);
      try {
        const [record] = (await runner.runCase(recipe.cases[0]!)).filter((r) => r.target.name === BENCH_TARGET);
        if (!record?.wasm?.trap) throw new Error(`${CASE} did not trap: ${record?.msg ?? 'no record'}`);
        const compileMs = record.compile?.durationMs ?? Number.NaN;
        ctx.log(`  plain compile ${secs(compileMs)}`);
        const diagnoseWith = async (d: AnyDiagnostic, runId: string) => {
          const stage = {
            ...diagnoseStageOptions(options, env, scratch, runId),
            diagnostics: [d],
            store: new DiagnosisStore(path.join(scratch, 'diagnose'), runId),
          };
          const started = performance.now();
          const [out] = await diagnoseRecords(
            [record],
            { env, compile: (_r, projectOptions, signal) => runner.compile(recipe.cases[0]!, signal, projectOptions) },
            stage,
          );
          const wallMs = performance.now() - started;
          const result = out!.diagnosis?.results.find((r) => r.kind === d.kind);
          if (result?.status !== 'ok') throw new Error(`${d.kind} ${result?.status}: ${result?.message}`);
          // the diagnostic's own time: the stage's wall also holds the trap's call stack (symbolized once, then cached)
          ctx.log(`  ${d.kind}: ${secs(result.durationMs)} (stage wall ${secs(wallMs)}; ${describe(out!)})`);
          return result.durationMs;
        };
        const readMs = await diagnoseWith(pythonFrames, 'frames');
        const traceMs = await diagnoseWith(pythonLine, 'trace');
        const ratio = readMs / traceMs;
        return [
          {
            id: 'line-a',
            target: `a case's own Python line read from its trapped memory costs <= ${LIMIT}x the --trace-execution re-compile of it`,
            measured: `memory read ${secs(readMs)} (DWARF layout + a run under node); re-compile + traced run ${secs(traceMs)}; plain compile ${secs(compileMs)}`,
            ratio: times(ratio),
            verdict: verdict(ratio <= LIMIT),
          },
        ];
      } finally {
        await runner.dispose();
      }
    } finally {
      await removeDir(cacheDir, ctx);
      await fs.rm(scratch, { recursive: true, force: true });
    }
  },
};

function describe(r: CaseRecord): string {
  return (r.diagnosis?.results ?? [])
    .map((x) => {
      const data = x.data as { own?: { file: string; line: number }; file?: string; line?: number } | undefined;
      const at = data?.own ?? data;
      return `${x.kind}: ${at?.file ?? '?'}:${at?.line ?? '?'}`;
    })
    .join(', ');
}
