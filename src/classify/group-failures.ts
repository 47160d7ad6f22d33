// Failure groups: the failing records (every code but OK and BYPASS) grouped by classifyFailure's key.

import { caseId, codeNameOf, compareCaseIds, isFailure } from '../records.ts';
import { CASE_ERROR_NAMES, type CaseErrorCode, type CaseRecord } from '../types.ts';
import { classifyFailure, type FailureGroupKey, type FailureKind } from './failure.ts';

export interface FailureGroup {
  key: FailureGroupKey;
  /** Stable identifier built from the key (usable as an anchor or a map key). */
  id: string;
  /** Number of records in the group (one record = one case on one target). */
  count: number;
  /** Case identifiers (`<chapter>/<recipe.example>`), unique, sorted (chapters numerically). */
  cases: string[];
  /** Targets the records came from, unique, in record order. */
  targets: string[];
  /** The records of the group, in `cases` order (record order within a case). */
  records: CaseRecord[];
}

export interface GroupFailuresOptions {
  /** Split groups by target. Default: when the records come from more than one target. */
  perTarget?: boolean;
}

const FAILURE_KIND_ORDER: readonly FailureKind[] = [
  'trap',
  'traceback',
  'compile',
  'python',
  'diff',
  'timeout',
  'harness',
  'other',
];

function groupId(key: FailureGroupKey): string {
  return `${key.kind}|${key.code}|${key.target ?? '*'}|${key.label}${key.debugFailure !== undefined ? `|debug: ${key.debugFailure}` : ''}`;
}

/** The failure of the case's `--debug` build when it differs from the plain one: cases that fail alike plain but not under `--debug` part. */
function debugFailureOf(record: CaseRecord): string | undefined {
  const result = record.diagnosis?.results?.find((r) => r.kind === 'debug-build');
  return result?.status === 'ok' && result.kind === 'debug-build' && result.data?.differs
    ? result.data.failure
    : undefined;
}

/**
 * Groups the failing records (every code but OK and BYPASS) by classifyFailure's key; per target when
 * the records come from several targets (or when `opts.perTarget` says so).
 * Order: largest group first, then `CaseErrorCode` order, kind, label, target.
 */
export function groupFailures(records: CaseRecord[], opts: GroupFailuresOptions = {}): FailureGroup[] {
  const failing = records.filter((r) => r && isFailure(r.code));
  const perTarget = opts.perTarget ?? new Set(failing.map((r) => r.target?.name)).size > 1;
  const groups = new Map<string, FailureGroup & { caseSet: Set<string>; targetSet: Set<string> }>();
  for (const record of failing) {
    const full = classifyFailure(record);
    const key: FailureGroupKey = { kind: full.kind, label: full.label, code: full.code };
    if (perTarget && full.target !== undefined) key.target = full.target;
    const debugFailure = debugFailureOf(record);
    if (debugFailure !== undefined) key.debugFailure = debugFailure;
    const id = groupId(key);
    let g = groups.get(id);
    if (!g) {
      g = { key, id, count: 0, cases: [], targets: [], records: [], caseSet: new Set(), targetSet: new Set() };
      groups.set(id, g);
    }
    g.count++;
    g.records.push(record);
    const c = caseId(record);
    if (!g.caseSet.has(c)) {
      g.caseSet.add(c);
      g.cases.push(c);
    }
    const target = record.target?.name;
    if (typeof target === 'string' && !g.targetSet.has(target)) {
      g.targetSet.add(target);
      g.targets.push(target);
    }
  }
  const codeRank = (code: CaseErrorCode | null) => {
    const name = codeNameOf(code);
    return name ? CASE_ERROR_NAMES.indexOf(name) : CASE_ERROR_NAMES.length;
  };
  return [...groups.values()]
    .map(({ caseSet: _c, targetSet: _t, ...g }) => ({
      ...g,
      cases: g.cases.sort(compareCaseIds),
      records: g.records.sort((a, b) => compareCaseIds(caseId(a), caseId(b))),
    }))
    .sort(
      (a, b) =>
        b.count - a.count ||
        codeRank(a.key.code) - codeRank(b.key.code) ||
        FAILURE_KIND_ORDER.indexOf(a.key.kind) - FAILURE_KIND_ORDER.indexOf(b.key.kind) ||
        a.key.label.localeCompare(b.key.label) ||
        (a.key.target ?? '').localeCompare(b.key.target ?? '') ||
        (a.key.debugFailure ?? '').localeCompare(b.key.debugFailure ?? ''),
    );
}
