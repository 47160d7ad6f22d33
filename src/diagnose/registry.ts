import { debugBuild } from './diagnostics/debug-build.ts';
import { indirectCall } from './diagnostics/indirect-call.ts';
import { pythonFrames } from './diagnostics/python-frames.ts';
import { pythonLine } from './diagnostics/python-line.ts';
import { stackOverflow } from './diagnostics/stack-overflow.ts';
import { tracebackSource } from './diagnostics/traceback-source.ts';
import { unbufferedOutput } from './diagnostics/unbuffered-output.ts';
import type { AnyDiagnostic } from './types.ts';

/**
 * Every diagnostic, in the order their results are shown. Adding one: a file in diagnostics/
 * exporting a `Diagnostic` (see types.ts), listed here.
 */
export const DIAGNOSTICS: AnyDiagnostic[] = [
  pythonFrames,
  pythonLine,
  indirectCall,
  debugBuild,
  stackOverflow,
  unbufferedOutput,
  tracebackSource,
];
