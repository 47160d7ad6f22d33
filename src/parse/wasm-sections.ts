// Just enough of the wasm binary format to do address math on stack frames:
// section layout (the Code section start), function body ranges, and function names.
// Pure: takes the bytes, never touches the file system.
import { Reader, SECTION, WasmFormatError } from './wasm-reader.ts';

export { WasmFormatError };

export interface WasmSection {
  id: number;
  /** Custom sections only. */
  name?: string;
  /** File offset of the section id byte. */
  headerOffset: number;
  /** File offset of the first payload byte (what `wasm-objdump -h` prints as start). */
  start: number;
  /** File offset one past the payload. */
  end: number;
}

export interface WasmFunctionBody {
  /** Function index in the function index space (imports first). */
  index: number;
  /** File offset of the body's first byte (after its size field). */
  start: number;
  /** File offset one past the body. */
  end: number;
}

export interface WasmModuleInfo {
  sections: WasmSection[];
  /** Payload start of the Code section: DWARF addresses count from here. */
  codeSectionStart?: number;
  codeSectionEnd?: number;
  importedFunctionCount: number;
  /** Globals come from imports first in the global index space. */
  importedGlobalCount: number;
  /** Field names of imported functions, by function index (`proc_exit`). */
  importNames: Map<number, string>;
  /** Defined function bodies, in file order. */
  bodies: WasmFunctionBody[];
  /** From the `name` custom section, when present. */
  functionNames: Map<number, string>;
  exportNames: Map<number, string[]>;
  /** Exported globals by export name (`__heap_base` -> global index). */
  globalExports: Map<string, number>;
  /** From the `name` custom section: globals (`__stack_pointer`) and data segments (`.rodata`). */
  globalNames: Map<number, string>;
  dataSegmentNames: Map<number, string>;
  moduleName?: string;
}

/** Section headers only: one pass over ids and sizes, payloads skipped. */
export function readWasmSections(bytes: Uint8Array): WasmSection[] {
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmFormatError('not a wasm module (magic header not detected)');
  }
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1) throw new WasmFormatError(`unsupported wasm version ${version}`);
  const r = new Reader(bytes, 8, bytes.length);
  const sections: WasmSection[] = [];
  while (r.pos < bytes.length) {
    const headerOffset = r.pos;
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    if (end > bytes.length)
      throw new WasmFormatError(`section ${id} at 0x${headerOffset.toString(16)} runs past the end`);
    const section: WasmSection = { id, headerOffset, start, end };
    if (id === SECTION.custom) section.name = new Reader(bytes, start, end).name();
    sections.push(section);
    r.pos = end;
  }
  return sections;
}

/** Payload start of the Code section, or undefined when the module has none. */
export function findCodeSectionStart(bytes: Uint8Array): number | undefined {
  return readWasmSections(bytes).find((s) => s.id === SECTION.code)?.start;
}

export function parseWasmModule(bytes: Uint8Array): WasmModuleInfo {
  const sections = readWasmSections(bytes);
  const info: WasmModuleInfo = {
    sections,
    importedFunctionCount: 0,
    importedGlobalCount: 0,
    importNames: new Map(),
    bodies: [],
    functionNames: new Map(),
    exportNames: new Map(),
    globalExports: new Map(),
    globalNames: new Map(),
    dataSegmentNames: new Map(),
  };
  for (const s of sections) {
    if (s.id === SECTION.import) readImports(bytes, s, info);
  }
  for (const s of sections) {
    if (s.id === SECTION.code) {
      info.codeSectionStart = s.start;
      info.codeSectionEnd = s.end;
      readBodies(bytes, s, info);
    } else if (s.id === SECTION.export) {
      readExports(bytes, s, info);
    } else if (s.id === SECTION.custom && s.name === 'name') {
      // A broken name section must not cost us the layout: names are a bonus.
      try {
        readNames(bytes, s, info);
      } catch (e) {
        if (!(e instanceof WasmFormatError)) throw e;
      }
    }
  }
  return info;
}

function readImports(bytes: Uint8Array, s: WasmSection, info: WasmModuleInfo): void {
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    r.name(); // module
    const field = r.name();
    const kind = r.byte();
    switch (kind) {
      case 0x00: // func: type index
        r.u32();
        info.importNames.set(info.importedFunctionCount++, field);
        break;
      case 0x01: // table: reftype + limits
        r.byte();
        r.skipLimits();
        break;
      case 0x02: // memory
        r.skipLimits();
        break;
      case 0x03: // global: valtype + mut
        r.byte();
        r.byte();
        info.importedGlobalCount++;
        break;
      case 0x04: // tag: attribute + type index
        r.byte();
        r.u32();
        break;
      default:
        throw new WasmFormatError(`unknown import kind ${kind}`);
    }
  }
}

function readBodies(bytes: Uint8Array, s: WasmSection, info: WasmModuleInfo): void {
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    info.bodies.push({ index: info.importedFunctionCount + i, start, end: r.pos });
  }
}

function readExports(bytes: Uint8Array, s: WasmSection, info: WasmModuleInfo): void {
  const r = new Reader(bytes, s.start, s.end);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const name = r.name();
    const kind = r.byte();
    const index = r.u32();
    if (kind === 0x03) info.globalExports.set(name, index);
    if (kind !== 0x00) continue;
    const list = info.exportNames.get(index);
    if (list) list.push(name);
    else info.exportNames.set(index, [name]);
  }
}

/** Name subsections that map an index to a name (function 1, global 7, data segment 9). */
const NAME_MAPS: Record<number, 'functionNames' | 'globalNames' | 'dataSegmentNames'> = {
  1: 'functionNames',
  7: 'globalNames',
  9: 'dataSegmentNames',
};

function readNames(bytes: Uint8Array, s: WasmSection, info: WasmModuleInfo): void {
  const r = new Reader(bytes, s.start, s.end);
  r.name(); // the custom section's own name, "name"
  while (r.pos < s.end) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    const sub = new Reader(bytes, r.pos, end);
    if (id === 0) {
      info.moduleName = sub.name();
    } else if (id in NAME_MAPS) {
      const names = info[NAME_MAPS[id]!];
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        const index = sub.u32();
        names.set(index, sub.name());
      }
    }
    r.pos = end;
  }
}

/** The defined function whose body holds `offset` (a file offset), by binary search. */
export function functionAtOffset(info: WasmModuleInfo, offset: number): WasmFunctionBody | undefined {
  const bodies = info.bodies;
  let lo = 0;
  let hi = bodies.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bodies[mid]!;
    if (offset < b.start) hi = mid - 1;
    else if (offset >= b.end) lo = mid + 1;
    else return b;
  }
  return undefined;
}

/** Every name a runtime may print for function `index`: name section, export names, `$fN`, import field. */
export function namesOfFunction(info: WasmModuleInfo, index: number): string[] {
  const names = [`$f${index}`];
  const n = info.functionNames.get(index);
  if (n !== undefined) names.push(n);
  names.push(...(info.exportNames.get(index) ?? []));
  const imp = info.importNames.get(index);
  if (imp !== undefined) names.push(imp);
  return names;
}
