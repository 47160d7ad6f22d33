// The table slot of a failing indirect call exists only while the program runs: run an instrumented
// copy of the module under Node's WASI, which prints the probe globals when the module ends.
import fs from 'node:fs/promises';
import path from 'node:path';
import { runNodeWasiReportingGlobals } from '../tools/runtimes/node-wasi.ts';
import type { WasmRunRequest } from '../tools/runtimes/runtime.ts';
import type { RuntimeRun } from '../types.ts';
import { instrumentIndirectCalls } from './instrument.ts';
import { readModuleTables, resolveIndirectCall, type IndirectCallee } from './resolve.ts';

export interface IndirectCallProbeRequest extends Omit<WasmRunRequest, 'wasmFile'> {
  /** The module that trapped. */
  wasmPath: string;
  /** The node command (`tools.node`): its WASI is the runtime that reports the probe globals. */
  node: string[];
}

export type IndirectCallProbe =
  { ok: true; callee: IndirectCallee; run: RuntimeRun } | { ok: false; reason: string; run?: RuntimeRun };

const GLOBALS_LINE = /^wasi-run globals: (\{.*\})$/m;
/** Trap kinds an indirect call raises (V8 says `null function or function signature mismatch` for both of the first). */
const CALL_TRAPS = new Set(['indirect call type mismatch', 'undefined element', 'table index out of bounds']);

export async function probeIndirectCall(req: IndirectCallProbeRequest): Promise<IndirectCallProbe> {
  const original = await fs.readFile(req.wasmPath);
  const instrumented = instrumentIndirectCalls(original);
  // beside the case's files, in its scratch folder: the run sees the same `.`
  const probeFile = `.${path.basename(req.wasmPath, '.wasm')}.call-probe.wasm`;
  const probePath = path.join(req.cwd, probeFile);
  await fs.writeFile(probePath, instrumented.bytes);
  let run: RuntimeRun;
  try {
    const { node, wasmPath: _, ...request } = req;
    run = await runNodeWasiReportingGlobals(node, [instrumented.slotGlobal, instrumented.siteGlobal], {
      ...request,
      wasmFile: probeFile,
    });
  } finally {
    await fs.rm(probePath, { force: true });
  }
  const line = GLOBALS_LINE.exec(run.stderr.text);
  if (!line) return { ok: false, reason: `the instrumented run reported no probe values (${describe(run)})`, run };
  if (!run.trap || !CALL_TRAPS.has(run.trap.kind))
    return { ok: false, reason: `the instrumented run did not trap on an indirect call (${describe(run)})`, run };
  const values = JSON.parse(line[1]!) as Record<string, number | null>;
  const site = instrumented.sites[values[instrumented.siteGlobal] ?? -1];
  const slot = values[instrumented.slotGlobal];
  if (!site || typeof slot !== 'number')
    return { ok: false, reason: 'the instrumented run trapped before any indirect call', run };
  // a slot is an unsigned table index
  return { ok: true, callee: resolveIndirectCall(readModuleTables(original), site, slot >>> 0), run };
}

function describe(run: RuntimeRun): string {
  if (run.timedOut) return `timed out after ${run.durationMs} ms`;
  if (run.spawnError) return run.spawnError;
  return run.trap ? run.trap.message : `exit ${run.exitCode ?? run.signal}`;
}
