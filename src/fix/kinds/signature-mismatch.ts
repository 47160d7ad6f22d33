// `indirect call type mismatch` where the callee was declared with fewer parameters than its caller
// passes (Nuitka's getters, setters and METH_NOARGS methods, cast to CPython's function types):
// native ABIs ignore the extra arguments, wasm's call_indirect checks the exact signature and traps.
import type { CaseRecord } from '../../types.ts';
import type { FixGroup, FixKind } from '../types.ts';

/** The indirect-call diagnosis of a record whose callee's signature differs from the call's. */
export function mismatchOf(record: CaseRecord) {
  const result = record.diagnosis?.results.find((r) => r.kind === 'indirect-call');
  if (result?.kind !== 'indirect-call' || result.status !== 'ok' || !result.data?.callee) return undefined;
  return result.data.callee.type !== result.data.expectedType ? result.data : undefined;
}

export const signatureMismatch: FixKind = {
  kind: 'signature-mismatch',
  version: 1,
  appliesTo: (group: FixGroup) => group.records.some((r) => mismatchOf(r) !== undefined),
  propose() {
    return Promise.reject(new Error('signature-mismatch: the sweep of the package is not implemented yet'));
  },
};
