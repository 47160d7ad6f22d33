import { describe, expect, it } from 'vitest';
import { trapKindOf } from '../../src/parse/traps.ts';
import type { TrapKind } from '../../src/types.ts';

describe('trapKindOf', () => {
  // [kind, iwasm, node (V8), wasmtime] for the same fault
  const same: [TrapKind, ...string[]][] = [
    [
      'out of bounds memory access',
      'Exception: out of bounds memory access',
      'RuntimeError: memory access out of bounds',
      'wasm trap: out of bounds memory access',
    ],
    [
      'indirect call type mismatch',
      'Exception: indirect call type mismatch',
      'RuntimeError: null function or function signature mismatch',
      'wasm trap: indirect call type mismatch',
    ],
    [
      'unreachable',
      'Exception: unreachable',
      'RuntimeError: unreachable',
      'wasm trap: wasm `unreachable` instruction executed',
    ],
    [
      'integer divide by zero',
      'Exception: integer divide by zero',
      'RuntimeError: divide by zero',
      'wasm trap: integer divide by zero',
    ],
    ['integer divide by zero', 'Exception: integer divide by zero', 'RuntimeError: remainder by zero'],
    [
      'integer overflow',
      'Exception: integer overflow',
      'RuntimeError: divide result unrepresentable',
      'wasm trap: integer overflow',
    ],
    [
      'invalid conversion to integer',
      'Exception: invalid conversion to integer',
      'RuntimeError: float unrepresentable in integer range',
      'wasm trap: invalid conversion to integer',
    ],
    [
      'stack overflow',
      'Exception: wasm operand stack overflow',
      'RangeError: Maximum call stack size exceeded',
      'wasm trap: call stack exhausted',
    ],
    ['stack overflow', 'Exception: native stack overflow', 'Exception: wasm auxiliary stack overflow'],
    [
      'table index out of bounds',
      'Exception: undefined element',
      'RuntimeError: table index is out of bounds',
      'wasm trap: undefined element: out of bounds table access',
    ],
    ['undefined element', 'Exception: uninitialized element', 'wasm trap: uninitialized element'],
  ];
  it.each(same)('%s', (kind, ...messages) => {
    for (const m of messages) expect(trapKindOf(m), m).toBe(kind);
  });

  it('reads bare messages, numbered causes and wasmtime-py lines', () => {
    expect(trapKindOf('out of bounds memory access')).toBe('out of bounds memory access');
    expect(trapKindOf('    2: wasm trap: indirect call type mismatch')).toBe('indirect call type mismatch');
    expect(trapKindOf('memory fault at wasm address 0x38007249 in linear memory of size 0xad0000')).toBe(
      'out of bounds memory access',
    );
  });

  it('says other for anything it does not know', () => {
    expect(trapKindOf('Exception: allocate memory failed')).toBe('other');
    expect(trapKindOf('TypeError: WebAssembly.instantiate(): Import #0 module="env" error')).toBe('other');
    expect(trapKindOf('Exception: unreachable code in my program')).toBe('other');
    expect(trapKindOf('')).toBe('other');
  });
});
