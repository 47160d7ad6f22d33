import { storedTarget } from '../records/target.ts';
import { RECORD_SCHEMA_VERSION, type CaseRecord, type HarnessError, type TargetSpec } from '../types.ts';

export interface HarnessErrorCase {
  chapter: string;
  recipe: string;
  example: string;
  name: string;
  scriptPath?: string;
}

/**
 * One record per target for a case the harness could not run: no code (the eight codes say what a
 * case did, and this one did nothing), the reason in `msg` and `harnessError`.
 */
export function harnessErrorRecords(
  kase: HarnessErrorCase,
  targets: readonly TargetSpec[],
  error: HarnessError,
  tools: Record<string, string> = {},
): CaseRecord[] {
  return targets.map((t) => ({
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter: kase.chapter,
    recipe: kase.recipe,
    example: kase.example,
    case: kase.name,
    target: storedTarget(t),
    code: null,
    codeName: null,
    msg: error.message,
    harnessError: error,
    ...(kase.scriptPath ? { scriptPath: kase.scriptPath } : {}),
    durations: { totalMs: 0 },
    tools,
  }));
}

/** An unexpected error as one message: its name, its message, the first frames of its stack. */
export function describeHarnessError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 3);
  const code = (error as NodeJS.ErrnoException).code;
  return [`${error.name}${code ? ` (${code})` : ''}: ${error.message}`, ...frames.map((f) => f.trim())].join('\n');
}
