import type { Trap } from '../types.ts';
import { trapKindOf } from './traps.ts';

export interface GenericParseResult {
  runtimeLines: string[];
  trap?: Trap;
}

/**
 * A runtime whose output format is unknown: the exit status decides, and the last stderr line is
 * what it said about it (a trap when its text names one). The program's streams stay whole.
 */
export function parseGenericOutput(stderr: string, exitCode: number | null): GenericParseResult {
  if (exitCode === 0) return { runtimeLines: [] };
  const last = stderr.trimEnd().split('\n').at(-1)?.trim() ?? '';
  if (!last) return { runtimeLines: [] };
  const kind = trapKindIn(last);
  return { runtimeLines: [last], ...(kind !== 'other' ? { trap: { kind, message: last } } : {}) };
}

/** The trap named anywhere after a `prefix: ` of the line (`error: RuntimeError: unreachable`, `[error] execution failed: ...`). */
function trapKindIn(line: string): Trap['kind'] {
  const text = line.replace(/,\s*code:\s*\S+$/i, '');
  for (let at = 0; at >= 0; at = text.indexOf(': ', at + 1)) {
    const kind = trapKindOf(text.slice(at ? at + 2 : 0));
    if (kind !== 'other') return kind;
  }
  return 'other';
}
