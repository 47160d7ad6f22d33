import type { IwasmMode } from '../../config/choices.ts';
import type { ResolvedRuntimeTemplate } from '../../config/runtimes.ts';
import { templateRuntime } from './template.ts';
import type { WasmRuntime } from './runtime.ts';

/**
 * WAMR's iwasm, as the old run called it. Runtime messages (`Exception: ...`, call-stack dumps of
 * debug builds, load errors) come on stdout after the program's output: the iwasm parser splits
 * them off. The exit status is not needed to see a trap: iwasm before 1.0 exits 0 after one.
 */
export function iwasmTemplate(command: string[], mode: IwasmMode = 'fast-interp'): ResolvedRuntimeTemplate {
  return {
    command: [
      ...command,
      '--dir=.',
      '--stack-size={stackSize}',
      '--map-dir={guest}::{host}',
      '--env={env}',
      '{wasm}',
      '{args}',
    ],
    output: 'iwasm',
    mode,
    versionArgs: ['--version'],
  };
}

export function iwasmRuntime(command: string[], mode: IwasmMode = 'fast-interp', name = 'iwasm'): WasmRuntime {
  return templateRuntime(name, iwasmTemplate(command, mode));
}

/**
 * What `iwasm --version` said, as a version. iwasm before 1.0 has no --version: it prints its usage
 * text (`Usage: iwasm [-options] wasm_file [args...]`), which identifies it well enough.
 */
export function describeIwasmVersion(firstLine: string): string {
  return /^Usage: iwasm\b/.test(firstLine) ? 'iwasm (no --version: WAMR before 1.0)' : firstLine;
}
