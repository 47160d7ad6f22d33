// results.json as older versions wrote it, and one pure step per version up to today's: a reader
// upgrades what it loaded once, and every stage after it sees the current record type only.
// (As Playwright's BlobModernizer upgrades an old blob report event by event: `_modernize_1_to_2`.)

import { RESULTS_SCHEMA_VERSION, type CaseRecord, type RunResults } from '../types.ts';

/** A version 1 record: no `stack`, no `diagnosis` (version 2 added them). */
export type RecordV1 = Omit<CaseRecord, 'schemaVersion' | 'stack' | 'diagnosis'> & { schemaVersion: 1 };
export type RecordV2 = CaseRecord;

/** A record of any version this code reads. */
export type StoredRecord = RecordV1 | RecordV2;

/** A results.json of any version this code reads: a file may hold records older than itself (watch mode merges). */
export interface StoredRunResults extends Omit<RunResults, 'schemaVersion' | 'records'> {
  schemaVersion: StoredRecord['schemaVersion'];
  records: StoredRecord[];
}

/** 1 -> 2: the diagnose stage's `stack` and `diagnosis` are new and optional, a version 1 record has neither. */
export function upgradeRecord1to2(record: RecordV1): RecordV2 {
  return { ...record, schemaVersion: 2 };
}

/** A record of any readable version as today's, one step per version. */
export function upgradeRecord(record: StoredRecord): CaseRecord {
  return record.schemaVersion === 1 ? upgradeRecord1to2(record) : record;
}

/** A results.json of any readable version as today's: each record upgraded from its own version. */
export function upgradeRunResults(results: StoredRunResults): RunResults {
  return { ...results, schemaVersion: RESULTS_SCHEMA_VERSION, records: results.records.map(upgradeRecord) };
}
