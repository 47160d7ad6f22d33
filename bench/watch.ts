// Target 4: watch mode. A previously failing case's verdict within 1 s of its own compile + run
// after a save in the py2wasm tree. Real: a py2wasm checkout (PyPI sdist) installed editable,
// `vitest watch` on decorators.example1 (the getset_get trap), then the getter-signature patch is
// saved into the checkout while vitest watches (test/e2e/watch-latency.ts does the work).

import { measureWatchLatency } from '../test/e2e/watch-latency.ts';
import { ms, verdict, type BenchContext, type Row, type Section } from './common.ts';

const LIMIT_MS = 1000;

export const watchSection: Section = {
  name: 'watch',
  title: '4. Watch: a save in the py2wasm tree to the verdict of a previously failing case',
  async run(ctx: BenchContext): Promise<Row[]> {
    const r = await measureWatchLatency({ log: (line) => ctx.log(`  ${line}`) });
    if (r.lingering.length) ctx.log(`  warning: processes left behind: ${r.lingering.join(', ')}`);
    const ok = r.before.code !== r.after.code && r.after.code === 'OK' && !r.restarted;
    return [
      {
        id: '4',
        target: 'watch: verdict within 1 s of the case’s own compile + run after a save',
        measured: `save→verdict ${ms(r.latencyMs)}; case python+compile+wasm ${ms(r.caseMs)} (compile ${ms(r.durations.compileMs)}); overhead ${ms(r.overheadMs)} (detect ${ms(r.detectMs)}, re-run start ${ms(r.rerunStartMs)}); ${r.before.code} -> ${r.after.code}`,
        ratio: `${((r.overheadMs / LIMIT_MS) * 100).toFixed(0)} % of 1 s`,
        verdict: verdict(ok && r.overheadMs <= LIMIT_MS),
        ...(ok
          ? {}
          : {
              note: `the patch did not turn the case OK without a restart (${r.before.code} -> ${r.after.code}, restarted: ${r.restarted})`,
            }),
      },
    ];
  },
};
