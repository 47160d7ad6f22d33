// Walks the instructions of one function body, far enough to find its indirect calls: every
// opcode's immediates are skipped exactly (MVP, sign extension, saturating conversions, bulk
// memory, reference types, SIMD, threads, legacy exceptions, tail calls).
import { Reader, WasmFormatError } from './wasm-reader.ts';
import type { WasmFunctionBody } from './wasm-sections.ts';

export interface CallIndirectSite {
  /** File offset of the opcode byte (what V8 and wasmtime print in a frame). */
  offset: number;
  /** File offset just past the immediates (what iwasm's classic interpreter prints). */
  end: number;
  /** The type the call site expects: its first immediate. */
  typeIndex: number;
  table: number;
  /** `return_call_indirect` (tail call) rather than `call_indirect`. */
  tail: boolean;
}

const CALL_INDIRECT = 0x11;
const RETURN_CALL_INDIRECT = 0x13;

/** Every `call_indirect` / `return_call_indirect` of a body, in code order. */
export function callIndirectSites(bytes: Uint8Array, body: WasmFunctionBody): CallIndirectSite[] {
  const sites: CallIndirectSite[] = [];
  walkInstructions(bytes, body, (offset, op) => {
    if (op !== CALL_INDIRECT && op !== RETURN_CALL_INDIRECT) return;
    const r = new Reader(bytes, offset + 1, body.end);
    const typeIndex = r.u32();
    const table = r.u32();
    sites.push({ offset, end: r.pos, typeIndex, table, tail: op === RETURN_CALL_INDIRECT });
  });
  return sites;
}

/** Calls `visit` with the file offset and opcode of each instruction of a body, in code order. */
export function walkInstructions(
  bytes: Uint8Array,
  body: WasmFunctionBody,
  visit: (offset: number, op: number) => void,
): void {
  const r = new Reader(bytes, body.start, body.end);
  // local declarations: count, type
  for (let n = r.u32(); n > 0; n--) {
    r.u32();
    r.byte();
  }
  while (r.pos < body.end) {
    const offset = r.pos;
    const op = r.byte();
    if (op === CALL_INDIRECT || op === RETURN_CALL_INDIRECT) {
      r.u32();
      r.u32();
    } else skipImmediates(r, op, offset);
    visit(offset, op);
  }
}

function memarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // multi-memory: memory index
  r.u32();
}

function skipImmediates(r: Reader, op: number, at: number): void {
  if (
    op <= 0x01 ||
    op === 0x05 ||
    op === 0x0b ||
    op === 0x0f ||
    op === 0x19 ||
    op === 0x1a ||
    op === 0x1b ||
    op === 0xd1
  )
    return;
  if ((op >= 0x45 && op <= 0xc4) || op === 0xd3 || op === 0xd4) return; // numeric, ref.eq, ref.as_non_null
  if (op >= 0x02 && op <= 0x04) return r.skipLeb(); // block type (s33)
  if (op === 0x06) return r.skipLeb(); // try
  if ((op >= 0x07 && op <= 0x09) || op === 0x18 || op === 0x0c || op === 0x0d) return void r.u32();
  if (op === 0x0e) {
    for (let n = r.u32() + 1; n > 0; n--) r.u32(); // br_table: labels + default
    return;
  }
  if (op === 0x10 || op === 0x12 || op === 0x14 || op === 0x15 || op === 0xd2 || op === 0xd5 || op === 0xd6)
    return void r.u32();
  if (op === 0x1c) return r.skip(r.u32()); // select t*: one byte per value type
  if (op >= 0x20 && op <= 0x26) return void r.u32();
  if (op >= 0x28 && op <= 0x3e) return memarg(r);
  if (op === 0x3f || op === 0x40) return void r.u32();
  if (op === 0x41) return void r.s32();
  if (op === 0x42) return r.skipLeb();
  if (op === 0x43) return r.skip(4);
  if (op === 0x44) return r.skip(8);
  if (op === 0xd0) return r.skipLeb(); // ref.null heap type
  if (op === 0xfc) return prefixedFC(r, r.u32());
  if (op === 0xfd) return prefixedSimd(r, r.u32());
  if (op === 0xfe) return r.u32() === 0x03 ? void r.byte() : memarg(r); // atomic.fence has one zero byte
  throw new WasmFormatError(`unknown opcode 0x${op.toString(16)} at 0x${at.toString(16)}`);
}

function prefixedFC(r: Reader, sub: number): void {
  if (sub <= 7) return; // saturating float-to-int
  const immediates: Record<number, number> = { 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1 };
  const n = immediates[sub];
  if (n === undefined) throw new WasmFormatError(`unknown 0xfc ${sub} at 0x${r.pos.toString(16)}`);
  for (let i = 0; i < n; i++) r.u32();
}

function prefixedSimd(r: Reader, sub: number): void {
  if (sub <= 11 || sub === 92 || sub === 93) return memarg(r); // loads, store, load_zero
  if (sub === 12 || sub === 13) return r.skip(16); // v128.const, i8x16.shuffle
  if (sub >= 21 && sub <= 34) return r.skip(1); // extract/replace lane
  if (sub >= 84 && sub <= 91) return (memarg(r), r.skip(1)); // load/store lane
}
