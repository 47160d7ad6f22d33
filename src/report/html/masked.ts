// index.html's list of the cases compared with lines masked that CPython prints differently each
// run (report/masked-lines.ts), and a failing case's note of it.

import type { CpythonRerun } from '../../types.ts';
import { MASKED_TITLE, MASKED_WHY, maskedLineTexts, type MaskedCase } from '../masked-lines.ts';
import { esc } from './escape.ts';

export function maskedBlock(masked: readonly MaskedCase[]): string {
  if (!masked.length) return '';
  const items = masked.map((m) => {
    const { lines, more } = maskedLineTexts(m);
    const texts = lines.map(
      (l) => `line ${l.line}: <code>${esc(l.texts[0])}</code> then <code>${esc(l.texts[1])}</code>`,
    );
    return `<li><code>${esc(m.case)}</code> <span class="tgt">${esc(m.target)}</span> (${esc(m.codeName)}): ${texts.join('; ')}${more > 0 ? `; ${more} more` : ''}</li>`;
  });
  return `<h3>${esc(MASKED_TITLE(masked.length))}</h3><p class="muted">${esc(MASKED_WHY)}</p><ul>${items.join('')}</ul>`;
}

/** What CPython's second run masked in a case's comparison, or why it masked nothing. */
export function rerunNote(rerun: CpythonRerun | undefined): string {
  if (!rerun) return '';
  if (rerun.unmasked) return `<p class="muted">CPython run again: ${esc(rerun.unmasked)}</p>`;
  if (!rerun.maskedCount) return '<p class="muted">CPython run again: it printed the same</p>';
  const lines = rerun.masked.map((m) => m.line).join(', ');
  const more = rerun.maskedCount > rerun.masked.length ? `, ${rerun.maskedCount - rerun.masked.length} more` : '';
  return `<p class="muted">masked: line${rerun.maskedCount === 1 ? '' : 's'} ${esc(lines + more)}, which CPython prints differently each run</p>`;
}
