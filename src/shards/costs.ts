// What each case is expected to cost in a run, read from an earlier run's records.
import { caseId } from '../records.ts';
import type { CaseRecord } from '../types.ts';

/**
 * Milliseconds per case id, as an earlier run measured them. A case costs what its steps took when
 * they ran: its CPython run (and the second one, when it had one), its compile (one for all the targets of a compiler) and each target's
 * wasm run. A step served from a cache keeps the time it first took, so a warm run weighs its cases
 * as a cold one would, and a case whose compile was started ahead (while the case before it ran)
 * still owns that compile. Only a case with no step (bypassed, a harness error) counts its
 * `durations.totalMs`.
 */
export function caseCosts(records: readonly CaseRecord[]): Map<string, number> {
  const byCase = new Map<string, CaseRecord[]>();
  for (const r of records) {
    const id = caseId(r);
    byCase.set(id, [...(byCase.get(id) ?? []), r]);
  }
  const costs = new Map<string, number>();
  for (const [id, rs] of byCase) {
    // CPython's second run (when the outputs differed) is the case's too, once for all its targets
    const python = Math.max(
      0,
      ...rs.map((r) => (r.python?.durationMs ?? 0) + (r.comparison?.cpythonRerun?.durationMs ?? 0)),
    );
    const compile = Math.max(0, ...rs.map((r) => r.compile?.durationMs ?? 0));
    const wasm = rs.reduce((sum, r) => sum + (r.wasm?.durationMs ?? 0), 0);
    const steps = python + compile + wasm;
    costs.set(id, steps > 0 ? steps : Math.max(0, ...rs.map((r) => r.durations?.totalMs ?? 0)));
  }
  return costs;
}

/** The cost given to a case the earlier run did not have: the median of those it had, else 1 (a case count). */
export function unmeasuredCost(costs: ReadonlyMap<string, number>): number {
  const sorted = [...costs.values()].sort((a, b) => a - b);
  if (sorted.length === 0) return 1;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
