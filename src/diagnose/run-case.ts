import type { CookbookCase } from '../discover/discover.ts';
import type { RecipeRunner } from '../run/pipeline.ts';
import type { CaseRecord } from '../types.ts';
import { diagnoseRecords, type DiagnoseStageOptions } from './stage.ts';

/**
 * The diagnose stage for the records a RecipeRunner gave one of its cases: the diagnostics'
 * re-compiles (`# nuitka-project:` lines or link flags added) go through that runner's compile cache and slots.
 */
export function diagnoseCase(
  runner: RecipeRunner,
  kase: CookbookCase,
  verdicts: CaseRecord[],
  opts: DiagnoseStageOptions,
  signal?: AbortSignal,
): Promise<CaseRecord[]> {
  return diagnoseRecords(
    verdicts,
    {
      env: runner.env,
      compile: (_record, variant, s) => runner.compile(kase, s, variant),
      cpythonAgain: (_record, s) => runner.cpythonAgain(kase, s),
    },
    opts,
    signal,
  );
}
