// The verdict on one run of a compiled case: the runtime's exit and trap, then the program's
// stdout against CPython's. The pipeline judges each case so, and so do the re-runs of a
// diagnostic that checks a rebuilt module (a bigger stack) makes the case pass.
import { compareCaptured } from '../compare/captured.ts';
import type { NormalizationRule } from '../compare/normalize.ts';
import type { NormalizeContext } from '../compare/rule.ts';
import type { Comparison, ProcessOutcome, RuntimeRun } from '../types.ts';
import { classifyComparison, classifyWasm, type Verdict } from './classify.ts';

export interface WasmRunVerdict extends Verdict {
  /** Present when the run ended cleanly and its output was compared. */
  comparison?: Comparison;
}

export function judgeWasmRun(
  python: ProcessOutcome,
  wasm: RuntimeRun,
  rules: readonly NormalizationRule[],
  ctx: NormalizeContext,
): WasmRunVerdict {
  const failed = classifyWasm(wasm);
  if (failed) return failed;
  // on the exact text (an undecodable byte never equals a program printing its `\xNN` spelling), and
  // on the whole outputs even when only their head and tail were kept
  const comparison = compareCaptured(python.stdout, wasm.programStdout, rules, ctx);
  return { ...classifyComparison(comparison), comparison };
}
