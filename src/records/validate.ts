// The one check of a results.json read back (compare, watch mode's merge with the last report, the
// report's history): the shape every reader relies on, the first problem said with where it is.

import { codeNameOf } from '../records.ts';
import {
  CaseErrorCode,
  READABLE_RESULTS_SCHEMA_VERSIONS,
  RESULTS_SCHEMA_VERSION,
  type RecordTarget,
} from '../types.ts';
import { isRecordTarget } from './target.ts';
import type { StoredRunResults } from './upgrade.ts';

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

const targetShape =
  'a target: {"name": "compiler+runtime", "compiler", "runtime"}, or {"name"} alone for a name that is not one';
/** A checked record's target name, of any version (a string before 3). */
const targetName = (target: unknown) => (typeof target === 'string' ? target : (target as RecordTarget).name);

const NOT_IN_BYPASSED = ['compile', 'wasm', 'comparison', 'stack', 'diagnosis'] as const;

const readable = (v: unknown): v is number => typeof v === 'number' && READABLE_RESULTS_SCHEMA_VERSIONS.includes(v);

/** Checks a parsed results.json of any readable version; throws RunResultsLoadError with the first problem. */
export function validateRunResults(value: unknown, file: string): StoredRunResults {
  if (!isObject(value)) throw new RunResultsLoadError(file, 'not a results.json: top level is not an object');
  if (!('schemaVersion' in value)) throw new RunResultsLoadError(file, 'not a results.json: no schemaVersion');
  const version = value.schemaVersion;
  if (!readable(version)) {
    throw new RunResultsLoadError(
      file,
      `results schemaVersion ${JSON.stringify(version)} is not supported (this version reads ${READABLE_RESULTS_SCHEMA_VERSIONS.slice(0, -1).join(', ')} and ${RESULTS_SCHEMA_VERSION})`,
    );
  }
  if (!isObject(value.run)) throw new RunResultsLoadError(file, 'results.json has no "run" object');
  if (!Array.isArray(value.records)) throw new RunResultsLoadError(file, 'results.json has no "records" array');
  const records = value.records as unknown[];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    // the case named where it can be: a record's index alone is little help in a file of thousands
    const named = isObject(r) && typeof r.case === 'string' ? ` (case ${JSON.stringify(r.case)})` : '';
    const bad = (what: string) => new RunResultsLoadError(file, `record ${i}: ${what}${named}`);
    if (!isObject(r)) throw bad('not an object');
    // a record without a version (written by hand) is as old as its file
    r.schemaVersion ??= version;
    if (!readable(r.schemaVersion) || r.schemaVersion > version)
      throw bad(`schemaVersion ${JSON.stringify(r.schemaVersion)} is not one a version ${version} file holds`);
    if (typeof r.case !== 'string') throw bad('"case" is not a string');
    if (typeof r.chapter !== 'string') throw bad('"chapter" is not a string');
    if (r.schemaVersion < 3 ? typeof r.target !== 'string' : !isRecordTarget(r.target))
      throw bad(`"target" ${JSON.stringify(r.target)} is not ${r.schemaVersion < 3 ? 'a string' : targetShape}`);
    // the one check of the records' invariant (types.ts: HarnessErrorRecord): no code exactly when the harness could not run the case
    if (r.code === null) {
      if (!isObject(r.harnessError) || typeof r.harnessError.message !== 'string')
        throw bad('"code" is null but there is no "harnessError" saying why the harness could not run the case');
      continue;
    }
    if (typeof r.code !== 'number' || codeNameOf(r.code) === undefined) {
      throw bad(`"code" ${JSON.stringify(r.code)} is not a CaseErrorCode`);
    }
    if (r.harnessError !== undefined) throw bad(`"code" ${r.code} and a "harnessError": a record has one or the other`);
    // types.ts: BypassedRecord, a case that never ran has nothing from the stages after CPython
    const ranOnly = r.code === CaseErrorCode.BYPASS ? NOT_IN_BYPASSED.filter((k) => r[k] !== undefined) : [];
    if (ranOnly.length)
      throw bad(`BYPASS with ${ranOnly.map((k) => `"${k}"`).join(', ')}: a case that was not run has none`);
  }
  const run = value.run;
  if (!Array.isArray(run.targets))
    run.targets = [...new Set(records.map((r) => targetName((r as Record<string, unknown>).target)))];
  // every field a reader relies on is checked above
  return value as unknown as StoredRunResults;
}
