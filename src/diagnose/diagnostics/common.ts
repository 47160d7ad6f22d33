// What the diagnostics of a compiled case's wasm failure share.
import { CaseErrorCode, type CaseRecord } from '../../types.ts';
import type { DiagnosticContext } from '../types.ts';

/** What is left of the diagnose budget, for a run that should end where the plain one failed. */
export function remaining(ctx: DiagnosticContext): number {
  return Math.max(1_000, ctx.deadline - Date.now());
}

export function isCompiledWasmFailure(record: CaseRecord): boolean {
  return (
    record.code === CaseErrorCode.WASM_EXECUTION_FAILURE &&
    record.compile?.wasmPath !== undefined &&
    record.wasm !== undefined
  );
}

/** The module a recipe's file is: the script itself is `__main__`, `lib/shapes.py` is `lib.shapes`. */
export function moduleOfFile(file: string, scriptName: string): string {
  return file === scriptName
    ? '__main__'
    : file
        .replace(/\.py$/, '')
        .replace(/\/__init__$/, '')
        .replaceAll('/', '.');
}

/** A DWARF file name from the source tree on (CPython's builds name files `<builddir>/../../Objects/...`, wasi-libc's `././libc-top-half/...`). */
export function sourcePath(file: string): string {
  return (file.includes('../') ? file.slice(file.lastIndexOf('../') + 3) : file).replace(/^(\.\/)+/, '');
}
