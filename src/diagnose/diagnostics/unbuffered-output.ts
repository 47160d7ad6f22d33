import type { CapturedText } from '../../types.ts';
import type { Diagnostic } from '../types.ts';

// Bytes a capture holds of the program's own output (runtime lines such as iwasm's `Exception:` removed).
const programBytes = (c: CapturedText) => (c.truncated ? c.bytes : Buffer.byteLength(c.text));

/**
 * A compiled script's stdout is block-buffered and a trap flushes nothing, so what it printed is
 * lost (every runtime). The same wasm re-run with PYTHONUNBUFFERED=1 in the guest's environment
 * prints it before the trap. The plain run stays the verdict.
 */
export const unbufferedOutput: Diagnostic<'unbuffered-output'> = {
  kind: 'unbuffered-output',
  scope: 'case',
  version: 1,
  appliesTo: (record) => record.wasm?.trap !== undefined,
  async run(ctx) {
    ctx.progress('re-running with PYTHONUNBUFFERED=1');
    const run = await ctx.runWasm({ env: { PYTHONUNBUFFERED: '1' } });
    if (run.spawnError) throw new Error(`the re-run could not start: ${run.spawnError}`);
    if (run.timedOut) throw new Error('the re-run with PYTHONUNBUFFERED=1 timed out');
    const lostBytes = Math.max(0, programBytes(run.programStdout) - programBytes(ctx.record.wasm!.programStdout));
    return { stdout: run.programStdout, lostBytes };
  },
};
