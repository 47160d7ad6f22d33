// The run summary model: every number and group the reports show, built once from RunResults
// (buildSummary). summary.md (summary-markdown.ts), index.html (html.ts) and the terminal
// (terminal.ts) are pure renderers of this one model. A new section = a field here + a renderer.

import { fixKindFor } from '../fix/registry.ts';
import type { FixesFile } from '../fix/results.ts';
import {
  caseId,
  codeNameOf,
  compareChapters,
  countCodes,
  emptyCounts,
  runTargets,
  type CodeCounts,
  isHarnessError,
} from '../records.ts';
import { diagnosisOfCases } from '../diagnose/describe.ts';
import type { StackGroup } from '../diagnose/stack-groups.ts';
import { readStacks } from './read-stacks.ts';
import { maskedCases, type MaskedCase } from './masked-lines.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, type CaseRecord, type RunResults } from '../types.ts';
import { classifyFailure } from '../classify/failure.ts';
import { groupFailures, type FailureGroup } from '../classify/group-failures.ts';
import { failureSides, sideGroups, type FailureSides } from './failure-sides.ts';

export type { CodeCounts } from '../records.ts';

/** The old run's headline figure. */
export interface Headline {
  /** WASM_EXECUTION_FAILURE + WASM_EXECUTION_TIMEOUT */
  failures: number;
  /** all − PY_EXECUTION_FAILURE − PY_EXECUTION_TIMEOUT − BYPASS */
  valid: number;
  /** failures / valid; null when there is no valid case. */
  rate: number | null;
}

/** The old manual failure analysis' `Counter` over WASM_EXECUTION_FAILURE: runtime traps (`Exception`) vs Python tracebacks (`Traceback`). */
export interface WasmFailureCounter {
  Exception: number;
  Traceback: number;
  /** Neither (load errors, unclassified); the old analysis asserted there were none. */
  other: number;
}

export interface ChapterRow {
  chapter: string;
  counts: CodeCounts;
  total: number;
}

export interface TargetSummary {
  target: string;
  total: number;
  totals: CodeCounts;
  headline: Headline;
  chapters: ChapterRow[];
  wasmFailures: WasmFailureCounter;
}

export interface BuildSummaryOptions {
  /** Distinct call-stack groups, read loosely (StackGroup[]; anything else is dropped). */
  stacks?: unknown;
  /** Markdown lines shown under the headline (rendered as given). */
  notes?: string[];
  /** What `vitest-py2wasm fix` wrote (fixes/fixes.json), when it ran on these results. */
  fixes?: FixesFile;
}

/** One record as the reports list it. */
export interface CaseEntry {
  record: CaseRecord;
  /** `<chapter>/<recipe.example>` */
  id: string;
  /** The failure group label ('' for OK). */
  label: string;
}

export interface Summary {
  run: RunResults['run'];
  /** Every record, in record order. */
  cases: CaseEntry[];
  /** BYPASS cases by reason (a bypass rule, or a missing tool), largest first. */
  bypassed: Array<{ reason: string; cases: string[] }>;
  /** run.targets, then any other target seen in the records. */
  targets: string[];
  /** Several targets ran: headline, chapters and groups are given per target. */
  perTarget: boolean;
  /** Number of records (one per case and target). */
  total: number;
  totals: CodeCounts;
  /** Over all records (several targets: their records pooled). */
  headline: Headline;
  chapters: ChapterRow[];
  byTarget: TargetSummary[];
  wasmFailures: WasmFailureCounter;
  /** Every failure group: the wasm side's first, then harness errors and unknown codes, then CPython's own (see `sides`). */
  failureGroups: FailureGroup[];
  /** The failure groups by the side that broke, each side by code, largest group first within a code. */
  sides: FailureSides;
  /** Cases whose runtimes gave different outcomes (several runtimes per compiler), with who gave what. */
  disagreements: Array<{ case: string; detail: string }>;
  /** Cases compared with lines masked that CPython prints differently each run. */
  masked: MaskedCase[];
  stacks: StackGroup[];
  notes: string[];
  /** Records whose code is none of the eight (counted in `total` only). */
  unknownCodeRecords: number;
  /** Cases the harness could not run (no code; counted in `total`, not in any code or rate). */
  harnessErrors: Array<{ case: string; target: string; message: string }>;
  /** What the diagnose stage did: records diagnosed themselves, inheriting their group's, and diagnostics not done. */
  diagnoses: { diagnosed: number; inherited: number; notDone: number };
  /** Failure group id -> the fix kind that proposes a patch for it (`vitest-py2wasm fix <case>`). */
  fixKinds: Record<string, string>;
  /** The patches `vitest-py2wasm fix` verified on these results, and the groups it has no fix for. */
  fixes?: FixesFile;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers

/** (WASM_EXECUTION_FAILURE + WASM_EXECUTION_TIMEOUT) / (all − PY_EXECUTION_FAILURE − PY_EXECUTION_TIMEOUT − BYPASS). */
export function headlineOf(counts: CodeCounts): Headline {
  const all = CASE_ERROR_NAMES.reduce((s, n) => s + counts[n], 0);
  const failures = counts.WASM_EXECUTION_FAILURE + counts.WASM_EXECUTION_TIMEOUT;
  const valid = all - counts.PY_EXECUTION_FAILURE - counts.PY_EXECUTION_TIMEOUT - counts.BYPASS;
  return { failures, valid, rate: valid > 0 ? failures / valid : null };
}

export function chapterTable(records: readonly CaseRecord[]): ChapterRow[] {
  const rows = new Map<string, ChapterRow>();
  for (const r of records) {
    const chapter = r.chapter === undefined || r.chapter === null || r.chapter === '' ? '?' : String(r.chapter);
    let row = rows.get(chapter);
    if (!row) rows.set(chapter, (row = { chapter, counts: emptyCounts(), total: 0 }));
    const name = codeNameOf(r.code);
    if (name) row.counts[name]++;
    row.total++;
  }
  return [...rows.values()].sort((a, b) => compareChapters(a.chapter, b.chapter));
}

function countWasmFailures(records: readonly CaseRecord[]): WasmFailureCounter {
  const counter: WasmFailureCounter = { Exception: 0, Traceback: 0, other: 0 };
  for (const r of records) {
    if (r.code !== CaseErrorCode.WASM_EXECUTION_FAILURE) continue;
    const kind = classifyFailure(r).kind;
    if (kind === 'trap') counter.Exception++;
    else if (kind === 'traceback') counter.Traceback++;
    else counter.other++;
  }
  return counter;
}

export function buildSummary(results: RunResults, opts: BuildSummaryOptions = {}): Summary {
  const records = Array.isArray(results.records) ? results.records.filter((r) => r && typeof r === 'object') : [];
  const targets = runTargets({ run: results.run, records }, { withoutRecords: true });
  const perTarget = targets.length > 1;
  const totals = countCodes(records);
  const byTarget = targets.map((target): TargetSummary => {
    const mine = records.filter((r) => r.target.name === target);
    const t = countCodes(mine);
    return {
      target,
      total: mine.length,
      totals: t,
      headline: headlineOf(t),
      chapters: chapterTable(mine),
      wasmFailures: countWasmFailures(mine),
    };
  });
  const sides = failureSides(groupFailures(records, { perTarget }));
  const groups = [...sideGroups(sides.wasm), ...sides.other, ...sideGroups(sides.cpython)];
  const labels = new Map<CaseRecord, string>();
  for (const g of groups) for (const r of g.records) labels.set(r, g.key.label);
  const cases = records.map((record): CaseEntry => ({
    record,
    id: caseId(record),
    label: record.code === CaseErrorCode.OK ? '' : (labels.get(record) ?? classifyFailure(record).label),
  }));
  const bypassed = new Map<string, Set<string>>();
  for (const r of records) {
    if (r.code !== CaseErrorCode.BYPASS) continue;
    const reason = String(r.bypassReason ?? r.msg ?? 'bypassed');
    bypassed.set(reason, (bypassed.get(reason) ?? new Set()).add(caseId(r)));
  }
  return {
    run: results.run,
    cases,
    bypassed: [...bypassed]
      .map(([reason, cases]) => ({ reason, cases: [...cases] }))
      .sort((a, b) => b.cases.length - a.cases.length),
    targets,
    perTarget,
    total: records.length,
    totals,
    headline: headlineOf(totals),
    chapters: chapterTable(records),
    byTarget,
    wasmFailures: countWasmFailures(records),
    failureGroups: groups,
    sides,
    disagreements: [
      ...new Map(
        records.filter((r) => typeof r.disagreement === 'string').map((r) => [caseId(r), r.disagreement!]),
      ).entries(),
    ].map(([id, detail]) => ({ case: id, detail })),
    masked: maskedCases(records),
    stacks: readStacks(opts.stacks).map((g) => withDiagnosis(g, records)),
    notes: opts.notes ?? [],
    unknownCodeRecords: records.filter((r) => !isHarnessError(r) && codeNameOf(r.code) === undefined).length,
    diagnoses: {
      diagnosed: records.filter((r) => r.diagnosis && !r.diagnosis.inherited).length,
      inherited: records.filter((r) => r.diagnosis?.inherited).length,
      notDone: records.reduce((n, r) => n + (r.diagnosis?.results.filter((x) => x.status !== 'ok').length ?? 0), 0),
    },
    harnessErrors: records
      .filter(isHarnessError)
      .map((r) => ({ case: caseId(r), target: r.target.name, message: String(r.harnessError.message ?? r.msg) })),
    fixKinds: Object.fromEntries(
      groups.flatMap((g) => {
        const kind = fixKindFor({ id: g.id, label: g.key.label, records: g.records });
        return kind?.patches ? [[g.id, kind.kind]] : [];
      }),
    ),
    ...(opts.fixes ? { fixes: opts.fixes } : {}),
  };
}

function withDiagnosis(group: StackGroup, records: readonly CaseRecord[]): StackGroup {
  const diagnosis = diagnosisOfCases(records, group.cases);
  return diagnosis ? { ...group, diagnosis } : group;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting helpers (shared by the renderers)

export function formatRate(h: Headline): string {
  return h.rate === null ? 'n/a' : `${(h.rate * 100).toFixed(1)}%`;
}

/** Python's `Counter` repr, most common first (ties keep the given order), zero counts left out. */
export function formatCounter(entries: Record<string, number>): string {
  const items = Object.entries(entries)
    .filter(([, n]) => n > 0)
    .map((e, i) => ({ e, i }))
    .sort((a, b) => b.e[1] - a.e[1] || a.i - b.i)
    .map(({ e: [k, n] }) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}': ${n}`);
  return items.length ? `Counter({${items.join(', ')}})` : 'Counter()';
}

/** The old manual report's `Counter` line; it appended 'Exception' before 'Traceback': that order breaks ties. */
export function wasmFailureCounterRepr(c: WasmFailureCounter): string {
  return formatCounter({ Exception: c.Exception, Traceback: c.Traceback, other: c.other });
}
