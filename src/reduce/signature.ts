import { classifyFailure } from '../classify/failure.ts';
import { CaseErrorCode, type CaseRecord } from '../types.ts';

/**
 * What must stay the same while a case is reduced, as one comparable line: the code and failure
 * kind; for a trap its kind and the top frame's function; for a Python traceback its final
 * exception type; otherwise the failure group's label. A reduction that changes it found a
 * different bug, not a smaller copy of this one.
 */
export function failureSignature(record: CaseRecord): string {
  const group = classifyFailure(record);
  const head = `${record.codeName} ${group.kind}`;
  if (group.kind === 'trap') {
    const top = record.wasm?.frames.find((f) => f.name)?.name;
    return `${head}: ${record.wasm?.trap?.kind ?? group.label}${top ? ` in ${top}` : ''}`;
  }
  if (group.kind === 'traceback') return `${head}: ${/^[\w.]+/.exec(group.label)?.[0] ?? group.label}`;
  if (record.code === CaseErrorCode.DIFFERENT_RESULT) return head;
  return `${head}: ${group.label}`;
}

/** Whether a code is a failure of the wasm side (compile, run, comparison) while CPython ran fine. */
export function isWasmSideFailure(code: number | null): boolean {
  return (
    code === CaseErrorCode.COMPILATION_FAILURE ||
    code === CaseErrorCode.WASM_EXECUTION_FAILURE ||
    code === CaseErrorCode.DIFFERENT_RESULT ||
    code === CaseErrorCode.WASM_EXECUTION_TIMEOUT
  );
}
