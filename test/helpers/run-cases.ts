import fs from 'node:fs/promises';
import { diagnoseCase } from '../../src/diagnose/run-case.ts';
import type { DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import type { RunEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord } from '../../src/types.ts';

/** Run the selected cases of a cookbook through the pipeline, then the diagnose stage when given; records keyed `case target`. */
export async function runCases(
  env: RunEnvironment,
  root: string,
  cases: string[],
  scratch: string,
  diagnose?: DiagnoseStageOptions,
): Promise<Map<string, CaseRecord>> {
  const records = new Map<string, CaseRecord>();
  await fs.mkdir(scratch, { recursive: true });
  for (const chapter of discoverCookbook(root, { cases })) {
    for (const recipe of chapter.recipes) {
      const runner = new RecipeRunner(env, recipe, scratch);
      for (const kase of recipe.cases) {
        const verdicts = await runner.runCase(kase);
        const done = diagnose ? await diagnoseCase(runner, kase, verdicts, diagnose) : verdicts;
        for (const r of done) records.set(`${r.case} ${r.target.name}`, r);
      }
      await runner.dispose();
    }
  }
  return records;
}

/** Run the selected cases of a cookbook and diagnose each case's records right after it, as a test file does. */
export async function runAndDiagnoseCases(
  env: RunEnvironment,
  root: string,
  cases: string[] | null,
  scratch: string,
  stage: DiagnoseStageOptions,
): Promise<CaseRecord[]> {
  const out: CaseRecord[] = [];
  for (const recipe of discoverCookbook(root, { cases }).flatMap((c) => c.recipes)) {
    const runner = new RecipeRunner(env, recipe, scratch);
    try {
      for (const kase of recipe.cases)
        out.push(...(await diagnoseCase(runner, kase, await runner.runCase(kase), stage)));
    } finally {
      await runner.dispose();
    }
  }
  return out;
}
