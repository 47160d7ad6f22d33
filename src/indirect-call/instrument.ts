// Rewrites a copy of a module so that every indirect call first stores its table slot and a site
// number in two exported globals: after a trap the host reads which slot the failing call used,
// which the runtimes never print. Pure: bytes in, bytes out.
import { callIndirectSites, type CallIndirectSite } from '../parse/wasm-instructions.ts';
import { encodeS32, encodeU32, SECTION, WasmFormatError } from '../parse/wasm-reader.ts';
import { parseWasmModule, type WasmSection } from '../parse/wasm-sections.ts';
import { readSignatures } from '../parse/wasm-signatures.ts';

export interface InstrumentedSite extends CallIndirectSite {
  /** The function the call site is in. */
  funcIndex: number;
}

export interface InstrumentedModule {
  bytes: Uint8Array;
  /** By site number: what the site global's value points at. */
  sites: InstrumentedSite[];
  /** Export names of the two globals (i32, -1 until an indirect call runs). */
  slotGlobal: string;
  siteGlobal: string;
}

export const SLOT_GLOBAL = 'vitest_py2wasm_call_indirect_slot';
export const SITE_GLOBAL = 'vitest_py2wasm_call_indirect_site';

const GLOBAL_SET = 0x24;
const GLOBAL_GET = 0x23;
const I32_CONST = 0x41;
const MUTABLE_I32_MINUS_ONE = [0x7f, 0x01, I32_CONST, 0x7f, 0x0b]; // i32, mutable, (i32.const -1)

export function instrumentIndirectCalls(bytes: Uint8Array): InstrumentedModule {
  const info = parseWasmModule(bytes);
  const sig = readSignatures(bytes, info.sections);
  for (const names of info.exportNames.values()) {
    if (names.includes(SLOT_GLOBAL) || names.includes(SITE_GLOBAL))
      throw new WasmFormatError('module is already instrumented');
  }
  const slotIndex = sig.globalCount;
  const siteIndex = slotIndex + 1;
  const sites: InstrumentedSite[] = [];
  const code = info.sections.find((s) => s.id === SECTION.code);
  if (!code) throw new WasmFormatError('module has no code section');

  const bodies: Uint8Array[] = [Uint8Array.from(encodeU32(info.bodies.length))];
  for (const body of info.bodies) {
    const found = callIndirectSites(bytes, body);
    if (found.length === 0) {
      bodies.push(bytes.subarray(body.start - sizeFieldLength(bytes, body.start), body.end));
      continue;
    }
    const parts: Uint8Array[] = [];
    let from = body.start;
    for (const site of found) {
      parts.push(bytes.subarray(from, site.offset));
      // the slot is on top of the stack: store it, record the site, push it back
      parts.push(
        Uint8Array.from([
          GLOBAL_SET,
          ...encodeU32(slotIndex),
          I32_CONST,
          ...encodeS32(sites.length),
          GLOBAL_SET,
          ...encodeU32(siteIndex),
          GLOBAL_GET,
          ...encodeU32(slotIndex),
        ]),
      );
      sites.push({ ...site, funcIndex: body.index });
      from = site.offset;
    }
    parts.push(bytes.subarray(from, body.end));
    const size = parts.reduce((n, p) => n + p.length, 0);
    bodies.push(Uint8Array.from(encodeU32(size)), ...parts);
  }

  const replaced = new Map<WasmSection, Uint8Array[]>([[code, bodies]]);
  const added: Array<{ id: number; payload: Uint8Array[] }> = [];
  const globalEntries = [...MUTABLE_I32_MINUS_ONE, ...MUTABLE_I32_MINUS_ONE];
  const exportEntries = [...exportEntry(SLOT_GLOBAL, slotIndex), ...exportEntry(SITE_GLOBAL, siteIndex)];
  appendEntries(bytes, info.sections, SECTION.global, 2, globalEntries, replaced, added);
  appendEntries(bytes, info.sections, SECTION.export, 2, exportEntries, replaced, added);
  return {
    bytes: assemble(bytes, info.sections, replaced, added),
    sites,
    slotGlobal: SLOT_GLOBAL,
    siteGlobal: SITE_GLOBAL,
  };
}

function exportEntry(name: string, globalIndex: number): number[] {
  const text = new TextEncoder().encode(name);
  return [...encodeU32(text.length), ...text, 0x03, ...encodeU32(globalIndex)];
}

function sizeFieldLength(bytes: Uint8Array, bodyStart: number): number {
  // the size LEB ends at bodyStart; walk back over its continuation bytes
  let n = 1;
  while (n < 5 && (bytes[bodyStart - n - 1]! & 0x80) !== 0) n++;
  return n;
}

/** Add `count` entries to a vector section, creating the section when the module has none. */
function appendEntries(
  bytes: Uint8Array,
  sections: WasmSection[],
  id: number,
  count: number,
  entries: number[],
  replaced: Map<WasmSection, Uint8Array[]>,
  added: Array<{ id: number; payload: Uint8Array[] }>,
): void {
  const s = sections.find((x) => x.id === id);
  if (!s) {
    added.push({ id, payload: [Uint8Array.from([...encodeU32(count), ...entries])] });
    return;
  }
  let pos = s.start;
  let old = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[pos++]!;
    old += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  replaced.set(s, [Uint8Array.from(encodeU32(old + count)), bytes.subarray(pos, s.end), Uint8Array.from(entries)]);
}

/** Where a new section goes: before the first section that must follow it (custom ones aside). */
const ORDER = [
  SECTION.type,
  SECTION.import,
  SECTION.function,
  SECTION.table,
  SECTION.memory,
  SECTION.tag,
  SECTION.global,
  SECTION.export,
  SECTION.start,
  SECTION.element,
  SECTION.dataCount,
  SECTION.code,
  SECTION.data,
] as number[];

function assemble(
  bytes: Uint8Array,
  sections: WasmSection[],
  replaced: Map<WasmSection, Uint8Array[]>,
  added: Array<{ id: number; payload: Uint8Array[] }>,
): Uint8Array {
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  const pending = [...added];
  const emit = (id: number, payload: Uint8Array[]) => {
    const size = payload.reduce((n, p) => n + p.length, 0);
    out.push(Uint8Array.from([id, ...encodeU32(size)]), ...payload);
  };
  for (const s of sections) {
    if (s.id !== SECTION.custom) {
      for (const a of pending.filter((p) => ORDER.indexOf(p.id) < ORDER.indexOf(s.id))) {
        emit(a.id, a.payload);
        pending.splice(pending.indexOf(a), 1);
      }
    }
    const payload = replaced.get(s);
    if (payload) emit(s.id, payload);
    else out.push(bytes.subarray(s.headerOffset, s.end));
  }
  for (const a of pending) emit(a.id, a.payload);
  return Buffer.concat(out);
}
