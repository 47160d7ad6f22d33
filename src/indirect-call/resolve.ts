// From "site k called slot i" (what the instrumented run reported) to what a person reads: the
// caller, the type its call site expects, and the function the slot held with its own type.
// Pure: the module's bytes are parsed, nothing is run.
import { parseWasmModule, type WasmModuleInfo } from '../parse/wasm-sections.ts';
import { formatFuncType, readSignatures, tableSlot, type WasmSignatures } from '../parse/wasm-signatures.ts';
import type { InstrumentedSite } from './instrument.ts';

export interface WasmFunctionRef {
  funcIndex: number;
  name?: string;
  typeIndex: number;
  /** `(i32) -> i32` */
  signature: string;
}

export interface IndirectCallee {
  caller: { funcIndex: number; name?: string };
  /** File offset of the `call_indirect` in the original module. */
  siteOffset: number;
  /** The type the call site expects. */
  expected: { typeIndex: number; signature: string };
  table: number;
  slot: number;
  /** What the slot held at start; absent when no element segment fills it. */
  callee?: WasmFunctionRef;
  /** What went wrong at this call, as the module's sections tell it. */
  fault: 'signature mismatch' | 'null slot' | 'slot not filled' | 'signatures match';
}

export interface ModuleTables {
  info: WasmModuleInfo;
  sig: WasmSignatures;
}

export function readModuleTables(bytes: Uint8Array): ModuleTables {
  const info = parseWasmModule(bytes);
  return { info, sig: readSignatures(bytes, info.sections) };
}

function functionRef(m: ModuleTables, funcIndex: number): WasmFunctionRef {
  const typeIndex = m.sig.functionTypes[funcIndex] ?? -1;
  const type = m.sig.types[typeIndex];
  const name = m.info.functionNames.get(funcIndex) ?? m.info.importNames.get(funcIndex);
  return {
    funcIndex,
    ...(name !== undefined ? { name } : {}),
    typeIndex,
    signature: type ? formatFuncType(type) : '?',
  };
}

export function resolveIndirectCall(m: ModuleTables, site: InstrumentedSite, slot: number): IndirectCallee {
  const expectedType = m.sig.types[site.typeIndex];
  const held = tableSlot(m.sig, site.table, slot);
  const callee = typeof held === 'number' ? functionRef(m, held) : undefined;
  const callerName = m.info.functionNames.get(site.funcIndex);
  let fault: IndirectCallee['fault'];
  if (held === undefined) fault = 'slot not filled';
  else if (held === null) fault = 'null slot';
  else fault = sameType(m, site.typeIndex, callee!.typeIndex) ? 'signatures match' : 'signature mismatch';
  return {
    caller: { funcIndex: site.funcIndex, ...(callerName !== undefined ? { name: callerName } : {}) },
    siteOffset: site.offset,
    expected: { typeIndex: site.typeIndex, signature: expectedType ? formatFuncType(expectedType) : '?' },
    table: site.table,
    slot,
    ...(callee ? { callee } : {}),
    fault,
  };
}

/** Structural equality, as the runtime checks it (two type entries with the same shape match). */
function sameType(m: ModuleTables, a: number, b: number): boolean {
  const x = m.sig.types[a];
  const y = m.sig.types[b];
  return !!x && !!y && formatFuncType(x) === formatFuncType(y);
}
