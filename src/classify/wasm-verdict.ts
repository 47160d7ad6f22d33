// The verdict on one run of a compiled case: the runtime's exit and trap, then the program's
// stdout against CPython's. The pipeline judges each case so, and so do the re-runs of a
// diagnostic that checks a rebuilt module (a bigger stack) makes the case pass, and the fix
// stage's verification: all of them see the same masking of the lines CPython prints differently.
import path from 'node:path';
import { compareCaptured } from '../compare/captured.ts';
import type { NormalizationRule } from '../normalize/normalize.ts';
import type { NormalizeContext } from '../normalize/rule.ts';
import { exactText } from '../records.ts';
import type { Comparison, ProcessOutcome, RuntimeRun } from '../types.ts';
import { classifyComparison, classifyPython, classifyWasm, type Verdict } from './classify.ts';

export interface WasmRunVerdict extends Verdict {
  /** Present when the run ended cleanly and its output was compared. */
  comparison?: Comparison;
}

/**
 * `cpythonAgain`, when given, runs the case on CPython once more (a fresh scratch copy, cached):
 * asked for only when the outputs differ, so that lines CPython itself prints differently are masked.
 */
export async function judgeWasmRun(
  python: ProcessOutcome,
  wasm: RuntimeRun,
  rules: readonly NormalizationRule[],
  ctx: NormalizeContext,
  cpythonAgain?: () => Promise<ProcessOutcome>,
): Promise<WasmRunVerdict> {
  const failed = classifyWasm(wasm);
  if (failed) return failed;
  // on the exact text (an undecodable byte never equals a program printing its `\xNN` spelling), and
  // on the whole outputs even when only their head and tail were kept
  const first = compareCaptured(python.stdout, wasm.programStdout, rules, ctx);
  if (first.equal || !cpythonAgain) return verdictOf(first);
  const again = await cpythonAgain();
  const { durationMs } = again;
  const unmasked = notMaskable(again, [python.stdout, wasm.programStdout, again.stdout]);
  if (unmasked) return verdictOf({ ...first, cpythonRerun: { masked: [], maskedCount: 0, unmasked, durationMs } });
  // the second run happened in a copy of its own
  const scratchDirs = [...ctx.scratchDirs, again.cwd, path.dirname(again.cwd)];
  const againText = exactText(again.stdout);
  const masked = compareCaptured(python.stdout, wasm.programStdout, rules, { ...ctx, scratchDirs }, againText);
  return verdictOf(masked.cpythonRerun ? { ...masked, cpythonRerun: { ...masked.cpythonRerun, durationMs } } : masked);
}

function verdictOf(comparison: Comparison): WasmRunVerdict {
  return { ...classifyComparison(comparison), comparison };
}

/** Why CPython's second run cannot mask lines, if it cannot. */
function notMaskable(again: ProcessOutcome, outputs: ProcessOutcome['stdout'][]): string | undefined {
  const failed = classifyPython(again);
  if (failed) return `CPython's second run failed (${failed.msg.split('\n').at(-1)}): nothing masked`;
  if (outputs.some((o) => o.truncated))
    return 'an output was too long to keep whole: lines are masked only in outputs kept whole';
  return undefined;
}
