// What a report folder's history/ keeps of each run for the trend: codes, not outputs.

import type { CaseRecord, RunResults } from '../types.ts';

/** Longest `msg` a history entry keeps. */
const MAX_MSG = 500;

/** A record as the history keeps it: which case, on which target, with which outcome. */
export type HistoryRecord = Pick<
  CaseRecord,
  | 'schemaVersion'
  | 'chapter'
  | 'recipe'
  | 'example'
  | 'case'
  | 'target'
  | 'code'
  | 'codeName'
  | 'msg'
  | 'durations'
  | 'tools'
>;

/** One earlier run of history/: still a results.json (compare reads it), with slim records. */
export interface HistoryEntry extends Omit<RunResults, 'records'> {
  records: HistoryRecord[];
}

/** The slim copy of a run kept for the trend. */
export function historyEntryOf(
  results: Pick<RunResults, 'schemaVersion' | 'run'> & { records: readonly HistoryRecord[] },
): HistoryEntry {
  return {
    schemaVersion: results.schemaVersion,
    run: results.run,
    records: results.records.map((r) => ({
      schemaVersion: r.schemaVersion,
      chapter: r.chapter,
      recipe: r.recipe,
      example: r.example,
      case: r.case,
      target: r.target,
      code: r.code,
      codeName: r.codeName,
      msg: r.msg.length > MAX_MSG ? `${r.msg.slice(0, MAX_MSG)}...` : r.msg,
      durations: r.durations,
      tools: {},
    })),
  };
}
