// Target 5: importing 10,000 legacy pickle records and comparing them against a modified run,
// through bench/history.bench.ts (shared with test/unit/compare-runs.test.ts, whose budget is
// "well under a second": each step < 1,000 ms).

import { benchHistory } from './history.bench.ts';
import { median, ms, verdict, type BenchContext, type Row, type Section } from './common.ts';

const RECORDS = 10_000;
const LIMIT_MS = 1000;

export const historySection: Section = {
  name: 'history',
  title: '5. History: import-pickle and compare on 10,000 synthetic records',
  async run(ctx: BenchContext): Promise<Row[]> {
    const runs: Array<{ importMs: number; compareMs: number }> = [];
    for (let i = 0; i < ctx.reps; i++) {
      runs.push(await benchHistory(RECORDS));
      ctx.log(`  rep ${i + 1}/${ctx.reps}: import ${ms(runs.at(-1)!.importMs)}, compare ${ms(runs.at(-1)!.compareMs)}`);
    }
    const importMs = median(runs.map((r) => r.importMs));
    const compareMs = median(runs.map((r) => r.compareMs));
    const budget = (x: number) => `${((x / LIMIT_MS) * 100).toFixed(0)} % of 1 s`;
    return [
      {
        id: '5a',
        target: 'import 10,000 legacy pickle records < 1 s',
        measured: `${ms(importMs)} (median of ${ctx.reps}; ${Math.round((RECORDS / importMs) * 1000).toLocaleString('en-US')} records/s)`,
        ratio: budget(importMs),
        verdict: verdict(importMs < LIMIT_MS),
      },
      {
        id: '5b',
        target: 'compare two runs of 10,000 records < 1 s',
        measured: `${ms(compareMs)} (median of ${ctx.reps})`,
        ratio: budget(compareMs),
        verdict: verdict(compareMs < LIMIT_MS),
      },
    ];
  },
};
