// The comparison of two captured outputs, whole even when they were too long to keep: the kept texts
// (head and tail) are diffed for display, and the whole normalized streams are compared by the
// digests made while they were captured (stream-digest.ts). A verdict of OK needs the whole
// outputs compared: with no usable digest for a side, the comparison is never equal.

import { exactText } from '../records.ts';
import type { CapturedText, Comparison, PartialComparison } from '../types.ts';
import { compareOutputs } from './compare.ts';
import type { NormalizationRule, NormalizeContext } from '../normalize/normalize.ts';
import { firstDifferingLines } from './segment-digests.ts';
import { digestText, normalizationKey } from './stream-digest.ts';

/**
 * `expectedAgain`, CPython's output of a second run (given for outputs kept whole), masks the lines
 * CPython prints differently each run (compareOutputs).
 */
export function compareCaptured(
  expected: CapturedText,
  actual: CapturedText,
  rules: readonly NormalizationRule[],
  ctx: NormalizeContext,
  expectedAgain?: string,
): Comparison {
  const kept = compareOutputs(exactText(expected), exactText(actual), rules, ctx, {}, expectedAgain);
  if (!expected.truncated && !actual.truncated) return { ...kept, shown: 'whole' };
  const key = normalizationKey(rules, ctx);
  const whole = (c: CapturedText) =>
    c.truncated ? (c.whole?.normalizedBy === key ? c.whole : undefined) : digestText(exactText(c), rules, ctx);
  const [a, b] = [whole(expected), whole(actual)];
  const sizes = { cpython: shownBytes(expected), wasm: shownBytes(actual) };
  if (!a || !b) {
    const partial: PartialComparison = { compared: 'head+tail', ...sizes };
    const why = [unusable(expected, key, 'cpython'), unusable(actual, key, 'wasm')].filter(Boolean).join(', ');
    return { ...kept, equal: false, shown: 'head+tail', partial, diff: withNote(partialNote(partial, why), kept.diff) };
  }
  const rulesFired = rules.map((r) => r.name).filter((n) => [kept, a, b].some((s) => s.rulesFired.includes(n)));
  if (a.sha256 === b.sha256)
    return { equal: true, rulesFired, shown: 'head+tail', partial: { compared: 'whole', ...sizes } };
  const firstDifference = firstDifferingLines(a, b);
  const partial: PartialComparison = { compared: 'whole', ...sizes, ...(firstDifference ? { firstDifference } : {}) };
  return {
    ...kept,
    equal: false,
    rulesFired,
    shown: 'head+tail',
    partial,
    diff: withNote(partialNote(partial), kept.diff),
  };
}

function shownBytes(c: CapturedText): PartialComparison['cpython'] {
  return { bytes: c.bytes, shownBytes: c.bytes - c.omittedBytes };
}

/** The line a partial comparison's diff starts with: how the outputs were compared, what the diff shows of each. */
export function partialNote(p: PartialComparison, why = ''): string {
  const compared =
    p.compared === 'whole'
      ? `the whole outputs were compared by digest${p.firstDifference ? ` and first differ at normalized ${lineRange(p.firstDifference)}` : ''}`
      : `only their kept head and tail were compared${why ? ` (${why})` : ''}, so they are not called equal`;
  const side = (name: string, s: PartialComparison['cpython']) =>
    s.shownBytes < s.bytes ? `${name} ${s.shownBytes} of ${s.bytes} bytes` : `${name} whole (${s.bytes} bytes)`;
  return `(outputs too long to keep whole: ${compared}; this diff shows only the kept head and tail: ${side('cpython', p.cpython)}, ${side('wasm', p.wasm)})`;
}

/** `line 7` or `lines 7-12`. */
export function lineRange(d: NonNullable<PartialComparison['firstDifference']>): string {
  return d.fromLine === d.toLine ? `line ${d.fromLine}` : `lines ${d.fromLine}-${d.toLine}`;
}

/** Whether a captured output (a cached one) can be compared whole under the rules `normalizedBy` names. */
export function comparableWhole(c: CapturedText, normalizedBy: string): boolean {
  return !c.truncated || c.whole?.normalizedBy === normalizedBy;
}

function unusable(c: CapturedText, key: string, side: string): string {
  if (!c.truncated || c.whole?.normalizedBy === key) return '';
  return c.whole ? `${side} was digested under other normalization rules` : `${side} has no digest of its whole output`;
}

function withNote(note: string, diff: string | undefined): string {
  return diff ? `${note}\n${diff}` : `${note}\n`;
}
