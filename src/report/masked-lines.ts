// The cases compared with lines masked that CPython prints differently each run (a timing, a random
// number: compare/self-differences.ts). summary.md, index.html and the terminal list them, so an OK
// that rests on a mask is seen as one, with what CPython printed. Pure.

import { caseId, codeNameOf } from '../records.ts';
import type { CaseRecord, MaskedLine } from '../types.ts';
import { codeSpan, plural } from './markdown.ts';

export interface MaskedCase {
  case: string;
  target: string;
  /** The record's code name (OK, or DIFFERENT_RESULT when a line CPython prints the same differs too). */
  codeName: string;
  /** The masked lines the record lists (the first 20). */
  lines: MaskedLine[];
  /** How many lines were masked in all. */
  count: number;
}

/** Lines listed per case in the summaries. */
const LINES_SHOWN = 3;

export function maskedCases(records: readonly CaseRecord[]): MaskedCase[] {
  return records.flatMap((r) => {
    const rerun = r.comparison?.cpythonRerun;
    if (!rerun?.maskedCount) return [];
    const codeName = codeNameOf(r.code) ?? String(r.code);
    return [{ case: caseId(r), target: r.target.name, codeName, lines: rerun.masked, count: rerun.maskedCount }];
  });
}

/** The first lines of a masked case, each with what CPython's two runs printed, and how many more. */
export function maskedLineTexts(m: MaskedCase): {
  lines: Array<{ line: number; texts: [string, string] }>;
  more: number;
} {
  const shown = m.lines.slice(0, LINES_SHOWN);
  return { lines: shown.map((l) => ({ line: l.line, texts: l.cpython })), more: m.count - shown.length };
}

export const MASKED_TITLE = (n: number) =>
  `Lines masked: ${plural(n, 'case')} where CPython prints lines differently each run`;
export const MASKED_WHY =
  'CPython ran these cases a second time because the outputs differed; the lines it printed differently from itself were left out of the comparison (`comparison.cpythonRerun` in results.json).';

export function maskedMarkdown(masked: readonly MaskedCase[], perTarget: boolean): string[] {
  if (!masked.length) return [];
  const out = [`## ${MASKED_TITLE(masked.length)}`, '', MASKED_WHY, ''];
  for (const m of masked) {
    const { lines, more } = maskedLineTexts(m);
    const target = perTarget ? ` · ${codeSpan(m.target)}` : '';
    const texts = lines.map((l) => `line ${l.line}: ${codeSpan(l.texts[0])} then ${codeSpan(l.texts[1])}`);
    out.push(`- ${codeSpan(m.case)}${target} (${m.codeName}): ${texts.join('; ')}${more > 0 ? `; ${more} more` : ''}`);
  }
  out.push('');
  return out;
}

/** One line for the terminal, when any case was compared with lines masked. */
export function maskedTerminalLine(masked: readonly MaskedCase[]): string | undefined {
  if (!masked.length) return undefined;
  const ok = masked.filter((m) => m.codeName === 'OK').length;
  return `${plural(masked.length, 'case')} compared with lines masked that CPython prints differently each run (${ok} OK; listed in summary.md)`;
}
