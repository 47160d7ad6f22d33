import { parseIwasmOutput } from '../../parse/iwasm-output.ts';
import { runRuntimeCommand, toRuntimeRun, type WasmRunRequest, type WasmRuntime } from './runtime.ts';

export const IWASM_STACK_ARGS = ['--dir=.', '--stack-size=134217728'];

/**
 * WAMR's iwasm, as the old run called it. Runtime messages (`Exception: ...`, call-stack dumps of
 * debug builds, load errors) come on stdout after the program's output: the parser splits them off.
 */
export function iwasmRuntime(command: string[], mode: 'interp' | 'fast-interp' | 'aot' = 'fast-interp'): WasmRuntime {
  const commandFor = (req: WasmRunRequest) => [
    ...command,
    ...IWASM_STACK_ARGS,
    ...(req.mapDirs ?? []).map((m) => `--map-dir=${m.guest}::${m.host}`),
    ...Object.entries(req.env ?? {}).map(([k, v]) => `--env=${k}=${v}`),
    req.wasmFile,
    ...(req.args ?? []),
  ];
  return {
    name: 'iwasm',
    commandFor,
    async run(req) {
      const outcome = await runRuntimeCommand(commandFor(req), req);
      const parsed = parseIwasmOutput(outcome.stdout.text, { mode });
      const runtimeLines = parsed.loadError ? [...parsed.runtimeLines, parsed.loadError].filter((l, i, a) => a.indexOf(l) === i) : parsed.runtimeLines;
      return toRuntimeRun('iwasm', outcome, { ...parsed, runtimeLines, programStderr: outcome.stderr.text });
    },
  };
}
