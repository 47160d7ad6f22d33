// Lines CPython prints differently from one run to the next (a timing no rule knows, a random
// number): when a case's outputs differ, CPython runs the case once more, and the lines on which
// its two runs differ are masked on every side before the outputs are compared again, as Nuitka's
// test runner compares a compiled program with its cached CPython output. Line-aligned, on the
// normalized texts: when the runs (or the wasm and CPython) print different numbers of lines,
// nothing is masked and the record says why. Pure.

import { displayText } from '../records.ts';
import type { CpythonRerun, MaskedLine } from '../types.ts';

/** What a masked line reads on every side. */
export const MASK_PLACEHOLDER = '<line CPython prints differently each run>';

/** Lines listed in the record (the count says how many were masked in all). */
const MAX_LISTED = 20;
/** A listed line's text is cut beyond this many characters. */
const MAX_LINE_CHARS = 200;

export interface MaskedOutputs {
  expected: string;
  actual: string;
  rerun: CpythonRerun;
}

/**
 * Masks, in CPython's normalized output (`first`) and the wasm's (`actual`), the lines on which
 * CPython's second run (`second`, normalized) differs from its first.
 */
export function maskSelfDifferences(first: string, second: string, actual: string): MaskedOutputs {
  const a = first.split('\n');
  const b = second.split('\n');
  const unmasked = (why: string) => ({ expected: first, actual, rerun: { masked: [], maskedCount: 0, unmasked: why } });
  if (a.length !== b.length)
    return unmasked(`CPython printed ${lineCount(a)}, then ${lineCount(b)} when run again: its lines do not line up`);
  const lines = a.flatMap((line, i) => (line === b[i] ? [] : [i]));
  if (!lines.length) return { expected: first, actual, rerun: { masked: [], maskedCount: 0 } };
  const w = actual.split('\n');
  if (w.length !== a.length) {
    const where = lines.slice(0, 5).map((i) => i + 1);
    return unmasked(
      `CPython differs from itself on line${lines.length === 1 ? '' : 's'} ${where.join(', ')}${lines.length > where.length ? ', ...' : ''}, ` +
        `but the wasm printed ${lineCount(w)} where CPython printed ${lineCount(a)}: the lines do not line up`,
    );
  }
  const masked: MaskedLine[] = lines
    .slice(0, MAX_LISTED)
    .map((i) => ({ line: i + 1, cpython: [shown(a[i]!), shown(b[i]!)] }));
  return {
    expected: mask(a, lines),
    actual: mask(w, lines),
    rerun: { masked, maskedCount: lines.length },
  };
}

function mask(lines: string[], indices: number[]): string {
  const out = [...lines];
  for (const i of indices) out[i] = MASK_PLACEHOLDER;
  return out.join('\n');
}

/** Lines of a split text, not counting the empty piece after a final newline. */
function lineCount(lines: string[]): string {
  const n = lines.at(-1) === '' ? lines.length - 1 : lines.length;
  return `${n} line${n === 1 ? '' : 's'}`;
}

function shown(line: string): string {
  const text = displayText(line);
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}
