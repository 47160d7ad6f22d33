// What a module says about calls through its table: the function types, each function's type, how
// many globals it has, and which function each table slot holds at start (active element segments).
// Pure: takes the bytes, never touches the file system.
import { Reader, SECTION, WasmFormatError } from './wasm-reader.ts';
import type { WasmSection } from './wasm-sections.ts';

export interface FuncType {
  params: string[];
  results: string[];
}

export interface ElementSegment {
  table: number;
  /** First slot, from an `i32.const` offset (segments placed by a global are not resolvable here). */
  offset: number;
  /** Function index per slot; null for `ref.null`. */
  functions: Array<number | null>;
}

export interface WasmSignatures {
  types: FuncType[];
  /** Type index of every function, imports first (the function index space). */
  functionTypes: number[];
  importedGlobalCount: number;
  /** Imported and defined: the index a newly appended global gets. */
  globalCount: number;
  elements: ElementSegment[];
}

const VALTYPES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

function valtype(r: Reader): string {
  const at = r.pos;
  const name = VALTYPES[r.byte()];
  if (!name) throw new WasmFormatError(`unsupported value type 0x${r.bytes[at]!.toString(16)} at 0x${at.toString(16)}`);
  return name;
}

export function readSignatures(bytes: Uint8Array, sections: WasmSection[]): WasmSignatures {
  const sig: WasmSignatures = { types: [], functionTypes: [], importedGlobalCount: 0, globalCount: 0, elements: [] };
  for (const s of sections) {
    const r = new Reader(bytes, s.start, s.end);
    if (s.id === SECTION.type) readTypes(r, sig);
    else if (s.id === SECTION.import) readImports(r, sig);
    else if (s.id === SECTION.function) for (let n = r.u32(); n > 0; n--) sig.functionTypes.push(r.u32());
    else if (s.id === SECTION.global) sig.globalCount = sig.importedGlobalCount + r.u32();
    else if (s.id === SECTION.element) readElements(r, sig);
  }
  if (!sections.some((s) => s.id === SECTION.global)) sig.globalCount = sig.importedGlobalCount;
  return sig;
}

function readTypes(r: Reader, sig: WasmSignatures): void {
  for (let n = r.u32(); n > 0; n--) {
    const form = r.byte();
    if (form !== 0x60) throw new WasmFormatError(`type form 0x${form.toString(16)} (only function types are read)`);
    const params = Array.from({ length: r.u32() }, () => valtype(r));
    const results = Array.from({ length: r.u32() }, () => valtype(r));
    sig.types.push({ params, results });
  }
}

function readImports(r: Reader, sig: WasmSignatures): void {
  for (let n = r.u32(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0x00) sig.functionTypes.push(r.u32());
    else if (kind === 0x01) {
      r.byte(); // table: element type, limits
      r.skipLimits();
    } else if (kind === 0x02) r.skipLimits();
    else if (kind === 0x03) {
      r.byte(); // global: value type, mutability
      r.byte();
      sig.importedGlobalCount++;
    } else if (kind === 0x04) {
      r.byte(); // tag: attribute, type
      r.u32();
    } else throw new WasmFormatError(`unknown import kind ${kind}`);
  }
}

function readElements(r: Reader, sig: WasmSignatures): void {
  for (let n = r.u32(); n > 0; n--) {
    const flags = r.u32();
    const active = (flags & 0x01) === 0;
    const table = flags & 0x02 ? r.u32() : 0;
    const offset = active ? constOffset(r) : undefined;
    const usesExprs = (flags & 0x04) !== 0;
    if (flags & 0x03) r.byte(); // elemkind or reftype
    const functions: Array<number | null> = [];
    for (let k = r.u32(); k > 0; k--) functions.push(usesExprs ? refExpr(r) : r.u32());
    if (offset !== undefined) sig.elements.push({ table, offset, functions });
  }
}

/** `i32.const N end`; undefined for any other offset expression (its slots stay unknown). */
function constOffset(r: Reader): number | undefined {
  const op = r.byte();
  const value = op === 0x41 ? r.s32() : (r.skipLeb(), undefined);
  if (r.byte() !== 0x0b) throw new WasmFormatError(`unsupported element offset expression at 0x${r.pos.toString(16)}`);
  return value;
}

function refExpr(r: Reader): number | null {
  const op = r.byte();
  let value: number | null;
  if (op === 0xd2) value = r.u32();
  else if (op === 0xd0) {
    r.skipLeb();
    value = null;
  } else
    throw new WasmFormatError(`unsupported element expression 0x${op.toString(16)} at 0x${(r.pos - 1).toString(16)}`);
  if (r.byte() !== 0x0b) throw new WasmFormatError(`element expression without end at 0x${r.pos.toString(16)}`);
  return value;
}

/** The function a table slot holds at start: an index, null (`ref.null`), or undefined (no segment fills it). */
export function tableSlot(sig: WasmSignatures, table: number, slot: number): number | null | undefined {
  let found: number | null | undefined;
  for (const seg of sig.elements) {
    if (seg.table === table && slot >= seg.offset && slot < seg.offset + seg.functions.length)
      found = seg.functions[slot - seg.offset];
  }
  return found;
}

/** `(i32, i32) -> i32`, as the old manual failure analysis wrote signatures; `() -> nil` for no results. */
export function formatFuncType(t: FuncType): string {
  const results = t.results.length === 0 ? 'nil' : t.results.length === 1 ? t.results[0]! : `(${t.results.join(', ')})`;
  return `(${t.params.join(', ')}) -> ${results}`;
}
