import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layoutFrom, dwarfdumpCandidates, type CPythonLayout } from '../../src/diagnose/python-frames/layout.ts';
import { MemoryReadError, readPythonFrames, type FrameInMemory } from '../../src/diagnose/python-frames/memory.ts';
import { ownLineOf } from '../../src/diagnose/python-frames/own-line.ts';
import { nameOf, parseDwarfDump, type DwarfEntry } from '../../src/parse/dwarf-dump.ts';
import type { RawFrame } from '../../src/types.ts';

// Real llvm-dwarfdump output of a py2wasm 2.6.3 module and the frames the memory read found in the
// sample's five traps under Node (test/fixtures/python-frames/README.md says how they were taken).
const FIXTURES = path.join(import.meta.dirname, '../fixtures/python-frames');
const read = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const ANONYMOUS = ['PyVarObject', 'PyBytesObject', 'PyASCIIObject', 'PyCompactUnicodeObject'];

function structsOf(named: DwarfEntry[]): Map<string, DwarfEntry> {
  const structs = new Map<string, DwarfEntry>();
  for (const e of named)
    if (e.tag === 'DW_TAG_structure_type' && e.children.length && !structs.has(nameOf(e)!)) structs.set(nameOf(e)!, e);
  for (const name of ANONYMOUS) structs.set(name, parseDwarfDump(read(`${name}.txt`))[0]!);
  return structs;
}
const named = parseDwarfDump(read('named.txt'));
const layout = layoutFrom(structsOf(named), named);

describe('CPython layout from DWARF', () => {
  it("reads the entries' nesting, names and attributes", () => {
    const ts = named.find((e) => nameOf(e) === '_ts' && e.tag === 'DW_TAG_structure_type')!;
    expect(ts.offset).toBe(0x1633);
    expect(ts.children.map(nameOf).slice(0, 3)).toEqual(['prev', 'next', 'interp']);
    // the nested anonymous struct of PyASCIIObject.state is a child with its own children
    const ascii = parseDwarfDump(read('PyASCIIObject.txt'))[0]!;
    expect(ascii.children.filter((c) => c.tag === 'DW_TAG_structure_type')[0]!.children.map(nameOf)).toEqual([
      'interned',
      'kind',
      'compact',
      'ascii',
      'ready',
    ]);
  });

  it('gives the offsets of CPython 3.11 on wasm32 and the globals’ addresses', () => {
    expect(layout.addresses).toEqual({ _PyRuntime: 0x71c2a0, PyFrame_Type: 0x714174 });
    expect(layout.offsets._PyInterpreterFrame).toEqual({ f_code: 16, frame_obj: 20, previous: 24, prev_instr: 28 });
    expect(layout.offsets.PyCodeObject).toEqual({
      co_filename: 80,
      co_qualname: 88,
      co_firstlineno: 48,
      co_linetable: 92,
      co_code_adaptive: 116,
    });
    expect(layout.offsets.pyruntimestate.gilstate).toBe(356);
    expect(layout.offsets._frame.f_lineno).toBe(20);
    expect(layout.sizes).toEqual({ PyASCIIObject: 24, PyCompactUnicodeObject: 36 });
    expect(layout.stateBits).toEqual({
      kind: { offset: 2, size: 3 },
      compact: { offset: 5, size: 1 },
      ascii: { offset: 6, size: 1 },
    });
  });

  it('names what a module without that DWARF lacks', () => {
    const structs = structsOf(named);
    structs.delete('_PyCFrame');
    expect(() => layoutFrom(structs, named)).toThrow(/no struct _PyCFrame: not a CPython 3.11 build with debug info/);
    expect(() => layoutFrom(structsOf(named), [])).toThrow(/does not give the address of _PyRuntime/);
  });

  it('looks for llvm-dwarfdump beside the symbolizer', () => {
    expect(dwarfdumpCandidates(['/usr/lib/llvm-19/bin/llvm-symbolizer'])).toEqual([
      '/usr/lib/llvm-19/bin/llvm-dwarfdump',
      'llvm-dwarfdump-19',
      'llvm-dwarfdump',
    ]);
    expect(dwarfdumpCandidates(['llvm-symbolizer-18'])[0]).toBe('llvm-dwarfdump-18');
  });
});

interface Trap {
  frames: FrameInMemory[];
  cFrames: Array<string | null>;
}
const traps = JSON.parse(read('frames-at-trap.json')) as Record<string, Trap>;
const cStack = (names: Array<string | null>): RawFrame[] =>
  names.map((name, index) => ({ index, ...(name ? { name } : {}), thread: 0, addressSpace: 'module-offset' }));
const script = (file: string) => file === './example1.py';
const ownOf = (name: string) => ownLineOf(traps[name]!.frames, cStack(traps[name]!.cFrames), script);

describe("the case's own line among the frames at a trap", () => {
  it('takes the line of a frame in a call: the decorator line, under the interpreted functools frame', () => {
    expect(ownOf('decorators.example1')).toMatchObject({ ok: true, line: 10, lineSource: 'call' });
    expect(ownOf('progress_output.example1')).toMatchObject({
      ok: true,
      line: 10,
      lineSource: 'call',
      frame: { qualname: 'logged' },
    });
    // the innermost frame, its C function calling property(): a call
    expect(ownOf('properties.example1')).toMatchObject({
      ok: true,
      line: 8,
      lineSource: 'call',
      frame: { qualname: 'Person' },
    });
  });

  it('refuses a line Nuitka did not set for the statement: an attribute lookup, no frame at all', () => {
    const chain = ownOf('call_chain.example1');
    expect(chain).toMatchObject({ ok: false, frame: { qualname: 'label' } });
    expect(chain.ok ? '' : chain.reason).toMatch(/trapped in PyObject_GenericGetAttr, not in a call or an import/);
    const ctypes = ownOf('ctypes_calls.example1');
    expect(ctypes).toMatchObject({ ok: false });
    expect(ctypes.ok ? '' : ctypes.reason).toMatch(/no Python frame at the trap/);
  });

  it("says so when no frame is the recipe's, or the stack shows no compiled function", () => {
    const { frames, cFrames } = traps['decorators.example1']!;
    expect(ownLineOf(frames, cStack(cFrames), () => false)).toMatchObject({
      ok: false,
      reason: "none of the 3 Python frames at the trap is of the recipe's files",
    });
    const properties = traps['properties.example1']!;
    expect(ownLineOf(properties.frames, cStack(properties.cFrames.slice(0, 3)), script)).toMatchObject({
      ok: false,
      reason: "the trap's stack, as printed, shows no function Nuitka compiled",
    });
    // an interpreted frame of the script: its instruction's line
    const interpreted = frames.map((f) => ({ ...f, compiled: false }));
    expect(ownLineOf(interpreted.slice(1), [], script)).toMatchObject({
      ok: true,
      line: 10,
      lineSource: 'instruction',
    });
  });
});

/** A memory holding the structures the layout describes, written field by field. */
class FakeMemory {
  readonly bytes = new Uint8Array(1 << 16);
  private readonly view = new DataView(this.bytes.buffer);
  private next = 0x1000;
  alloc(size: number): number {
    const at = this.next;
    this.next += (size + 15) & ~15;
    return at;
  }
  u32(at: number, value: number): void {
    this.view.setUint32(at, value, true);
  }
  str(text: string): number {
    const units = [...text].map((c) => c.codePointAt(0)!);
    const kind = units.some((u) => u > 0xffff) ? 4 : units.some((u) => u > 0xff) ? 2 : 1;
    const ascii = units.every((u) => u < 0x80);
    const header = ascii ? layout.sizes.PyASCIIObject : layout.sizes.PyCompactUnicodeObject;
    const at = this.alloc(header + units.length * kind);
    const b = layout.stateBits;
    this.u32(at + layout.offsets.PyASCIIObject.length, units.length);
    this.u32(
      at + layout.offsets.PyASCIIObject.state,
      (kind << b.kind.offset) | (1 << b.compact.offset) | (+ascii << b.ascii.offset),
    );
    units.forEach((u, i) => {
      if (kind === 1) this.bytes[at + header + i] = u;
      else if (kind === 2) this.view.setUint16(at + header + 2 * i, u, true);
      else this.u32(at + header + 4 * i, u);
    });
    return at;
  }
  code(file: string, qualname: string, firstLine: number): number {
    const at = this.alloc(layout.offsets.PyCodeObject.co_code_adaptive + 16);
    const c = layout.offsets.PyCodeObject;
    this.u32(at + c.co_filename, this.str(file));
    this.u32(at + c.co_qualname, this.str(qualname));
    this.u32(at + c.co_firstlineno, firstLine);
    return at;
  }
}

function threadWith(memory: FakeMemory, firstFrame: number): CPythonLayout {
  const o = layout.offsets;
  const runtime = memory.alloc(0x200);
  const tstate = memory.alloc(0xd0);
  const cframe = memory.alloc(12);
  memory.u32(runtime + o.pyruntimestate.gilstate + o._gilstate_runtime_state.tstate_current, tstate);
  memory.u32(tstate + o._ts.cframe, cframe);
  memory.u32(cframe + o._PyCFrame.current_frame, firstFrame);
  return { ...layout, addresses: { _PyRuntime: runtime, PyFrame_Type: 0x40 } };
}

describe('reading the frames from memory', () => {
  it("reads a Nuitka frame's line and names in every string kind", () => {
    const m = new FakeMemory();
    const frame = m.alloc(0x30);
    const object = m.alloc(0x20);
    m.u32(frame + layout.offsets._PyInterpreterFrame.f_code, m.code('./café_日本.py', 'run.<locals>.𝔣', 3));
    m.u32(frame + layout.offsets._PyInterpreterFrame.frame_obj, object);
    m.u32(object + layout.offsets._object.ob_type, 0x80); // Nuitka's frame type, not PyFrame_Type
    m.u32(object + layout.offsets._frame.f_lineno, 12);
    expect(readPythonFrames(m.bytes, threadWith(m, frame))).toEqual([
      { file: './café_日本.py', qualname: 'run.<locals>.𝔣', firstLine: 3, compiled: true, line: 12 },
    ]);
  });

  it('fails with a clear error on a pointer out of memory, a loop, no thread state', () => {
    const m = new FakeMemory();
    const frame = m.alloc(0x30);
    m.u32(frame + layout.offsets._PyInterpreterFrame.f_code, 0xfffff0);
    expect(() => readPythonFrames(m.bytes, threadWith(m, frame))).toThrow(
      /a code object at 0x1000020 is outside the memory \(65536 bytes\)/,
    );
    const loop = new FakeMemory();
    const f = loop.alloc(0x30);
    loop.u32(f + layout.offsets._PyInterpreterFrame.f_code, loop.code('./a.py', 'f', 1));
    loop.u32(f + layout.offsets._PyInterpreterFrame.previous, f);
    expect(() => readPythonFrames(loop.bytes, threadWith(loop, f))).toThrow(MemoryReadError);
    expect(() => readPythonFrames(loop.bytes, threadWith(loop, f))).toThrow(/the frame chain loops/);
    const empty = new FakeMemory();
    expect(() =>
      readPythonFrames(empty.bytes, { ...layout, addresses: { _PyRuntime: 0x100, PyFrame_Type: 0 } }),
    ).toThrow(/no current thread state/);
    // a thread with no frame: an empty list, not an error
    expect(readPythonFrames(empty.bytes, threadWith(empty, 0))).toEqual([]);
  });
});
