import { describe, expect, it } from 'vitest';
import {
  findCodeSectionStart,
  functionAtOffset,
  namesOfFunction,
  parseWasmModule,
  readWasmSections,
  WasmFormatError,
} from '../../src/parse/wasm-sections.ts';

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const str = (s: string) => [...leb(s.length), ...Buffer.from(s)];
const section = (id: number, payload: number[]) => [id, ...leb(payload.length), ...payload];

/** A module with one imported function, two defined ones (one exported), a big body, and a name section. */
function buildModule(withNames = true): { bytes: Uint8Array; bigBodySize: number } {
  const type = section(1, [1, 0x60, 0, 0]); // one type: () -> ()
  const imports = section(2, [
    1,
    ...str('wasi_snapshot_preview1'),
    ...str('proc_exit'),
    0x00,
    0,
    ...str('mem'),
    0x02,
    0x00,
    1,
  ]);
  const funcs = section(3, [2, 0, 0]);
  const exports = section(7, [1, ...str('_start'), 0x00, 2]);
  const body1 = [0, 0x0b]; // no locals, end
  const bigBodySize = 300; // size needs a 2-byte LEB
  const body2 = [0, ...new Array<number>(bigBodySize - 2).fill(0x01), 0x0b]; // nops
  const code = section(10, [2, ...leb(body1.length), ...body1, ...leb(body2.length), ...body2]);
  const names = section(0, [
    ...str('name'),
    ...[0, ...leb(str('m.wasm').length), ...str('m.wasm')],
    ...(() => {
      const sub = [3, ...leb(0), ...str('proc_exit_imp'), ...leb(1), ...str('helper'), ...leb(2), ...str('start_impl')];
      return [1, ...leb(sub.length), ...sub];
    })(),
  ]);
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...type,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
    ...(withNames ? names : []),
  ];
  return { bytes: Uint8Array.from(bytes), bigBodySize };
}

describe('wasm sections', () => {
  it('finds the Code section payload start and the function bodies', () => {
    const { bytes, bigBodySize } = buildModule();
    const sections = readWasmSections(bytes);
    expect(sections.map((s) => s.id)).toEqual([1, 2, 3, 7, 10, 0]);
    const code = sections.find((s) => s.id === 10)!;
    expect(bytes[code.headerOffset]).toBe(10);
    // payload starts after the id and the 2-byte size LEB, and begins with the body count
    expect(code.start).toBe(code.headerOffset + 3);
    expect(bytes[code.start]).toBe(2);
    expect(findCodeSectionStart(bytes)).toBe(code.start);
    expect(sections.at(-1)!.name).toBe('name');

    const info = parseWasmModule(bytes);
    expect(info.codeSectionStart).toBe(code.start);
    expect(info.importedFunctionCount).toBe(1);
    expect(info.bodies).toEqual([
      { index: 1, start: code.start + 2, end: code.start + 4 },
      { index: 2, start: code.start + 6, end: code.start + 6 + bigBodySize },
    ]);
    expect(info.moduleName).toBe('m.wasm');
    expect(functionAtOffset(info, code.start + 2)?.index).toBe(1);
    expect(functionAtOffset(info, code.start + 4)).toBeUndefined(); // the size LEB of body 2
    expect(functionAtOffset(info, code.start + 6 + bigBodySize - 1)?.index).toBe(2);
    expect(functionAtOffset(info, code.start + 6 + bigBodySize)).toBeUndefined();
    expect(functionAtOffset(info, 0)).toBeUndefined();
  });

  it('collects every name a runtime may print for a function', () => {
    const info = parseWasmModule(buildModule().bytes);
    expect(namesOfFunction(info, 0)).toEqual(['$f0', 'proc_exit_imp', 'proc_exit']);
    expect(namesOfFunction(info, 2)).toEqual(['$f2', 'start_impl', '_start']);
    const bare = parseWasmModule(buildModule(false).bytes);
    expect(bare.functionNames.size).toBe(0);
    expect(namesOfFunction(bare, 1)).toEqual(['$f1']);
  });

  it('still finds the Code section when a section body is not understood', () => {
    const { bytes } = buildModule();
    const kindAt = Buffer.from(bytes).indexOf(Buffer.from('proc_exit')) + 'proc_exit'.length;
    expect(bytes[kindAt]).toBe(0x00);
    const odd = Uint8Array.from(bytes);
    odd[kindAt] = 0x7f; // an import kind from the future
    expect(() => parseWasmModule(odd)).toThrow(WasmFormatError);
    expect(findCodeSectionStart(odd)).toBe(parseWasmModule(bytes).codeSectionStart);
  });

  it('rejects what is not a wasm module', () => {
    expect(() => readWasmSections(Buffer.from('\0asm'))).toThrow(WasmFormatError);
    expect(() => readWasmSections(Buffer.from('not wasm at all'))).toThrow(/magic/);
    const { bytes } = buildModule();
    expect(() => readWasmSections(bytes.subarray(0, bytes.length - 3))).toThrow(/runs past the end/);
  });
});
