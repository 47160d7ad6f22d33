// Compare two runs (results.json or imported legacy pickles) case by case, per target.
//
// Change kinds, decided per case present in both runs (same chapter and `recipe.example`):
//   fixed          a failure (any non-OK code, BYPASS included) became OK
//   regressed      OK became anything else (BYPASS included: a case that stops running is a loss)
//   changed-code   one non-OK code became another non-OK code (no order among failure codes is
//                  assumed: a timeout is not "better" than a trap; both are reported as a change)
//   changed-group  same non-OK code, different failure group (failureLabel); not reported for BYPASS,
//                  nor when either side only has the generic label (e.g. a legacy DIFFERENT_RESULT
//                  without a diff), since those cannot be told apart reliably
//   new / removed  the case is only in the new / only in the old run (not counted as regressions)
// Only `regressed` makes a comparison fail (`RunComparison.regressed`).
//
// Pure. Rendering is in render-comparison.ts, loading and validation in load-run.ts.

import { caseId, compareChapters, OUTCOME_NAMES, outcomeName, runTargets } from '../records.ts';
import { classifyFailure } from '../classify/failure.ts';
import { CaseErrorCode, type CaseRecord, type OutcomeName, type RunResults } from '../types.ts';
import { LEGACY_TARGET } from './pickle.ts';

export type ChangeKind = 'fixed' | 'regressed' | 'changed-code' | 'changed-group' | 'new' | 'removed';

export interface CaseSide {
  /** null for a harness error */
  code: CaseErrorCode | null;
  codeName: OutcomeName;
  /** failureLabel of the record ('' for OK). */
  label: string;
}

export interface CaseChange {
  kind: ChangeKind;
  /** `<chapter>/<recipe.example>` */
  id: string;
  chapter: string;
  case: string;
  old?: CaseSide;
  new?: CaseSide;
}

export interface TargetComparison {
  oldTarget: string;
  newTarget: string;
  fixed: CaseChange[];
  regressed: CaseChange[];
  changedCode: CaseChange[];
  changedGroup: CaseChange[];
  added: CaseChange[];
  removed: CaseChange[];
  /** Cases in both runs with the same outcome. */
  unchanged: number;
  /** Outcome counts of the compared records on each side. */
  totals: { old: Record<OutcomeName, number>; new: Record<OutcomeName, number> };
}

export interface RunSummary {
  source: RunResults['run']['source'];
  startedAt: string;
  targets: string[];
  records: number;
}

export interface RunComparison {
  old: RunSummary;
  new: RunSummary;
  pairs: TargetComparison[];
  /** Targets that took part in no pair. */
  unmatched: { old: string[]; new: string[] };
  /** True when any pair has a regression. */
  regressed: boolean;
}

export interface CompareOptions {
  /**
   * Compare only this target: the target of that name in both runs, or, when one run is a legacy
   * import (target `legacy`), legacy against this target of the other run.
   */
  target?: string;
}

export class CompareInputError extends Error {
  override readonly name = 'CompareInputError';
}

// ---------------------------------------------------------------------------------------------------------
// Failure label

/** Labels that say nothing about which failure it was: never reported as a group change. */
const GENERIC_LABELS = new Set(['outputs differ']);

/**
 * One line naming a failure: the trap kind, the final exception line, the compile error...
 * Uses the failure classification (src/classify/failure.ts). For a record without a `comparison` (legacy
 * pickles), a DIFFERENT_RESULT msg is read as the diff. '' for OK.
 */
export function failureLabel(record: CaseRecord): string {
  if (record.code === CaseErrorCode.OK) return '';
  const r =
    record.code === CaseErrorCode.DIFFERENT_RESULT && !record.comparison && record.msg
      ? { ...record, comparison: { equal: false, rulesFired: [], diff: record.msg } }
      : record;
  return classifyFailure(r).label;
}

// ---------------------------------------------------------------------------------------------------------
// Comparison

function pairTargets(oldTargets: string[], newTargets: string[], opts: CompareOptions): [string, string][] {
  const inOld = new Set(oldTargets);
  const inNew = new Set(newTargets);
  if (opts.target !== undefined) {
    const t = opts.target;
    if (inOld.has(t) && inNew.has(t)) return [[t, t]];
    if (inOld.has(LEGACY_TARGET) && !inNew.has(LEGACY_TARGET) && inNew.has(t)) return [[LEGACY_TARGET, t]];
    if (inNew.has(LEGACY_TARGET) && !inOld.has(LEGACY_TARGET) && inOld.has(t)) return [[t, LEGACY_TARGET]];
    throw new CompareInputError(
      `target ${JSON.stringify(t)} cannot be compared: old run has [${oldTargets.join(', ')}], new run has [${newTargets.join(', ')}]`,
    );
  }
  const pairs: [string, string][] = [];
  for (const t of oldTargets) if (inNew.has(t)) pairs.push([t, t]);
  // A legacy import has no namesake on the other side: compare it with every target there.
  if (inOld.has(LEGACY_TARGET) && !inNew.has(LEGACY_TARGET)) for (const t of newTargets) pairs.push([LEGACY_TARGET, t]);
  if (inNew.has(LEGACY_TARGET) && !inOld.has(LEGACY_TARGET)) for (const t of oldTargets) pairs.push([t, LEGACY_TARGET]);
  return pairs;
}

function indexByCase(records: CaseRecord[], target: string): Map<string, CaseRecord> {
  const m = new Map<string, CaseRecord>();
  for (const r of records) if (r.target.name === target) m.set(caseId(r), r); // a duplicate: the last one wins
  return m;
}

/**
 * failureLabel, memoized for records that carry nothing but code and msg (legacy imports, slim
 * history): their label depends on those two only, and the same messages repeat a lot.
 */
function labelCache(): (r: CaseRecord) => string {
  const cache = new Map<string, string>();
  return (r) => {
    if (r.python || r.compile || r.wasm || r.comparison || r.bypassReason !== undefined) return failureLabel(r);
    const key = `${r.code}\0${r.msg}`;
    let label = cache.get(key);
    if (label === undefined) cache.set(key, (label = failureLabel(r)));
    return label;
  };
}

function chapterOrder(a: CaseChange, b: CaseChange): number {
  return compareChapters(a.chapter, b.chapter) || a.case.localeCompare(b.case);
}

function emptyTotals(): Record<OutcomeName, number> {
  return Object.fromEntries(OUTCOME_NAMES.map((n) => [n, 0])) as Record<OutcomeName, number>;
}

function compareTarget(
  oldRecords: Map<string, CaseRecord>,
  newRecords: Map<string, CaseRecord>,
  oldTarget: string,
  newTarget: string,
  label: (r: CaseRecord) => string = failureLabel,
): TargetComparison {
  const side = (r: CaseRecord): CaseSide => ({ code: r.code, codeName: outcomeName(r), label: label(r) });
  const c: TargetComparison = {
    oldTarget,
    newTarget,
    fixed: [],
    regressed: [],
    changedCode: [],
    changedGroup: [],
    added: [],
    removed: [],
    unchanged: 0,
    totals: { old: emptyTotals(), new: emptyTotals() },
  };
  const base = (r: CaseRecord, kind: ChangeKind): CaseChange => ({
    kind,
    id: caseId(r),
    chapter: String(r.chapter),
    case: r.case,
  });
  for (const [id, o] of oldRecords) {
    c.totals.old[outcomeName(o)]++;
    const n = newRecords.get(id);
    if (!n) {
      c.removed.push({ ...base(o, 'removed'), old: side(o) });
      continue;
    }
    if (o.code === n.code) {
      if (o.code === CaseErrorCode.OK || o.code === CaseErrorCode.BYPASS) {
        c.unchanged++;
        continue;
      }
      const os = side(o);
      const ns = side(n);
      if (os.label !== ns.label && !GENERIC_LABELS.has(os.label) && !GENERIC_LABELS.has(ns.label)) {
        c.changedGroup.push({ ...base(n, 'changed-group'), old: os, new: ns });
      } else {
        c.unchanged++;
      }
    } else if (o.code === CaseErrorCode.OK) {
      c.regressed.push({ ...base(n, 'regressed'), old: side(o), new: side(n) });
    } else if (n.code === CaseErrorCode.OK) {
      c.fixed.push({ ...base(n, 'fixed'), old: side(o), new: side(n) });
    } else {
      c.changedCode.push({ ...base(n, 'changed-code'), old: side(o), new: side(n) });
    }
  }
  for (const [id, n] of newRecords) {
    c.totals.new[outcomeName(n)]++;
    if (!oldRecords.has(id)) c.added.push({ ...base(n, 'new'), new: side(n) });
  }
  for (const list of [c.fixed, c.regressed, c.changedCode, c.changedGroup, c.added, c.removed]) list.sort(chapterOrder);
  return c;
}

function summary(run: RunResults): RunSummary {
  return {
    source: run.run.source,
    startedAt: run.run.startedAt,
    targets: runTargets(run),
    records: run.records.length,
  };
}

/**
 * Compare `oldRun` with `newRun`, per target pair (see pairTargets: same names; a legacy import's
 * `legacy` against each target of the other run; or the single `opts.target`).
 * Throws CompareInputError when `opts.target` names no comparable target.
 */
export function compareRuns(oldRun: RunResults, newRun: RunResults, opts: CompareOptions = {}): RunComparison {
  const oldTargets = runTargets(oldRun);
  const newTargets = runTargets(newRun);
  const label = labelCache();
  const pairs = pairTargets(oldTargets, newTargets, opts).map(([o, n]) =>
    compareTarget(indexByCase(oldRun.records, o), indexByCase(newRun.records, n), o, n, label),
  );
  const usedOld = new Set(pairs.map((p) => p.oldTarget));
  const usedNew = new Set(pairs.map((p) => p.newTarget));
  return {
    old: summary(oldRun),
    new: summary(newRun),
    pairs,
    unmatched: { old: oldTargets.filter((t) => !usedOld.has(t)), new: newTargets.filter((t) => !usedNew.has(t)) },
    regressed: pairs.some((p) => p.regressed.length > 0),
  };
}
