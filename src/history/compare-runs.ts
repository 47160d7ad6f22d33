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
// Pure functions except loadRunResults (reads files). Rendering is in the same module but does no I/O.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pc from 'picocolors';
import { caseId, codeName, compareChapters, emptyCounts, runTargets } from '../records.ts';
import { classifyFailure } from '../report/taxonomy.ts';
import {
  CASE_ERROR_NAMES,
  CaseErrorCode,
  RESULTS_SCHEMA_VERSION,
  type CaseErrorName,
  type CaseRecord,
  type RunResults,
} from '../types.ts';
import { CHAPTER_PICKLE_RE, importPickles, LEGACY_TARGET, PickleImportError } from './pickle.ts';

export type ChangeKind = 'fixed' | 'regressed' | 'changed-code' | 'changed-group' | 'new' | 'removed';

export interface CaseSide {
  code: CaseErrorCode;
  codeName: CaseErrorName;
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
  totals: { old: Record<CaseErrorName, number>; new: Record<CaseErrorName, number> };
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
 * Uses the failure taxonomy (src/report/taxonomy.ts). For a record without a `comparison` (legacy
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
  for (const r of records) if (r.target === target) m.set(caseId(r), r); // a duplicate: the last one wins
  return m;
}

/**
 * failureLabel, memoized for records that carry nothing but code and msg (legacy imports, slim
 * history): their label depends on those two only, and the same messages repeat a lot.
 */
export function labelCache(): (r: CaseRecord) => string {
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

export function compareTarget(
  oldRecords: Map<string, CaseRecord>,
  newRecords: Map<string, CaseRecord>,
  oldTarget: string,
  newTarget: string,
  label: (r: CaseRecord) => string = failureLabel,
): TargetComparison {
  const side = (r: CaseRecord): CaseSide => ({ code: r.code, codeName: codeName(r.code), label: label(r) });
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
    totals: { old: emptyCounts(), new: emptyCounts() },
  };
  const base = (r: CaseRecord, kind: ChangeKind): CaseChange => ({ kind, id: caseId(r), chapter: String(r.chapter), case: r.case });
  for (const [id, o] of oldRecords) {
    c.totals.old[codeName(o.code)]++;
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
    c.totals.new[codeName(n.code)]++;
    if (!oldRecords.has(id)) c.added.push({ ...base(n, 'new'), new: side(n) });
  }
  for (const list of [c.fixed, c.regressed, c.changedCode, c.changedGroup, c.added, c.removed]) list.sort(chapterOrder);
  return c;
}

function summary(run: RunResults): RunSummary {
  return { source: run.run.source, startedAt: run.run.startedAt, targets: runTargets(run), records: run.records.length };
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

// ---------------------------------------------------------------------------------------------------------
// Rendering (pure)

const SECTIONS: { key: 'regressed' | 'changedCode' | 'changedGroup' | 'fixed' | 'added' | 'removed'; title: string }[] = [
  { key: 'regressed', title: 'Regressed' },
  { key: 'changedCode', title: 'Changed code' },
  { key: 'changedGroup', title: 'Changed failure group' },
  { key: 'fixed', title: 'Fixed' },
  { key: 'added', title: 'New' },
  { key: 'removed', title: 'Removed' },
];

function runTitle(s: RunSummary): string {
  return `${s.source} run of ${s.startedAt} (${s.records} records; ${s.targets.join(', ') || 'no targets'})`;
}

function countsLine(p: TargetComparison): string {
  return [
    `${p.regressed.length} regressed`,
    `${p.changedCode.length} changed code`,
    `${p.changedGroup.length} changed group`,
    `${p.fixed.length} fixed`,
    `${p.added.length} new`,
    `${p.removed.length} removed`,
    `${p.unchanged} unchanged`,
  ].join(', ');
}

function outcomeText(s: CaseSide | undefined): string {
  if (!s) return '—';
  return s.codeName;
}

function labelText(ch: CaseChange): string {
  if (ch.kind === 'changed-group' || ch.kind === 'changed-code') return `${ch.old?.label ?? ''} → ${ch.new?.label ?? ''}`;
  if (ch.kind === 'fixed' || ch.kind === 'removed') return ch.old?.label ?? '';
  return ch.new?.label ?? '';
}

function clip(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export interface RenderTableOptions {
  color: boolean;
  /** Rows listed per section before "... and N more" (default: all). */
  maxRows?: number;
}

/** Plain-text (optionally coloured) comparison for the terminal. */
export function renderComparisonTable(c: RunComparison, opts: RenderTableOptions): string {
  const col = pc.createColors(opts.color);
  const sectionColor: Record<(typeof SECTIONS)[number]['key'], (s: string) => string> = {
    regressed: (s) => col.bold(col.red(s)),
    changedCode: col.yellow,
    changedGroup: col.yellow,
    fixed: col.green,
    added: col.cyan,
    removed: col.dim,
  };
  const out: string[] = [];
  out.push(`${col.bold('old')}  ${runTitle(c.old)}`);
  out.push(`${col.bold('new')}  ${runTitle(c.new)}`);
  if (c.pairs.length === 0) out.push(col.yellow('no target of the old run matches a target of the new run'));
  for (const p of c.pairs) {
    out.push('');
    const head = p.oldTarget === p.newTarget ? p.newTarget : `${p.oldTarget} → ${p.newTarget}`;
    out.push(`${col.bold(head)}: ${countsLine(p)}`);
    // outcome counts
    const rows = CASE_ERROR_NAMES.filter((n) => p.totals.old[n] || p.totals.new[n]);
    const w = Math.max(...rows.map((n) => n.length), 4);
    for (const n of rows) {
      const d = p.totals.new[n] - p.totals.old[n];
      const delta = d === 0 ? '' : d > 0 ? ` (+${d})` : ` (${d})`;
      const good = n === 'OK' ? d > 0 : d < 0;
      const deltaColored = d === 0 ? '' : good ? col.green(delta) : col.red(delta);
      out.push(`  ${n.padEnd(w)}  ${String(p.totals.old[n]).padStart(6)} → ${String(p.totals.new[n]).padEnd(6)}${deltaColored}`.trimEnd());
    }
    for (const s of SECTIONS) {
      const list = p[s.key];
      if (list.length === 0) continue;
      out.push('');
      out.push(`  ${sectionColor[s.key](`${s.title} (${list.length})`)}`);
      const shown = opts.maxRows !== undefined ? list.slice(0, opts.maxRows) : list;
      const idW = Math.min(60, Math.max(...shown.map((ch) => ch.id.length)));
      const oldW = Math.max(...shown.map((ch) => outcomeText(ch.old).length));
      for (const ch of shown) {
        const id = clip(ch.id, 60).padEnd(idW);
        const codes = `${outcomeText(ch.old).padEnd(oldW)} → ${outcomeText(ch.new)}`;
        const label = labelText(ch);
        out.push(`    ${id}  ${codes}${label ? `  ${col.dim(clip(label, 160))}` : ''}`);
      }
      if (shown.length < list.length) out.push(`    ${col.dim(`... and ${list.length - shown.length} more`)}`);
    }
  }
  if (c.unmatched.old.length) out.push('', col.dim(`only in the old run, not compared: ${c.unmatched.old.join(', ')}`));
  if (c.unmatched.new.length) out.push('', col.dim(`only in the new run, not compared: ${c.unmatched.new.join(', ')}`));
  out.push('');
  out.push(c.regressed ? col.bold(col.red('REGRESSED')) : col.green('no regression'));
  return `${out.join('\n')}\n`;
}

function mdCell(s: string): string {
  return clip(s, 300).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/`/g, '\\`').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** GitHub-flavoured Markdown comparison (e.g. for a PR comment or a job summary). */
export function renderComparisonMarkdown(c: RunComparison): string {
  const out: string[] = [];
  out.push(`# Run comparison: ${c.regressed ? '❌ regressed' : '✅ no regression'}`);
  out.push('');
  out.push(`- **old**: ${mdCell(runTitle(c.old))}`);
  out.push(`- **new**: ${mdCell(runTitle(c.new))}`);
  if (c.pairs.length === 0) out.push('', '_No target of the old run matches a target of the new run._');
  for (const p of c.pairs) {
    const head = p.oldTarget === p.newTarget ? p.newTarget : `${p.oldTarget} → ${p.newTarget}`;
    out.push('', `## ${mdCell(head)}`, '', countsLine(p), '');
    out.push('| outcome | old | new | Δ |', '|---|---:|---:|---:|');
    for (const n of CASE_ERROR_NAMES) {
      if (!p.totals.old[n] && !p.totals.new[n]) continue;
      const d = p.totals.new[n] - p.totals.old[n];
      out.push(`| ${n} | ${p.totals.old[n]} | ${p.totals.new[n]} | ${d > 0 ? `+${d}` : d} |`);
    }
    for (const s of SECTIONS) {
      const list = p[s.key];
      if (list.length === 0) continue;
      out.push('', `### ${s.title} (${list.length})`, '', '| case | old | new | failure |', '|---|---|---|---|');
      for (const ch of list) {
        out.push(`| ${mdCell(ch.id)} | ${outcomeText(ch.old)} | ${outcomeText(ch.new)} | ${mdCell(labelText(ch))} |`);
      }
    }
  }
  if (c.unmatched.old.length) out.push('', `Only in the old run, not compared: ${c.unmatched.old.map(mdCell).join(', ')}`);
  if (c.unmatched.new.length) out.push('', `Only in the new run, not compared: ${c.unmatched.new.map(mdCell).join(', ')}`);
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Loading

export class RunResultsLoadError extends Error {
  override readonly name = 'RunResultsLoadError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape a comparison or report relies on; throws RunResultsLoadError with the first problem. */
export function validateRunResults(value: unknown, file: string): RunResults {
  if (!isObject(value)) throw new RunResultsLoadError(file, 'not a results.json: top level is not an object');
  if (!('schemaVersion' in value)) throw new RunResultsLoadError(file, 'not a results.json: no schemaVersion');
  if (value.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new RunResultsLoadError(
      file,
      `results schemaVersion ${JSON.stringify(value.schemaVersion)} is not supported (this version reads ${RESULTS_SCHEMA_VERSION})`,
    );
  }
  if (!isObject(value.run)) throw new RunResultsLoadError(file, 'results.json has no "run" object');
  if (!Array.isArray(value.records)) throw new RunResultsLoadError(file, 'results.json has no "records" array');
  const records = value.records as unknown[];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const bad = (what: string) => new RunResultsLoadError(file, `record ${i}: ${what}`);
    if (!isObject(r)) throw bad('not an object');
    if (typeof r.case !== 'string') throw bad('"case" is not a string');
    if (typeof r.chapter !== 'string') throw bad('"chapter" is not a string');
    if (typeof r.target !== 'string') throw bad('"target" is not a string');
    if (typeof r.code !== 'number' || !CASE_ERROR_NAMES.some((n) => CaseErrorCode[n] === r.code)) {
      throw bad(`"code" ${JSON.stringify(r.code)} is not a CaseErrorCode`);
    }
  }
  const run = value.run;
  if (!Array.isArray(run.targets)) run.targets = [...new Set(records.map((r) => (r as CaseRecord).target))];
  return value as unknown as RunResults;
}

async function loadJson(file: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RunResultsLoadError(file, (err as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunResultsLoadError(file, `not valid JSON: ${(err as Error).message}`);
  }
  return validateRunResults(value, file);
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Load a run from a results.json, a report directory holding results.json, a legacy pickle file or a
 * directory of `chapter_N_result.pkl`. Throws RunResultsLoadError or PickleImportError.
 */
export async function loadRunResults(pathOrDir: string): Promise<RunResults> {
  let st;
  try {
    st = await stat(pathOrDir);
  } catch (err) {
    throw new RunResultsLoadError(pathOrDir, (err as Error).message);
  }
  if (st.isDirectory()) {
    const json = path.join(pathOrDir, 'results.json');
    if (await exists(json)) return loadJson(json);
    try {
      return await importPickles([pathOrDir]);
    } catch (err) {
      if (err instanceof PickleImportError && err.reason === 'no-pickles') {
        throw new RunResultsLoadError(pathOrDir, 'directory holds neither results.json nor chapter_N_result.pkl');
      }
      throw err;
    }
  }
  const ext = path.extname(pathOrDir).toLowerCase();
  if (ext === '.json') return loadJson(pathOrDir);
  if (ext === '.pkl' || ext === '.pickle' || CHAPTER_PICKLE_RE.test(path.basename(pathOrDir))) return importPickles([pathOrDir]);
  // Unknown extension: sniff. A pickle of protocol 2+ starts with 0x80; JSON with `{` (after blanks).
  const head = (await readFile(pathOrDir)).subarray(0, 64);
  const firstNonBlank = [...head].find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (firstNonBlank === 0x7b) return loadJson(pathOrDir);
  return importPickles([pathOrDir]);
}
