import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { caseId, caseIdOf, isFailure } from '../records.ts';
import type { CaseRecord } from '../types.ts';

/** Which cases failed last time, so a re-run (watch mode) starts with them. */
export interface LastRun {
  failing: string[];
}

const fileOf = (cacheDir: string) => path.join(cacheDir, 'last-run.json');

export async function writeLastRun(cacheDir: string, records: CaseRecord[]): Promise<void> {
  const failing = [...new Set(records.filter((r) => isFailure(r.code)).map(caseId))];
  await fs.promises.mkdir(cacheDir, { recursive: true });
  await writeFileAtomic(fileOf(cacheDir), JSON.stringify({ failing } satisfies LastRun));
}

/** Synchronous: read while vitest collects a chapter's tests. */
export function readLastRun(cacheDir: string): LastRun {
  try {
    const parsed = JSON.parse(fs.readFileSync(fileOf(cacheDir), 'utf8')) as LastRun;
    return Array.isArray(parsed.failing) ? parsed : { failing: [] };
  } catch {
    return { failing: [] };
  }
}

/** Recipes holding a case that failed last time first; a recipe's own cases keep file order. */
export function failedFirst<T extends { chapter: string; cases: Array<{ key: string }> }>(
  recipes: T[],
  last: LastRun,
): T[] {
  const failing = new Set(last.failing);
  const hasFailure = (r: T) => r.cases.some((c) => failing.has(caseIdOf(r.chapter, c.key)));
  return [...recipes.filter(hasFailure), ...recipes.filter((r) => !hasFailure(r))];
}
