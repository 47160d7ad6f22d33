import fs from 'node:fs/promises';
import { discoverCookbook } from '../../src/discover/discover.ts';
import type { RunEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord } from '../../src/types.ts';

/** Run the selected cases of a cookbook through the pipeline; records keyed `case target`. */
export async function runCases(
  env: RunEnvironment,
  root: string,
  cases: string[],
  scratch: string,
): Promise<Map<string, CaseRecord>> {
  const records = new Map<string, CaseRecord>();
  await fs.mkdir(scratch, { recursive: true });
  for (const chapter of discoverCookbook(root, { cases })) {
    for (const recipe of chapter.recipes) {
      const runner = new RecipeRunner(env, recipe, scratch);
      for (const kase of recipe.cases)
        for (const r of await runner.runCase(kase)) records.set(`${r.case} ${r.target}`, r);
      await runner.dispose();
    }
  }
  return records;
}
