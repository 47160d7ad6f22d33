import fs from 'node:fs/promises';
import { readStacks } from '../../src/report/read-stacks.ts';
import type { RunResults } from '../../src/types.ts';

// What two runs of the same cases must agree on, whichever way they ran (one run, shards merged,
// another cache folder): everything but timings, dates, scratch and cache paths, and whether a
// result came from a cache.

const SCRATCH = /\/[^\s"']*scratch\/[^\s"'/]+/g;

/** Records sorted by case and target: code, message, trap, rules, failure group, diagnosis kinds and stack frames. */
export function comparableRun(results: RunResults) {
  return results.records
    .map((r) => ({
      chapter: r.chapter,
      case: r.case,
      target: r.target,
      code: r.code,
      codeName: r.codeName,
      trap: r.wasm?.trap,
      rules: r.comparison?.rulesFired,
      msg: r.msg.replace(SCRATCH, '<scratch>'),
      group: r.diagnosis?.groupKey,
      diagnosedCase: r.diagnosis?.diagnosedCase,
      diagnoses: r.diagnosis?.results.map((d) => `${d.kind}: ${d.status}`),
      stack: r.stack && { source: r.stack.source, frames: r.stack.frames, omitted: r.stack.omittedFrames },
    }))
    .sort((a, b) => `${a.chapter}/${a.case} ${a.target.name}`.localeCompare(`${b.chapter}/${b.case} ${b.target.name}`));
}

/** callstacks.json's distinct stacks: their cases, frames and targets. */
export async function comparableStacks(file: string) {
  return readStacks(JSON.parse(await fs.readFile(file, 'utf8')))
    .map((g) => ({ key: g.key, cases: [...g.cases].sort(), frames: g.frames, targets: [...g.targets].sort() }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** summary.md without its dates and its source line (a merge says merged). */
export const comparableSummary = (md: string) =>
  md.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<date>').replace(/source (vitest|merged)/, 'source <source>');
