import type { CaptureLimits, ProcessOutcome, StreamDigester } from '../types.ts';
import { runProcess } from '../process/run.ts';

export interface PythonRunRequest {
  python: string[];
  /** Script file name inside cwd. */
  script: string;
  cwd: string;
  timeoutMs: number;
  capture?: CaptureLimits;
  /** Makes what sums up the whole stdout while it is captured (see RunProcessOptions.stdoutDigest). */
  stdoutDigest?: () => StreamDigester;
  signal?: AbortSignal;
  /** The whole environment of the process (default: the host's). */
  env?: Record<string, string>;
}

/**
 * CPython on a script, stdin closed. Unbuffered mode is switched off so a piped stdout buffers
 * as it does by default, like the wasm side (which sees no host environment); bytecode is not
 * written into the scratch copy.
 */
export function runPython(req: PythonRunRequest): Promise<ProcessOutcome> {
  return runProcess([...req.python, req.script], {
    cwd: req.cwd,
    timeoutMs: req.timeoutMs,
    ...(req.env
      ? { env: { ...req.env, PYTHONDONTWRITEBYTECODE: '1' }, extendEnv: false }
      : { env: { PYTHONUNBUFFERED: undefined, PYTHONDONTWRITEBYTECODE: '1' } }),
    capture: req.capture,
    ...(req.stdoutDigest ? { stdoutDigest: req.stdoutDigest() } : {}),
    signal: req.signal,
  });
}
