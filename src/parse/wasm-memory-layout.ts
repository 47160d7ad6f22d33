// Where a module keeps its C stack in linear memory. C compiled to wasm keeps locals and arrays
// on a *shadow stack* addressed through the mutable global `__stack_pointer`, which starts at the
// stack's top and grows down. wasm-ld places the stack after the static data by default (an
// overflow then silently overwrites `.bss`) or, with `--stack-first`, below it (an overflow then
// runs under address 0 and traps). Pure: takes the bytes, never touches the file system.
import { Reader, SECTION, WasmFormatError } from './wasm-reader.ts';
import { parseWasmModule, type WasmModuleInfo, type WasmSection } from './wasm-sections.ts';

export interface WasmDataSegment {
  index: number;
  /** From the name section (`.rodata`, `.data`), when present. */
  name?: string;
  /** Address of an active segment placed by a constant; undefined for passive or computed ones. */
  offset?: number;
  size: number;
}

export interface ShadowStack {
  /** Index of the stack pointer global. */
  global: number;
  /** How it was told apart: its name in the name section, or (stripped module) wasm-ld's habit of making it the first mutable i32 global. */
  foundBy: 'name' | 'first mutable i32 global';
  /** The pointer's initial value: the stack's top (it grows down). */
  top: number;
  /** `first`: below the static data (`--stack-first`); `after data`: above it (wasm-ld's default). */
  placement: 'first' | 'after data';
  /**
   * The stack's size when the module shows it: the top itself when it comes first; above the
   * data, the top minus `__data_end` rounded up to 16 (only when the module exports it).
   */
  size?: number;
  /** Above the data: bytes from the end of the initialized data to the top (zeroed statics, `.bss`, then the stack). */
  aboveData?: number;
}

export interface WasmMemoryLayout {
  /** Initial size of the module's own memory in bytes; undefined when the memory is imported. */
  initialMemory?: number;
  segments: WasmDataSegment[];
  /** Lowest address and end of the initialized data (active segments at constant addresses). */
  data?: { start: number; end: number };
  /** Undefined when no mutable i32 global starts at a constant address. */
  stack?: ShadowStack;
  /** Layout symbols the module exports, with their values (`__data_end`, `__heap_base`). */
  symbols: Record<string, number>;
}

const PAGE = 65_536;
const STACK_ALIGN = 16;
const LAYOUT_SYMBOLS = ['__data_end', '__heap_base', '__global_base'];

interface GlobalDef {
  index: number;
  valType: number;
  mutable: boolean;
  value?: number;
}

export function readMemoryLayout(bytes: Uint8Array): WasmMemoryLayout {
  const info = parseWasmModule(bytes);
  const section = (id: number) => info.sections.find((s) => s.id === id);
  const globals = readGlobals(bytes, section(SECTION.global), info.importedGlobalCount);
  const segments = readSegments(bytes, section(SECTION.data), info);
  const placed = segments.filter((s) => s.offset !== undefined && s.size > 0);
  const data = placed.length
    ? {
        start: Math.min(...placed.map((s) => s.offset!)),
        end: Math.max(...placed.map((s) => s.offset! + s.size)),
      }
    : undefined;
  const symbols: Record<string, number> = {};
  for (const name of LAYOUT_SYMBOLS) {
    const value = globals.find((g) => g.index === info.globalExports.get(name))?.value;
    if (value !== undefined) symbols[name] = value;
  }
  const memory = readInitialMemory(bytes, section(SECTION.memory));
  const stack = shadowStack(globals, info, data, symbols);
  return {
    ...(memory !== undefined ? { initialMemory: memory } : {}),
    segments,
    ...(data ? { data } : {}),
    ...(stack ? { stack } : {}),
    symbols,
  };
}

function shadowStack(
  globals: GlobalDef[],
  info: WasmModuleInfo,
  data: WasmMemoryLayout['data'],
  symbols: Record<string, number>,
): ShadowStack | undefined {
  const named = globals.find((g) => info.globalNames.get(g.index) === '__stack_pointer');
  const pointer = named ?? globals.find((g) => g.mutable && g.valType === 0x7f && g.value !== undefined);
  if (pointer?.value === undefined) return undefined;
  const top = pointer.value;
  const base = { global: pointer.index, foundBy: named ? 'name' : 'first mutable i32 global', top } as const;
  if (!data || top <= data.start) return { ...base, placement: 'first', size: top };
  const dataEnd = symbols.__data_end;
  const size = dataEnd !== undefined ? top - Math.ceil(dataEnd / STACK_ALIGN) * STACK_ALIGN : undefined;
  return { ...base, placement: 'after data', aboveData: top - data.end, ...(size !== undefined ? { size } : {}) };
}

function readGlobals(bytes: Uint8Array, s: WasmSection | undefined, imported: number): GlobalDef[] {
  if (!s) return [];
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  const out: GlobalDef[] = [];
  for (let i = 0; i < count; i++) {
    const valType = r.byte();
    const mutable = r.byte() === 1;
    const value = constExpr(r);
    out.push({ index: imported + i, valType, mutable, ...(value !== undefined ? { value } : {}) });
  }
  return out;
}

function readSegments(bytes: Uint8Array, s: WasmSection | undefined, info: WasmModuleInfo): WasmDataSegment[] {
  if (!s) return [];
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  const out: WasmDataSegment[] = [];
  for (let index = 0; index < count; index++) {
    const flags = r.u32();
    if (flags > 2) throw new WasmFormatError(`unknown data segment kind ${flags} at 0x${r.pos.toString(16)}`);
    if (flags === 2) r.u32(); // memory index
    const offset = flags === 1 ? undefined : constExpr(r);
    const size = r.u32();
    r.skip(size);
    const name = info.dataSegmentNames.get(index);
    out.push({ index, ...(name !== undefined ? { name } : {}), ...(offset !== undefined ? { offset } : {}), size });
  }
  return out;
}

function readInitialMemory(bytes: Uint8Array, s: WasmSection | undefined): number | undefined {
  if (!s) return undefined;
  const r = new Reader(bytes, s.start, s.end);
  if (r.u32() === 0) return undefined;
  r.byte(); // limits flags
  return r.u32() * PAGE;
}

/** Constant instructions whose value this reader does not need: how to step over their immediate. */
const SKIP_IMMEDIATE: Record<number, (r: Reader) => void> = {
  0x42: (r) => r.skipLeb(), // i64.const
  0x43: (r) => r.skip(4), // f32.const
  0x44: (r) => r.skip(8), // f64.const
  0x23: (r) => void r.u32(), // global.get
  0xd2: (r) => void r.u32(), // ref.func
  0xd0: (r) => void r.byte(), // ref.null
};

/**
 * A constant expression up to its `end`: its value as an unsigned i32 (an address) when it is made
 * of i32 constants (and extended-const add/sub/mul), undefined otherwise (another type, a `global.get`).
 */
function constExpr(r: Reader): number | undefined {
  const stack: Array<number | undefined> = [];
  const binary = (op: (a: number, b: number) => number) => {
    const b = stack.pop();
    const a = stack.pop();
    stack.push(a === undefined || b === undefined ? undefined : op(a, b) | 0);
  };
  for (;;) {
    const op = r.byte();
    if (op === 0x0b) return stack.length === 1 && stack[0] !== undefined ? stack[0] >>> 0 : undefined;
    if (op === 0x41) stack.push(r.s32());
    else if (op === 0x6a) binary((a, b) => a + b);
    else if (op === 0x6b) binary((a, b) => a - b);
    else if (op === 0x6c) binary((a, b) => Math.imul(a, b));
    else if (op in SKIP_IMMEDIATE) {
      SKIP_IMMEDIATE[op]!(r);
      stack.push(undefined);
    } else throw new WasmFormatError(`unexpected opcode 0x${op.toString(16)} in a constant expression`);
  }
}
