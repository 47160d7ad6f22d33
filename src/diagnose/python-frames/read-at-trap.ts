// The case's wasm re-run under Node's WASI, which leaves a trapped instance's linear memory
// readable: the runner writes it to a file when the module ends, and the frames are read from it
// with the layout the module's DWARF gives. A run, no compile.
import fs from 'node:fs/promises';
import path from 'node:path';
import { runNodeWasiDumpingMemory } from '../../tools/runtimes/node-wasi.ts';
import type { WasmRunRequest } from '../../tools/runtimes/runtime.ts';
import type { RuntimeRun } from '../../types.ts';
import type { CPythonLayout } from './layout.ts';
import { readPythonFrames, type FrameInMemory } from './memory.ts';

export interface FramesAtTrapRequest extends WasmRunRequest {
  /** The node command (`tools.node`). */
  node: string[];
  layout: CPythonLayout;
}

export interface FramesAtTrap {
  frames: FrameInMemory[];
  /** The re-run: its trap and its C stack. */
  run: RuntimeRun;
}

/** Frames of the trap printed: enough to reach the Nuitka function under CPython's call layers. */
const STACK_FRAMES = 200;

export async function readFramesAtTrap(req: FramesAtTrapRequest): Promise<FramesAtTrap> {
  const { node, layout, ...run } = req;
  // beside the case's files, in its scratch folder, removed whatever happens
  const memoryFile = path.join(req.cwd, `.${path.basename(req.wasmFile, '.wasm')}.memory`);
  try {
    const result = await runNodeWasiDumpingMemory(node, memoryFile, STACK_FRAMES, run);
    if (!result.trap)
      throw new Error(
        `the re-run under node did not trap (${describe(result)}): its frames tell nothing of the failure`,
      );
    const memory = await fs.readFile(memoryFile).catch(() => undefined);
    if (!memory)
      throw new Error(
        `the re-run under node left no memory to read (${result.runtimeLines.at(-1) ?? describe(result)})`,
      );
    return { frames: readPythonFrames(memory, layout), run: result };
  } finally {
    await fs.rm(memoryFile, { force: true });
  }
}

function describe(run: RuntimeRun): string {
  if (run.timedOut) return `timed out after ${run.durationMs} ms`;
  return run.spawnError ?? `exit ${run.exitCode ?? run.signal}`;
}
