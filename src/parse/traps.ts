// The runtimes' trap messages: the one vocabulary of trap kinds, and traps or load errors found in raw output.

import type { TrapKind } from '../types.ts';
import { findTracebacks } from './python-traceback.ts';

// Prefixes runtimes put in front of the trap text; the kind only depends on what follows.
const PREFIX_RE =
  /^\s*(?:Exception:\s*|(?:RuntimeError|RangeError|Error):\s*|wasmtime\._trap\.Trap:\s*|\d+:\s*)?(?:wasm trap:\s*)?/i;

/**
 * Exact messages (lower case, prefix removed) per kind. Sources: WAMR `exception_msgs[]`
 * and interpreter, V8 `MessageTemplate` wasm traps, wasmtime `Trap` Display.
 *
 * Table faults are split by what happened, not by wording: an index past the table end is
 * 'table index out of bounds' everywhere (WAMR says `undefined element` for it, wasmtime
 * `undefined element: out of bounds table access`, V8 `table index is out of bounds`);
 * a call through an empty slot is 'undefined element' (WAMR and wasmtime say `uninitialized
 * element`; V8 reports that one as `null function or function signature mismatch`, which
 * cannot be told apart from a signature mismatch and so counts as one).
 */
const EXACT: ReadonlyArray<readonly [TrapKind, readonly string[]]> = [
  ['out of bounds memory access', ['out of bounds memory access', 'memory access out of bounds']],
  [
    'indirect call type mismatch',
    ['indirect call type mismatch', 'null function or function signature mismatch', 'function signature mismatch'],
  ],
  [
    'unreachable',
    ['unreachable', 'wasm `unreachable` instruction executed', 'unreachable code', 'unreachable executed'],
  ],
  [
    'integer divide by zero',
    ['integer divide by zero', 'divide by zero', 'remainder by zero', 'integer division by zero'],
  ],
  ['integer overflow', ['integer overflow', 'divide result unrepresentable']],
  ['invalid conversion to integer', ['invalid conversion to integer', 'float unrepresentable in integer range']],
  [
    'stack overflow',
    [
      'wasm operand stack overflow',
      'native stack overflow',
      'wasm auxiliary stack overflow',
      'maximum call stack size exceeded',
      'call stack exhausted',
      'stack overflow',
    ],
  ],
  [
    'table index out of bounds',
    [
      'table index is out of bounds',
      'undefined element',
      'undefined element: out of bounds table access',
      'out of bounds table access',
      'invalid index into function table',
      'table access out of bounds',
    ],
  ],
  ['undefined element', ['uninitialized element']],
];

const BY_MESSAGE = new Map<string, TrapKind>(EXACT.flatMap(([kind, msgs]) => msgs.map((m) => [m, kind] as const)));

/** Map a runtime's trap message (with or without its `Exception:`/`RuntimeError:`/`wasm trap:` prefix) to a kind. */
export function trapKindOf(message: string): TrapKind {
  const text = message.replace(PREFIX_RE, '').trim().replace(/\.$/, '').toLowerCase();
  const exact = BY_MESSAGE.get(text);
  if (exact) return exact;
  // wasmtime's extra cause line for an out-of-bounds access carries the address.
  if (/^memory fault at wasm address 0x[0-9a-f]+ in linear memory of size 0x[0-9a-f]+$/.test(text)) {
    return 'out of bounds memory access';
  }
  return 'other';
}

// Wordings found inside longer messages of imported (legacy) records, tried when no exact message matches.
const LOOSE_WORDINGS: [RegExp, TrapKind][] = [
  [
    /indirect call type mismatch|function signature mismatch|indirect call signature mismatch/i,
    'indirect call type mismatch',
  ],
  [/undefined element/i, 'undefined element'],
  [/table index is out of bounds|out of bounds table access|table index out of bounds/i, 'table index out of bounds'],
  [/out of bounds memory access|memory access out of bounds/i, 'out of bounds memory access'],
  [/unreachable/i, 'unreachable'],
  [/divide by zero|division by zero/i, 'integer divide by zero'],
  [/integer overflow/i, 'integer overflow'],
  [/invalid conversion to integer|unrepresentable in integer range/i, 'invalid conversion to integer'],
  [/stack overflow|call stack exhausted|maximum call stack size/i, 'stack overflow'],
];

/** trapKindOf, then the wordings inside a longer text (records without a parsed `wasm.trap`). */
export function trapKindInText(message: string): TrapKind {
  const exact = trapKindOf(message);
  if (exact !== 'other') return exact;
  for (const [re, kind] of LOOSE_WORDINGS) if (re.test(message)) return kind;
  return 'other';
}

const linesOf = (text: string) => text.split(/\r\n|\r|\n/);

/** The prefix a runtime puts before a trap line (`Exception: `, `RuntimeError: `, `wasm trap: `). */
export const TRAP_PREFIX = /^\s*(?:Exception: |RuntimeError: |(?:\d+:\s*)?wasm trap: |wasmtime\._trap\.Trap: )/;

export interface FoundTrap {
  kind: TrapKind;
  message: string;
}

/** Finds a trap reported by a runtime in raw output (iwasm `Exception:`, node `RuntimeError:` + frames, wasmtime `wasm trap:`). */
export function findTrapInText(text: string): FoundTrap | undefined {
  const lines = linesOf(text);
  const tbExceptionLines = new Set(findTracebacks(text).map((b) => b.exceptionLine));
  let found: FoundTrap | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpMatchArray | null;
    if (tbExceptionLines.has(i)) continue; // a Python `Exception: ...` ending a traceback is not a trap
    if ((m = /^Exception: (.+)$/.exec(line))) {
      found = { kind: trapKindInText(m[1]!), message: line.trim() };
    } else if ((m = /^RuntimeError: (.+)$/.exec(line)) && /^\s+at /.test(lines[i + 1] ?? '')) {
      found = { kind: trapKindInText(m[1]!), message: line.trim() };
    } else if ((m = /^\s*(?:\d+:\s*)?wasm trap: (.+)$/.exec(line))) {
      found = { kind: trapKindInText(m[1]!), message: `wasm trap: ${m[1]!.trim()}` };
    }
  }
  return found;
}

const LOAD_ERROR =
  /WASM module (?:load|instantiate) failed|Read file to buffer failed|CompileError: WebAssembly|failed to (?:parse|validate|compile) WebAssembly/i;

/** The first line saying the module never ran (load, instantiate or compile error). */
export function findLoadError(...texts: string[]): string | undefined {
  for (const t of texts) {
    for (const line of linesOf(t)) if (LOAD_ERROR.test(line)) return line.trim();
  }
  return undefined;
}
