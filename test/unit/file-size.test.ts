import { describe, expect, it } from 'vitest';
import { readSourceFiles } from '../helpers/source-files.ts';

/** One concern per file: a source file longer than this says at its top why it stays whole. */
const MAX_LINES = 300;
/** The reason line: `// size: <why>` among a file's first lines. */
const REASON = /^\/\/ size: \S.{10,}/;
const REASON_WITHIN = 5;

/** Files over MAX_LINES without a reason line, as `path (lines)`. */
function oversized(files: ReadonlyArray<{ name: string; text: string }>): string[] {
  return files.flatMap(({ name, text }) => {
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (lines.length <= MAX_LINES) return [];
    return lines.slice(0, REASON_WITHIN).some((l) => REASON.test(l)) ? [] : [`${name} (${lines.length} lines)`];
  });
}

describe('source file size', () => {
  it(`every src file over ${MAX_LINES} lines says at its top why it stays whole`, () => {
    const files = readSourceFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(oversized(files), `split these by concern, or put "// size: <why it stays whole>" in their first ${REASON_WITHIN} lines`).toEqual([]);
  });

  it('catches a long file without the reason line, and accepts one with it', () => {
    const long = Array.from({ length: MAX_LINES + 1 }, (_, i) => `export const x${i} = ${i};`).join('\n');
    expect(oversized([{ name: 'long.ts', text: `${long}\n` }])).toEqual([`long.ts (${MAX_LINES + 1} lines)`]);
    expect(oversized([{ name: 'long.ts', text: `// size: one table of every rule, read top to bottom\n${long}` }])).toEqual([]);
    expect(oversized([{ name: 'long.ts', text: `// size:\n${long}` }])).toHaveLength(1);
    expect(oversized([{ name: 'short.ts', text: long.split('\n').slice(1).join('\n') }])).toEqual([]);
  });
});
