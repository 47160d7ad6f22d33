import { describe, expect, it } from 'vitest';
import { resolveExecutable } from '../../src/process/which.ts';
import { measureWamrWatch } from './wamr-watch.ts';
import { skipWithout } from '../helpers/needs.ts';

// Watch mode while patching WAMR (see wamr-watch.ts): a real 2020 WAMR tree built by cmake, a
// message of the fast interpreter patched while `vitest watch` runs. Release re-runs with the new
// message after an incremental rebuild, classic keeps the old one, Node's record is left as it was,
// and nothing is compiled or run by CPython again.
const NEEDED = ['cmake', 'make', 'cc', 'git', 'clang-19', 'python3', 'cargo'];
const missing = NEEDED.filter((t) => !resolveExecutable(t));

describe.skipIf(skipWithout(missing))('watch mode while patching WAMR (real cmake builds, clang-built wasm)', () => {
  it(
    'rebuilds iwasm on a save in the checkout and re-runs only the wasm stage',
    async ({ signal }) => {
      const m = await measureWamrWatch({ log: (line) => process.stderr.write(`${line}\n`), signal });
      process.stderr.write(
        `wamr watch: save -> verdict ${m.latencyMs} ms (RERUN after ${m.detectMs} ms, rebuild of iwasm:release ${m.rebuildMs} ms)\n`,
      );
      const { before, after } = m;
      expect(before.release.code, m.output.slice(-3000)).toBe('WASM_EXECUTION_FAILURE');
      expect(before.release.record.wasm?.trap).toEqual({
        kind: 'integer divide by zero',
        message: 'Exception: integer divide by zero',
      });
      expect(after.release.record.wasm?.trap?.message, m.output.slice(-3000)).toBe(
        'Exception: integer divide by zero (patched)',
      );
      expect(after.release.record.tools['wamr.fingerprint']).not.toBe(before.release.record.tools['wamr.fingerprint']);
      // classic does not compile the fast interpreter: same message, new build of the same sources
      expect(after.classic.record.wasm?.trap?.message).toBe('Exception: integer divide by zero');
      expect(after.classic.record.tools['wamr.fingerprint']).toBe(after.release.record.tools['wamr.fingerprint']);
      // only the wasm stage: the wasm from the compile cache, CPython's outcome from the first run
      expect(after.release.record.compile?.cached).toBe(true);
      expect(after.release.record.python?.cached).toBe(true);
      // the node target did not re-run: its record is the first run's
      expect(after.node.record.durations).toEqual(before.node.record.durations);
      expect(m.rebuildMs).toBeGreaterThan(0);
      expect(m.restarted).toBe(false);
      expect(m.lingering).toEqual([]);
    },
    20 * 60_000,
  );
});
