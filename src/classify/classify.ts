import type { CompileOutcome, Comparison, ProcessOutcome, RanCode, RuntimeRun } from '../types.ts';
import { CaseErrorCode as Code } from '../types.ts';

/** How a case that ran ended (a bypass is decided before anything runs). */
export interface Verdict {
  code: RanCode;
  msg: string;
}

/** CPython's side: a failure or timeout here decides the case before anything is compiled. */
export function classifyPython(run: ProcessOutcome): Verdict | undefined {
  if (run.timedOut)
    return {
      code: Code.PY_EXECUTION_TIMEOUT,
      msg: `CPython timed out after ${run.durationMs} ms\n${lastLines(run.stdout.text, 5)}`.trimEnd(),
    };
  if (run.spawnError) return { code: Code.PY_EXECUTION_FAILURE, msg: run.spawnError };
  if (run.exitCode !== 0) {
    const text = run.stderr.text.trim() ? run.stderr.text : run.stdout.text;
    return { code: Code.PY_EXECUTION_FAILURE, msg: text.trim() || `CPython exited with ${describeExit(run)}` };
  }
  return undefined;
}

export function classifyCompile(outcome: CompileOutcome): Verdict | undefined {
  if (outcome.exitCode === 0 && !outcome.timedOut && outcome.wasmPath) return undefined;
  if (outcome.spawnError) return { code: Code.COMPILATION_FAILURE, msg: outcome.spawnError };
  const why = outcome.invalidWasm
    ? `compiler exited 0 but ${outcome.invalidWasm}`
    : outcome.timedOut
      ? `compile timed out after ${outcome.durationMs} ms`
      : outcome.exitCode === 0
        ? 'compiler exited 0 but wrote no wasm'
        : `compiler exited with ${outcome.exitCode ?? 'a signal'}`;
  return { code: Code.COMPILATION_FAILURE, msg: `${why}\n${outcome.logTail}`.trimEnd() };
}

/**
 * The wasm side. A trap and a Python-level error both exit 1 under iwasm; the runtime's own lines
 * (its `Exception:` line, node's `RuntimeError:`) tell them apart and go into the message.
 */
export function classifyWasm(run: RuntimeRun): Verdict | undefined {
  if (run.timedOut)
    return {
      code: Code.WASM_EXECUTION_TIMEOUT,
      msg: `${run.runtime} timed out after ${run.durationMs} ms\n${lastLines(run.programStdout.text, 5)}`.trimEnd(),
    };
  if (run.spawnError) return { code: Code.WASM_EXECUTION_FAILURE, msg: run.spawnError };
  if (run.exitCode !== 0 || run.trap) {
    const parts = [run.programStderr.text.trimEnd(), ...run.runtimeLines].filter(Boolean);
    return {
      code: Code.WASM_EXECUTION_FAILURE,
      msg: parts.join('\n') || `${run.runtime} exited with ${describeExit(run)}`,
    };
  }
  return undefined;
}

export function classifyComparison(comparison: Comparison): Verdict {
  if (comparison.equal) return { code: Code.OK, msg: '' };
  return { code: Code.DIFFERENT_RESULT, msg: comparison.diff ?? 'outputs differ' };
}

function describeExit(run: ProcessOutcome): string {
  return run.signal ? `signal ${run.signal}` : `status ${run.exitCode}`;
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
