// The first change between CPython's and the wasm's output: the first removed and the first added
// line of the first run of changed lines. compare.ts takes it from the structured patch it builds
// (Comparison.firstChange); firstChangeInDiffText reads it from a diff's text for records that
// carry only the text (written before firstChange existed, or imported from pickles).

import type { StructuredPatchHunk } from 'diff';
import type { FirstChange } from '../types.ts';

/** From the lines of one patch's hunks (`' '`, `'-'`, `'+'`, `'\\'` prefixed). */
export function firstChangeOfHunks(hunks: readonly Pick<StructuredPatchHunk, 'lines'>[]): FirstChange | undefined {
  return firstChangeOfLines(hunks.flatMap((h, i) => (i === 0 ? h.lines : ['@@', ...h.lines])));
}

function firstChangeOfLines(lines: Iterable<string>): FirstChange | undefined {
  let removed: string | undefined;
  let added: string | undefined;
  let inRun = false;
  for (const line of lines) {
    if (line.startsWith('@@')) {
      if (inRun) break;
      continue;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    const change = line.startsWith('-') || line.startsWith('+');
    if (!change) {
      if (inRun) break;
      continue;
    }
    inRun = true;
    if (line.startsWith('-')) removed ??= line.slice(1);
    else added ??= line.slice(1);
  }
  return removed === undefined && added === undefined ? undefined : { removed, added };
}

/** From a unified diff's text: `---`/`+++` are file headers only before the first hunk. */
export function firstChangeInDiffText(diff: string): FirstChange | undefined {
  const lines = diff.split(/\r\n|\r|\n/);
  const firstHunk = lines.findIndex((l) => l.startsWith('@@'));
  const headers = firstHunk < 0 ? lines.length : firstHunk;
  return firstChangeOfLines(lines.filter((l, i) => i >= headers || !(l.startsWith('---') || l.startsWith('+++'))));
}

/** `-<old> / +<new>`; one side alone for a pure insertion or deletion. */
export function formatFirstChange(change: FirstChange | undefined): string | undefined {
  if (!change) return undefined;
  if (change.added === undefined) return `-${change.removed}`;
  if (change.removed === undefined) return `+${change.added}`;
  return `-${change.removed} / +${change.added}`;
}

/** The first differing line pair of a unified diff's text, formatted (formatFirstChange). */
export function firstDiffPair(diff: string): string | undefined {
  return formatFirstChange(firstChangeInDiffText(diff));
}
