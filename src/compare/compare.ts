import { FILE_HEADERS_ONLY, formatPatch, structuredPatch } from 'diff';
import type { Comparison, FirstChange } from '../types.ts';
import { diffDisplay } from './diff-display.ts';
import { firstChangeOfHunks } from './first-change.ts';
import { normalize, type NormalizationRule, type NormalizeContext } from '../normalize/normalize.ts';
import { maskSelfDifferences } from './self-differences.ts';

export interface DiffLimits {
  /** Unchanged lines around each change. */
  context: number;
  /** The diff is cut (at a line end) beyond this many characters... */
  maxChars: number;
  /** ...or this many lines. */
  maxLines: number;
  /** Longer lines are shortened inside the diff. */
  maxLineChars: number;
  /** Give up computing an exact diff after this long / this many edits; a first-difference summary is shown instead. */
  timeoutMs: number;
  maxEditLength: number;
}

const DEFAULT_DIFF_LIMITS: Readonly<DiffLimits> = Object.freeze({
  context: 3,
  maxChars: 16_000,
  maxLines: 200,
  maxLineChars: 400,
  timeoutMs: 1_000,
  maxEditLength: 4_000,
});

export const DIFF_LABELS = { expected: 'cpython', actual: 'wasm' } as const;

/**
 * Normalizes both outputs with the same rules and compares them. `rulesFired` lists (in rule order)
 * the rules that changed either side; `diff` is a unified diff of the normalized texts, labelled
 * `cpython` / `wasm`, present only when they differ and capped by `limits`. With `expectedAgain`
 * (CPython's output of a second run), differing outputs are compared again with the lines on which
 * CPython differs from itself masked (`cpythonRerun` says which).
 */
export function compareOutputs(
  expected: string,
  actual: string,
  rules: readonly NormalizationRule[],
  ctx: NormalizeContext,
  limits: Partial<DiffLimits> = {},
  expectedAgain?: string,
): Comparison {
  const a = normalize(expected, rules, ctx);
  const b = normalize(actual, rules, ctx);
  const firedA = new Set(a.fired);
  const firedB = new Set(b.fired);
  const rulesFired = rules.map((r) => r.name).filter((n) => firedA.has(n) || firedB.has(n));
  if (a.text === b.text) return { equal: true, rulesFired };
  if (expectedAgain === undefined) return differing(a.text, b.text, rulesFired, limits);
  const masked = maskSelfDifferences(a.text, normalize(expectedAgain, rules, ctx).text, b.text);
  const rerun = { cpythonRerun: masked.rerun };
  if (masked.expected === masked.actual) return { equal: true, rulesFired, ...rerun };
  return { ...differing(masked.expected, masked.actual, rulesFired, limits), ...rerun };
}

/** The comparison of two normalized texts that differ: their diff and where they first differ. */
function differing(expected: string, actual: string, rulesFired: string[], limits: Partial<DiffLimits>): Comparison {
  const { diff, firstChange } = unifiedDiff(expected, actual, { ...DEFAULT_DIFF_LIMITS, ...limits });
  // compared exactly, shown as people read it: undecodable bytes as `\xNN` (told from a program's `\xNN` text)
  const { show, note } = diffDisplay(expected, actual);
  const shown: FirstChange | undefined = firstChange && {
    ...(firstChange.removed !== undefined ? { removed: show(firstChange.removed) } : {}),
    ...(firstChange.added !== undefined ? { added: show(firstChange.added) } : {}),
  };
  const text = note ? `${show(diff)}${note}\n` : show(diff);
  return { equal: false, rulesFired, diff: text, ...(shown ? { firstChange: shown } : {}) };
}

/** Unified diff `cpython` -> `wasm`, bounded in time and size, and where the outputs first differ. */
function unifiedDiff(
  expected: string,
  actual: string,
  limits: DiffLimits = DEFAULT_DIFF_LIMITS,
): { diff: string; firstChange?: FirstChange } {
  const patch = structuredPatch(DIFF_LABELS.expected, DIFF_LABELS.actual, expected, actual, undefined, undefined, {
    context: limits.context,
    timeout: limits.timeoutMs,
    maxEditLength: limits.maxEditLength,
  });
  if (patch)
    return { diff: cap(formatPatch(patch, FILE_HEADERS_ONLY), limits), firstChange: firstChangeOfHunks(patch.hunks) };
  return {
    diff: cap(firstDifference(expected, actual, limits), limits),
    firstChange: firstDifferingLines(expected, actual),
  };
}

/** The first line pair that differs, found without a diff (when the exact one is too costly). */
function firstDifferingLines(expected: string, actual: string): FirstChange | undefined {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i >= a.length && i >= b.length) return undefined;
  return { removed: a[i], added: b[i] };
}

/** When the exact diff is too costly: where the outputs part, then a stretch of each side. */
function firstDifference(expected: string, actual: string, limits: DiffLimits): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - limits.context);
  const stretch = Math.max(limits.context + 1, Math.floor((limits.maxLines - limits.context - 4) / 2));
  const removed = a.slice(i, i + stretch);
  const added = b.slice(i, i + stretch);
  const out = [
    `--- ${DIFF_LABELS.expected}`,
    `+++ ${DIFF_LABELS.actual}`,
    `(outputs differ too much for an exact diff: ${a.length} vs ${b.length} lines; first difference at line ${i + 1}; ` +
      `showing up to ${stretch} lines of each side from there)`,
    `@@ -${from + 1},${i - from + removed.length} +${from + 1},${i - from + added.length} @@`,
  ];
  for (let k = from; k < i; k++) out.push(` ${a[k]}`);
  for (const line of removed) out.push(`-${line}`);
  for (const line of added) out.push(`+${line}`);
  return `${out.join('\n')}\n`;
}

function cap(diff: string, limits: DiffLimits): string {
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: string[] = [];
  let chars = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.length > limits.maxLineChars) {
      line = `${line.slice(0, limits.maxLineChars)}… [${line.length - limits.maxLineChars} more characters]`;
    }
    if (out.length >= limits.maxLines || chars + line.length + 1 > limits.maxChars) {
      out.push(`… diff truncated: ${lines.length - i} more lines`);
      break;
    }
    out.push(line);
    chars += line.length + 1;
  }
  return `${out.join('\n')}\n`;
}
