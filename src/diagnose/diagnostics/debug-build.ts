// Nuitka's assertions: the case compiled again with `--debug` (appended as a `# nuitka-project:`
// line) and run under the same runtime. Silent corruption in the plain build often becomes an
// `Assertion failed:` line there; when the debug build fails differently, that is the lead.
import { classifyWasm } from '../../classify/classify.ts';
import { codeName } from '../../records.ts';
import { CaseErrorCode, type DiagnosisDataByKind } from '../../types.ts';
import { failureLine } from '../failure-line.ts';
import type { Diagnostic } from '../types.ts';
import { isCompiledWasmFailure, remaining } from './common.ts';

export const debugBuild: Diagnostic<'debug-build'> = {
  kind: 'debug-build',
  scope: 'group',
  version: 2,
  appliesTo: (record) => isCompiledWasmFailure(record),
  async run(ctx) {
    ctx.progress('compiling with --debug');
    const compile = await ctx.compile({ projectOptions: ['--debug'] });
    if (!compile.wasmPath)
      throw new Error(
        `the --debug compile failed (exit ${compile.exitCode ?? 'none'}): ${compile.logTail.split('\n').at(-1) ?? ''}`,
      );
    ctx.progress('running the --debug build');
    const run = await ctx.runWasm({ wasmPath: compile.wasmPath, timeoutMs: remaining(ctx) });
    const plain = failureLine(ctx.record.wasm!);
    const debug = failureLine(run);
    // exit 0 is OK here: the debug build's output is not compared with CPython's
    const code = classifyWasm(run)?.code ?? CaseErrorCode.OK;
    return {
      differs: debug.line !== plain.line,
      failure: debug.line,
      ...(debug.kind === 'assertion' ? { assertion: debug.line } : {}),
      codeName: codeName(code),
      exitCode: run.exitCode,
    } satisfies DiagnosisDataByKind['debug-build'];
  },
};
