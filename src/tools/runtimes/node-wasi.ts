import path from 'node:path';
import { RUNNERS_DIR } from '../../config/options.ts';
import { parseNodeWasiOutput } from '../../parse/node-output.ts';
import { runRuntimeCommand, toRuntimeRun, type WasmRunRequest, type WasmRuntime } from './runtime.ts';

export const NODE_WASI_RUNNER = path.join(RUNNERS_DIR, 'wasi-run.mjs');

/** Node's built-in WASI in a child process: always available, so every machine has a real runtime. */
export function nodeWasiRuntime(node: string[]): WasmRuntime {
  const commandFor = (req: WasmRunRequest) => [
    ...node,
    '--no-warnings',
    NODE_WASI_RUNNER,
    '--preopen',
    '.=.',
    ...(req.mapDirs ?? []).flatMap((m) => ['--preopen', `${m.guest}=${m.host}`]),
    ...Object.entries(req.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    '--',
    req.wasmFile,
    ...(req.args ?? []),
  ];
  return {
    name: 'node',
    commandFor,
    async run(req) {
      // node's own options must not leak into the runner
      const outcome = await runRuntimeCommand(commandFor(req), req, { NODE_OPTIONS: undefined });
      const parsed = parseNodeWasiOutput(outcome.stderr.text);
      return toRuntimeRun('node', outcome, { ...parsed, programStdout: outcome.stdout.text });
    },
  };
}
