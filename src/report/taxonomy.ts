// Failure taxonomy: which failures are "the same failure", so a report can list each once with its cases.
// Pure functions over CaseRecords; no I/O. Replaces the notebook's Counter of `Exception:` vs `Traceback `
// lines and its grouping of WASM_EXECUTION_FAILURE messages.
//
// Every function here must accept records with missing or partial fields (imported pickles, hand-made
// JSON) and never throw: whatever cannot be explained becomes an `unclassified: <first line>` group.

import { trapKindOf } from '../parse/traps.ts';
import { caseId, codeNameOf, compareCaseIds, isFailure } from '../records.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, type CaseRecord, type TrapKind } from '../types.ts';

export type FailureKind = 'trap' | 'traceback' | 'compile' | 'python' | 'diff' | 'timeout' | 'other';

export interface FailureGroupKey {
  kind: FailureKind;
  /** Normalized, one line: the trap kind, the final exception line, the compile error, ... */
  label: string;
  /** The record's code (number as in the seed). */
  code: CaseErrorCode;
  /** Set by classifyFailure to the record's target; groupFailures keeps it only when grouping per target. */
  target?: string;
}

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

export const FAILURE_KIND_ORDER: readonly FailureKind[] = ['trap', 'traceback', 'compile', 'python', 'diff', 'timeout', 'other'];

/** Labels longer than this are cut (with an ellipsis) so one huge message cannot swamp a report. */
export const MAX_LABEL_LENGTH = 240;

// ---------------------------------------------------------------------------------------------------------
// Normalization

/**
 * Removes what makes identical failures look different: addresses (`0x...`), line numbers of traceback
 * frames (`File "...", line N`), `file.c:12:3` positions, node's `(node:PID)`, the per-binary hash in
 * `wasm://wasm/output.wasm-<hash>`, wasm function indices, temporary directory names, colour codes and
 * runs of white space. Errno numbers, quoted names and other message text are kept.
 */
export function normalizeMessage(text: string): string {
  return text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .replace(/0x[0-9a-fA-F]+/g, '0x…')
    .replace(/(, line )\d+/g, '$1N')
    .replace(/(\.(?:c|h|cc|cpp|cxx|py|pyx|inc)):\d+(?::\d+)?/g, '$1:N')
    .replace(/\(node:\d+\)/g, '(node:PID)')
    .replace(/(wasm:\/\/wasm\/[\w.$]+)-[0-9a-f]{6,}/g, '$1')
    .replace(/wasm-function\[\d+\]/g, 'wasm-function[N]')
    .replace(/(\/(?:tmp|var\/folders|private\/var)\/)[^\s'"/:,)]+/g, '$1…')
    .replace(/\s+/g, ' ')
    .trim();
}

function label(text: string): string {
  const n = normalizeMessage(text);
  return n.length > MAX_LABEL_LENGTH ? `${n.slice(0, MAX_LABEL_LENGTH - 1)}…` : n;
}

// ---------------------------------------------------------------------------------------------------------
// Text helpers (defensive: fields may be absent or of the wrong type in imported records)

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string') {
    return (value as { text: string }).text;
  }
  return '';
}

function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function firstLine(...texts: string[]): string | undefined {
  for (const t of texts) {
    for (const line of linesOf(t)) if (line.trim()) return line.trim();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Python tracebacks

const TRACEBACK_HEADER = /^Traceback \(most recent call last\):?\s*$/;
const CHAIN_MARKERS = [
  /^During handling of the above exception, another exception occurred:\s*$/,
  /^The above exception was the direct cause of the following exception:\s*$/,
];
const IGNORED_MARKER = /^Exception ignored\b/;

export interface TracebackBlock {
  /** Index of the `Traceback (most recent call last):` line. */
  headerLine: number;
  /** Index and text of the exception line (`XxxError: message`), when the block has one. */
  exceptionLine?: number;
  exception?: string;
  /** Printed under `Exception ignored in ...` (or chained to such a block): not what ended the program. */
  ignored: boolean;
}

/** Finds every traceback in a stream, its exception line, and whether it is `Exception ignored` noise. */
export function findTracebacks(text: string): TracebackBlock[] {
  const lines = linesOf(text);
  const blocks: TracebackBlock[] = [];
  let prevIgnored = false;
  for (let i = 0; i < lines.length; i++) {
    if (!TRACEBACK_HEADER.test(lines[i]!)) continue;
    let p = i - 1;
    while (p >= 0 && !lines[p]!.trim()) p--;
    const before = p >= 0 ? lines[p]! : '';
    const chained = CHAIN_MARKERS.some((re) => re.test(before));
    const ignored: boolean = IGNORED_MARKER.test(before) || (chained && prevIgnored);
    const block: TracebackBlock = { headerLine: i, ignored };
    // Frames, source lines and carets are indented; the first line at column 0 is the exception.
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (!line.trim() || /^\s/.test(line)) continue;
      if (TRACEBACK_HEADER.test(line)) break;
      block.exceptionLine = j;
      block.exception = line.trimEnd();
      break;
    }
    blocks.push(block);
    prevIgnored = ignored;
  }
  return blocks;
}

/**
 * The exception that ended the program: the exception line of the last traceback that is not
 * `Exception ignored` noise (for a chain, the last one printed). Falls back to the last noise block.
 * `undefined` when the text holds no traceback; `null` when it holds one without an exception line.
 */
export function finalExceptionLine(text: string): string | null | undefined {
  const blocks = findTracebacks(text);
  if (blocks.length === 0) return undefined;
  const real = blocks.filter((b) => !b.ignored);
  const pick = [...(real.length ? real : blocks)].reverse().find((b) => b.exception !== undefined);
  return pick?.exception ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Runtime traps and load errors

const TRAP_KIND_PATTERNS: [RegExp, TrapKind][] = [
  [/indirect call type mismatch|function signature mismatch|indirect call signature mismatch/i, 'indirect call type mismatch'],
  [/undefined element/i, 'undefined element'],
  [/table index is out of bounds|out of bounds table access|table index out of bounds/i, 'table index out of bounds'],
  [/out of bounds memory access|memory access out of bounds/i, 'out of bounds memory access'],
  [/unreachable/i, 'unreachable'],
  [/divide by zero|division by zero/i, 'integer divide by zero'],
  [/integer overflow/i, 'integer overflow'],
  [/invalid conversion to integer|unrepresentable in integer range/i, 'invalid conversion to integer'],
  [/stack overflow|call stack exhausted|maximum call stack size/i, 'stack overflow'],
];

/** Maps a runtime's trap message to a TrapKind (only used when a record carries no `wasm.trap`). */
export function trapKindFromMessage(message: string): TrapKind {
  const exact = trapKindOf(message);
  if (exact !== 'other') return exact;
  // looser wordings found in imported (legacy) messages
  for (const [re, kind] of TRAP_KIND_PATTERNS) if (re.test(message)) return kind;
  return 'other';
}

const TRAP_PREFIX = /^\s*(?:Exception: |RuntimeError: |(?:\d+:\s*)?wasm trap: |wasmtime\._trap\.Trap: )/;

interface FoundTrap {
  kind: TrapKind;
  message: string;
}

/** Finds a trap reported by a runtime in raw output (iwasm `Exception:`, node `RuntimeError:` + frames, wasmtime `wasm trap:`). */
function findTrapInText(text: string): FoundTrap | undefined {
  const lines = linesOf(text);
  const tbExceptionLines = new Set(findTracebacks(text).map((b) => b.exceptionLine));
  let found: FoundTrap | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpMatchArray | null;
    if (tbExceptionLines.has(i)) continue; // a Python `Exception: ...` ending a traceback is not a trap
    if ((m = /^Exception: (.+)$/.exec(line))) {
      found = { kind: trapKindFromMessage(m[1]!), message: line.trim() };
    } else if ((m = /^RuntimeError: (.+)$/.exec(line)) && /^\s+at /.test(lines[i + 1] ?? '')) {
      found = { kind: trapKindFromMessage(m[1]!), message: line.trim() };
    } else if ((m = /^\s*(?:\d+:\s*)?wasm trap: (.+)$/.exec(line))) {
      found = { kind: trapKindFromMessage(m[1]!), message: `wasm trap: ${m[1]!.trim()}` };
    }
  }
  return found;
}

const LOAD_ERROR = /WASM module (?:load|instantiate) failed|Read file to buffer failed|CompileError: WebAssembly|failed to (?:parse|validate|compile) WebAssembly/i;

function findLoadError(...texts: string[]): string | undefined {
  for (const t of texts) {
    for (const line of linesOf(t)) if (LOAD_ERROR.test(line)) return line.trim();
  }
  return undefined;
}

function trapLabel(kind: TrapKind, message: string): string {
  if (kind !== 'other') return kind;
  return label(message.replace(TRAP_PREFIX, '')) || 'other';
}

// ---------------------------------------------------------------------------------------------------------
// Compile logs and diffs

const ERRORISH = /(?:^|\s)FATAL:|\berror:|\bError:|^Nuitka[\w-]*:\s*ERROR\b|:ERROR:/;
/** Wrap-up lines that follow the real error; used only when nothing more specific is there. */
const GENERIC_ERROR = /linker command failed|Failed unexpectedly in Scons C backend compilation|compilation terminated|Error \d+$|make: \*\*\*/;

/** The most telling error line of a compile log: the last error-ish line, preferring specific ones over wrap-ups. */
export function compileErrorLine(log: string): string | undefined {
  const errorish = linesOf(log).map((l) => l.trim()).filter((l) => l && ERRORISH.test(l) && !/warning:/i.test(l));
  const specific = errorish.filter((l) => !GENERIC_ERROR.test(l));
  return specific.at(-1) ?? errorish.at(-1);
}

/**
 * First differing line pair of a unified diff: the first `-` and the first `+` line of the first run of
 * changed lines, as `-<old> / +<new>`; one side alone for a pure insertion or deletion.
 */
export function firstDiffPair(diff: string): string | undefined {
  let minus: string | undefined;
  let plus: string | undefined;
  let inRun = false;
  let inBody = false; // `---`/`+++` are file headers only before the first hunk
  for (const line of linesOf(diff)) {
    if (!inBody && (line.startsWith('---') || line.startsWith('+++'))) continue;
    if (line.startsWith('@@')) {
      if (inRun) break;
      inBody = true;
      continue;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    const change = line.startsWith('-') || line.startsWith('+');
    if (!change) {
      if (inRun) break;
      continue;
    }
    inRun = true;
    if (line.startsWith('-')) minus ??= line.slice(1);
    else plus ??= line.slice(1);
  }
  if (minus === undefined && plus === undefined) return undefined;
  if (plus === undefined) return `-${minus}`;
  if (minus === undefined) return `+${plus}`;
  return `-${minus} / +${plus}`;
}

// ---------------------------------------------------------------------------------------------------------
// Classification

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
  const runtimeLines = Array.isArray(wasm?.runtimeLines) ? wasm!.runtimeLines.filter((l) => typeof l === 'string').join('\n') : '';
  const progErr = textOf(wasm?.programStderr);
  const progOut = textOf(wasm?.programStdout);
  const rawErr = textOf(wasm?.stderr);
  const rawOut = textOf(wasm?.stdout);
  const msg = textOf(record.msg);

  // 1. A runtime trap ends the program, whatever it printed before.
  const trap = wasm?.trap;
  if (trap && typeof trap === 'object') {
    const kind = typeof trap.kind === 'string' ? trap.kind : trapKindFromMessage(textOf(trap.message));
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
    return { kind: 'traceback', label: exc === null ? '(traceback without a final exception line)' : label(exc), code };
  }

  return unclassified(record, code, runtimeLines, progErr, rawErr, progOut, rawOut);
}

/** The group a record's failure belongs to. Total: any record (even OK or BYPASS) gets a key. */
export function classifyFailure(record: CaseRecord): FailureGroupKey {
  const key = classifyUntargeted(record);
  return typeof record.target === 'string' ? { ...key, target: record.target } : key;
}

function classifyUntargeted(record: CaseRecord): FailureGroupKey {
  const code = record.code;
  switch (code) {
    case CaseErrorCode.OK:
      return { kind: 'other', label: 'ok', code };
    case CaseErrorCode.BYPASS:
      return { kind: 'other', label: label(`bypass: ${record.bypassReason ?? firstLine(textOf(record.msg)) ?? 'no reason given'}`), code };
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
      return unclassified(record, code, err, out);
    }
    case CaseErrorCode.DIFFERENT_RESULT: {
      const diff = textOf(record.comparison?.diff);
      const pair = diff ? firstDiffPair(diff) : undefined;
      return { kind: 'diff', label: pair !== undefined ? label(pair) || 'outputs differ (white space)' : 'outputs differ', code };
    }
    default:
      return unclassified(record, code as CaseErrorCode);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Grouping

export function groupId(key: FailureGroupKey): string {
  return `${key.kind}|${key.code}|${key.target ?? '*'}|${key.label}`;
}

/**
 * Groups the failing records (every code but OK and BYPASS) by classifyFailure's key; per target when
 * the records come from several targets (or when `opts.perTarget` says so).
 * Order: largest group first, then seed code order, kind, label, target.
 */
export function groupFailures(records: CaseRecord[], opts: GroupFailuresOptions = {}): FailureGroup[] {
  const failing = records.filter((r) => r && isFailure(r.code));
  const perTarget = opts.perTarget ?? new Set(failing.map((r) => r.target)).size > 1;
  const groups = new Map<string, FailureGroup & { caseSet: Set<string>; targetSet: Set<string> }>();
  for (const record of failing) {
    const full = classifyFailure(record);
    const key: FailureGroupKey = { kind: full.kind, label: full.label, code: full.code };
    if (perTarget && full.target !== undefined) key.target = full.target;
    const id = groupId(key);
    let g = groups.get(id);
    if (!g) {
      g = { key, id, count: 0, cases: [], targets: [], records: [], caseSet: new Set(), targetSet: new Set() };
      groups.set(id, g);
    }
    g.count++;
    g.records.push(record);
    const c = caseId(record);
    if (!g.caseSet.has(c)) g.caseSet.add(c), g.cases.push(c);
    if (typeof record.target === 'string' && !g.targetSet.has(record.target)) g.targetSet.add(record.target), g.targets.push(record.target);
  }
  const codeRank = (code: CaseErrorCode) => {
    const name = codeNameOf(code);
    return name ? CASE_ERROR_NAMES.indexOf(name) : CASE_ERROR_NAMES.length;
  };
  return [...groups.values()]
    .map(({ caseSet: _c, targetSet: _t, ...g }) => ({ ...g, cases: g.cases.sort(compareCaseIds), records: g.records.sort((a, b) => compareCaseIds(caseId(a), caseId(b))) }))
    .sort(
      (a, b) =>
        b.count - a.count ||
        codeRank(a.key.code) - codeRank(b.key.code) ||
        FAILURE_KIND_ORDER.indexOf(a.key.kind) - FAILURE_KIND_ORDER.indexOf(b.key.kind) ||
        a.key.label.localeCompare(b.key.label) ||
        (a.key.target ?? '').localeCompare(b.key.target ?? ''),
    );
}
