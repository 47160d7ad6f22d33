// Which failures are "the same failure": classifyFailure gives every record the key of its failure
// group (kind, one normalized line, code, target). Pure; never throws: whatever cannot be explained
// becomes an `unclassified: <first line>` group. groupFailures (group-failures.ts) groups by this key.

import { formatFirstChange, firstChangeInDiffText } from '../compare/first-change.ts';
import { findObjectDump } from '../parse/python-object-dump.ts';
import { finalExceptionLine } from '../parse/python-traceback.ts';
import { findLoadError, findTrapInText, TRAP_PREFIX, trapKindInText } from '../parse/traps.ts';
import { CaseErrorCode, type CaseRecord, type TrapKind } from '../types.ts';
import { compileErrorLine, firstLine, label, lastLine, textOf } from './failure-text.ts';

export type FailureKind = 'trap' | 'traceback' | 'compile' | 'python' | 'diff' | 'timeout' | 'harness' | 'other';

export interface FailureGroupKey {
  kind: FailureKind;
  /** Normalized, one line: the trap kind, the final exception line, the compile error, ... */
  label: string;
  /** The record's code (its number in `CaseErrorCode`); null for a harness error. */
  code: CaseErrorCode | null;
  /** Set by classifyFailure to the record's target; groupFailures keeps it only when grouping per target. */
  target?: string;
  /** How a `--debug` build of the case failed, when differently (the diagnose stage's debug-build result): splits a group. */
  debugFailure?: string;
}

function trapLabel(kind: TrapKind, message: string): string {
  if (kind !== 'other') return kind;
  return label(message.replace(TRAP_PREFIX, '')) || 'other';
}

/** A Python exception CPython could only dump (sys.stderr gone): labelled by its repr. */
function objectDumpKey(code: CaseErrorCode, kind: FailureKind, ...texts: string[]): FailureGroupKey | undefined {
  for (const t of texts) {
    const dump = findObjectDump(t);
    if (!dump) continue;
    const what = dump.repr || dump.typeName || 'an exception object';
    return {
      kind,
      label: label(
        `${what}${dump.lostStderr ? ' (sys.stderr was lost: CPython could only dump the exception object)' : ' (CPython dumped the exception object)'}`,
      ),
      code,
    };
  }
  return undefined;
}

/** A script that exited non-zero with no traceback (a usage message, `sys.exit(1)`): its exit status and last line. */
function exitStatusKey(
  record: CaseRecord,
  code: CaseErrorCode,
  kind: FailureKind,
  texts: string[],
): FailureGroupKey | undefined {
  const exit = code === CaseErrorCode.PY_EXECUTION_FAILURE ? record.python?.exitCode : record.wasm?.exitCode;
  if (typeof exit !== 'number' || exit === 0) return undefined;
  const last = lastLine(...texts, textOf(record.msg));
  return { kind, label: label(last ? `exit status ${exit}: ${last}` : `exit status ${exit}, no output`), code };
}

function unclassified(record: CaseRecord, code: CaseErrorCode, ...texts: string[]): FailureGroupKey {
  const first = firstLine(textOf(record.msg), ...texts);
  let text = first ?? '(no output)';
  if (first === undefined) {
    const exit = record.wasm?.exitCode ?? record.python?.exitCode ?? record.compile?.exitCode;
    if (typeof exit === 'number') text = `(no output, exit status ${exit})`;
  }
  return { kind: 'other', label: `unclassified: ${label(text)}`, code };
}

function classifyWasmFailure(record: CaseRecord, code: CaseErrorCode): FailureGroupKey {
  const wasm = record.wasm;
  const runtimeLines = Array.isArray(wasm?.runtimeLines)
    ? wasm.runtimeLines.filter((l) => typeof l === 'string').join('\n')
    : '';
  const progErr = textOf(wasm?.programStderr);
  const progOut = textOf(wasm?.programStdout);
  const rawErr = textOf(wasm?.stderr);
  const rawOut = textOf(wasm?.stdout);
  const msg = textOf(record.msg);

  // 1. A runtime trap ends the program, whatever it printed before.
  const trap = wasm?.trap;
  if (trap && typeof trap === 'object') {
    const kind = typeof trap.kind === 'string' ? trap.kind : trapKindInText(textOf(trap.message));
    return { kind: 'trap', label: trapLabel(kind, textOf(trap.message)), code };
  }
  // When the runner split out the runtime's own lines, trust them; raw output is searched only for records
  // without them (imported pickles: `msg` only), as a program may itself print `Exception: ...`.
  const runtimeSources = Array.isArray(wasm?.runtimeLines) ? [runtimeLines] : [rawOut, rawErr, msg];
  for (const t of runtimeSources) {
    const found = findTrapInText(t);
    if (found) return { kind: 'trap', label: trapLabel(found.kind, found.message), code };
  }

  // 2. The module never ran.
  const load = findLoadError(...runtimeSources);
  if (load) return { kind: 'other', label: label(load), code };
  if (typeof wasm?.spawnError === 'string' && wasm.spawnError) {
    return { kind: 'other', label: label(`runtime could not start: ${wasm.spawnError}`), code };
  }

  // 3. A Python exception inside the wasm.
  for (const t of [progErr, progOut, rawErr, rawOut, msg]) {
    const exc = finalExceptionLine(t);
    if (exc === undefined) continue;
    if (exc === null) {
      const dumped = objectDumpKey(code, 'traceback', t);
      if (dumped) return dumped;
    }
    return { kind: 'traceback', label: exc === null ? '(traceback without a final exception line)' : label(exc), code };
  }
  const dumped = objectDumpKey(code, 'traceback', progErr, rawErr, msg);
  if (dumped) return dumped;

  return (
    exitStatusKey(record, code, 'other', [runtimeLines, progErr, progOut]) ??
    unclassified(record, code, runtimeLines, progErr, rawErr, progOut, rawOut)
  );
}

/** The group a record's failure belongs to. Total: any record (even OK or BYPASS) gets a key. */
/** A diff with no changed line: outputs too long to keep may differ only in the part not kept. */
function unpairedDiffLabel(record: CaseRecord): string {
  const partial = record.comparison?.partial;
  if (partial?.compared === 'whole') return 'outputs differ in the part not kept (too long to keep whole)';
  if (partial?.compared === 'head+tail') return 'outputs too long to compare whole (head and tail alike)';
  return 'outputs differ';
}

export function classifyFailure(record: CaseRecord): FailureGroupKey {
  const key = classifyUntargeted(record);
  return typeof record.target?.name === 'string' ? { ...key, target: record.target.name } : key;
}

function classifyUntargeted(record: CaseRecord): FailureGroupKey {
  if (record.harnessError && typeof record.harnessError === 'object') {
    return {
      kind: 'harness',
      label: label(firstLine(textOf(record.harnessError.message)) ?? 'harness error'),
      code: null,
    };
  }
  const code = record.code;
  switch (code) {
    case CaseErrorCode.OK:
      return { kind: 'other', label: 'ok', code };
    case CaseErrorCode.BYPASS:
      return {
        kind: 'other',
        label: label(`bypass: ${record.bypassReason ?? firstLine(textOf(record.msg)) ?? 'no reason given'}`),
        code,
      };
    case CaseErrorCode.WASM_EXECUTION_FAILURE:
      return classifyWasmFailure(record, code);
    case CaseErrorCode.WASM_EXECUTION_TIMEOUT:
      return { kind: 'timeout', label: 'wasm run timed out', code };
    case CaseErrorCode.PY_EXECUTION_TIMEOUT:
      return { kind: 'timeout', label: 'python run timed out', code };
    case CaseErrorCode.COMPILATION_FAILURE: {
      const compile = record.compile;
      if (compile?.timedOut === true) return { kind: 'timeout', label: 'compile timed out', code };
      if (typeof compile?.spawnError === 'string' && compile.spawnError) {
        return { kind: 'compile', label: label(`compiler could not start: ${compile.spawnError}`), code };
      }
      const log = textOf(compile?.logTail);
      const msg = textOf(record.msg);
      const line = compileErrorLine(log) ?? compileErrorLine(msg);
      if (line) return { kind: 'compile', label: label(line), code };
      const exc = finalExceptionLine(log) ?? finalExceptionLine(msg);
      if (exc) return { kind: 'compile', label: label(exc), code };
      return unclassified(record, code, log);
    }
    case CaseErrorCode.PY_EXECUTION_FAILURE: {
      const py = record.python;
      if (typeof py?.spawnError === 'string' && py.spawnError) {
        return { kind: 'python', label: label(`python could not start: ${py.spawnError}`), code };
      }
      const err = textOf(py?.stderr);
      const out = textOf(py?.stdout);
      const msg = textOf(record.msg);
      for (const t of [err, out, msg]) {
        const exc = finalExceptionLine(t);
        if (exc) return { kind: 'python', label: label(exc), code };
      }
      return (
        objectDumpKey(code, 'python', err, msg) ??
        exitStatusKey(record, code, 'python', [err, out]) ??
        unclassified(record, code, err, out)
      );
    }
    case CaseErrorCode.DIFFERENT_RESULT: {
      // the comparison says where the outputs first differ; older and imported records carry only the diff text
      const structured = record.comparison?.firstChange;
      const diff = textOf(record.comparison?.diff);
      const pair = formatFirstChange(
        structured && typeof structured === 'object' ? structured : diff ? firstChangeInDiffText(diff) : undefined,
      );
      return {
        kind: 'diff',
        label: pair !== undefined ? label(pair) || 'outputs differ (white space)' : unpairedDiffLabel(record),
        code,
      };
    }
    default:
      return unclassified(record, code);
  }
}
