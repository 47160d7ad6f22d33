import { caseId } from '../records.ts';
import type { CaseRecord, CaseStack, Trap } from '../types.ts';
import { diagnosisOfCases, type StackDiagnosis } from './describe.ts';
import {
  attachRootCauseNotes,
  DEFAULT_ROOT_CAUSE_NOTES,
  distinctStacks,
  type RootCauseNote,
  type StackGroup,
} from './stack-groups.ts';
import { wasmOf } from './stack.ts';

export type { RootCauseNote } from './stack-groups.ts';

/** One trapped record's stack in callstacks.json. */
export interface CallstackEntry extends Omit<CaseStack, 'messages'> {
  /** The case id (see caseKey); `case` is its `recipe.example`. */
  id: string;
  case: string;
  chapter: string;
  target: string;
  trap?: Trap;
}

export interface CallstacksReport {
  schemaVersion: 1;
  topN: number;
  stacks: CallstackEntry[];
  /** Each with what the diagnoses of its cases found (Python lines, callees, assertions). */
  groups: Array<StackGroup & { diagnosis?: StackDiagnosis }>;
  /** what degraded, said once each (no debug iwasm, no symbolizer, ...) */
  messages: string[];
}

export interface CollectOptions {
  topN: number;
  notes?: RootCauseNote[] | undefined;
}

/**
 * Pure: the stacks the diagnose stage left in the trapped records (the runtime's own frames,
 * unsymbolized, for a record it never saw), grouped into distinct stacks by their top frames.
 */
export function collectCallstacks(records: CaseRecord[], opts: CollectOptions): CallstacksReport {
  const messages: string[] = [];
  const stacks: CallstackEntry[] = records
    .filter((r) => r.wasm?.trap)
    .map((record) => {
      const wasm = wasmOf(record);
      const stack: CaseStack = record.stack ?? {
        source: 'runtime',
        ...(wasm ? { wasm } : {}),
        frames: record.wasm!.frames,
        omittedFrames: 0,
        symbolized: false,
        messages: [],
      };
      const { messages: said, ...rest } = stack;
      messages.push(...said);
      return {
        id: caseId(record),
        case: record.case,
        chapter: record.chapter,
        target: record.target.name,
        ...(record.wasm?.trap ? { trap: record.wasm.trap } : {}),
        ...rest,
      };
    });
  const grouped = attachRootCauseNotes(
    distinctStacks(
      stacks.map((s) => ({ case: s.id, target: s.target, frames: s.frames })),
      opts.topN,
    ),
    opts.notes ?? DEFAULT_ROOT_CAUSE_NOTES,
  );
  const groups = grouped.map((g) => {
    const diagnosis = diagnosisOfCases(records, g.cases);
    return diagnosis ? { ...g, diagnosis } : g;
  });
  return { schemaVersion: 1, topN: opts.topN, stacks, groups, messages: [...new Set(messages)] };
}
