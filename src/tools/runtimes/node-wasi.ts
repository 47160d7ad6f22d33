import path from 'node:path';
import { RUNNERS_DIR } from '../../config/options.ts';
import type { ResolvedRuntimeTemplate } from '../../config/runtimes.ts';
import type { RuntimeRun } from '../../types.ts';
import type { WasmRunRequest, WasmRuntime } from './runtime.ts';
import { templateRuntime } from './template.ts';

export const NODE_WASI_RUNNER = path.join(RUNNERS_DIR, 'wasi-run.mjs');

function nodeTemplate(node: string[], runnerOptions: string[] = []): ResolvedRuntimeTemplate {
  return {
    command: [
      ...node,
      '--no-warnings',
      NODE_WASI_RUNNER,
      ...runnerOptions,
      '--preopen',
      '.=.',
      ['--preopen', '{guest}={host}'],
      ['--env', '{env}'],
      '--',
      '{wasm}',
      '{args}',
    ],
    output: 'node',
    // node's own options must not leak into the runner
    processEnv: { NODE_OPTIONS: null },
    versionArgs: ['--version'],
  };
}

/** Node's built-in WASI in a child process: always available, so every machine has a real runtime. */
export function nodeWasiRuntime(node: string[]): WasmRuntime {
  return templateRuntime('node', nodeTemplate(node));
}

/**
 * A run under Node's WASI that prints the values of some exported globals when the module ends
 * (`wasi-run globals: {...}` on stderr): how an instrumented module reports what it recorded.
 */
export function runNodeWasiReportingGlobals(
  node: string[],
  globals: string[],
  req: WasmRunRequest,
): Promise<RuntimeRun> {
  return templateRuntime('node', nodeTemplate(node, ['--report-globals', globals.join(',')])).run(req);
}

/**
 * A run under Node's WASI that writes the module's linear memory to `memoryFile` when it ends (a
 * trap leaves it as the program had it) and prints up to `stackFrames` frames of the trap.
 */
export function runNodeWasiDumpingMemory(
  node: string[],
  memoryFile: string,
  stackFrames: number,
  req: WasmRunRequest,
): Promise<RuntimeRun> {
  const options = ['--dump-memory', memoryFile, '--stack-trace-limit', String(stackFrames)];
  return templateRuntime('node', nodeTemplate(node, options)).run(req);
}
