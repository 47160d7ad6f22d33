import path from 'node:path';
import { RUNNERS_DIR } from '../../config/options.ts';
import { templateRuntime } from './template.ts';
import type { WasmRuntime } from './runtime.ts';

export const NODE_WASI_RUNNER = path.join(RUNNERS_DIR, 'wasi-run.mjs');

/** Node's built-in WASI in a child process: always available, so every machine has a real runtime. */
export function nodeWasiRuntime(node: string[]): WasmRuntime {
  return templateRuntime('node', {
    command: [...node, '--no-warnings', NODE_WASI_RUNNER, '--preopen', '.=.', ['--preopen', '{guest}={host}'], ['--env', '{env}'], '--', '{wasm}', '{args}'],
    output: 'node',
    // node's own options must not leak into the runner
    processEnv: { NODE_OPTIONS: null },
    versionArgs: ['--version'],
  });
}
