// The callee of an `indirect call type mismatch`: which function the table slot held and both
// signatures. The slot is only known while the program runs, so an instrumented copy of the module
// records it (see indirect-call/instrument.ts) in a run under Node's WASI.
import type { CaseStack, DiagnosisDataByKind, SymbolizedFrame } from '../../types.ts';
import { probeIndirectCall } from '../../indirect-call/probe.ts';
import type { IndirectCallee } from '../../indirect-call/resolve.ts';
import type { Diagnostic } from '../types.ts';
import { isCompiledWasmFailure, remaining, sourcePath } from './common.ts';

/** The probe's own output is not the point: keep little of it. */
const PROBE_CAPTURE = { headBytes: 16 << 10, tailBytes: 64 << 10 };

export const indirectCall: Diagnostic<'indirect-call'> = {
  kind: 'indirect-call',
  scope: 'group',
  version: 1,
  appliesTo: (record) => isCompiledWasmFailure(record) && record.wasm?.trap?.kind === 'indirect call type mismatch',
  async run(ctx) {
    ctx.progress('running an instrumented copy under Node to read the table slot');
    const probe = await probeIndirectCall({
      wasmPath: ctx.record.compile!.wasmPath!,
      node: ctx.node,
      cwd: ctx.scratchDir,
      timeoutMs: remaining(ctx),
      capture: PROBE_CAPTURE,
      signal: ctx.signal,
    });
    if (!probe.ok) throw new Error(probe.reason);
    return indirectCallData(probe.callee, callerLocation(ctx.stack, probe.callee.caller.name));
  },
};

export function indirectCallData(c: IndirectCallee, location?: string): DiagnosisDataByKind['indirect-call'] {
  return {
    caller: c.caller.name ?? `func[${c.caller.funcIndex}]`,
    ...(location ? { callerLocation: location } : {}),
    expectedType: c.expected.signature,
    tableIndex: c.slot,
    ...(c.callee
      ? {
          callee: {
            funcIndex: c.callee.funcIndex,
            name: c.callee.name ?? `func[${c.callee.funcIndex}]`,
            type: c.callee.signature,
          },
        }
      : {}),
  };
}

/**
 * `Objects/descrobject.c:202` when the trap's top frame is the caller and has a DWARF location:
 * the path from the source tree on (CPython's builds name files `<builddir>/../../Objects/...`).
 */
export function callerLocation(stack: CaseStack | undefined, caller: string | undefined): string | undefined {
  const top = stack?.frames[0] as SymbolizedFrame | undefined;
  const loc = top?.locations?.[0]; // innermost: where the call is, inlined or not
  if (!loc?.file || loc.line === undefined || (caller && !top!.locations.some((l) => l.function === caller)))
    return undefined;
  return `${sourcePath(loc.file)}:${loc.line}`;
}
