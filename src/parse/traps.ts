import type { TrapKind } from '../types.ts';

// Prefixes runtimes put in front of the trap text; the kind only depends on what follows.
const PREFIX_RE = /^\s*(?:Exception:\s*|(?:RuntimeError|RangeError|Error):\s*|wasmtime\._trap\.Trap:\s*|\d+:\s*)?(?:wasm trap:\s*)?/i;

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
  ['unreachable', ['unreachable', 'wasm `unreachable` instruction executed', 'unreachable code', 'unreachable executed']],
  ['integer divide by zero', ['integer divide by zero', 'divide by zero', 'remainder by zero', 'integer division by zero']],
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
