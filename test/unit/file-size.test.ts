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
    expect(
      oversized(files),
      `split these by concern, or put "// size: <why it stays whole>" in their first ${REASON_WITHIN} lines`,
    ).toEqual([]);
  });

  it('catches a long file without the reason line, and accepts one with it', () => {
    const long = Array.from({ length: MAX_LINES + 1 }, (_, i) => `export const x${i} = ${i};`).join('\n');
    expect(oversized([{ name: 'long.ts', text: `${long}\n` }])).toEqual([`long.ts (${MAX_LINES + 1} lines)`]);
    expect(
      oversized([{ name: 'long.ts', text: `// size: one table of every rule, read top to bottom\n${long}` }]),
    ).toEqual([]);
    expect(oversized([{ name: 'long.ts', text: `// size:\n${long}` }])).toHaveLength(1);
    expect(oversized([{ name: 'short.ts', text: long.split('\n').slice(1).join('\n') }])).toEqual([]);
  });
});

/** One concern per folder: past this many files a folder of src/ holds several, and is split. */
const MAX_FOLDER_FILES = 30;

/** Folders of src/ (top level, subfolders counted in) holding more than MAX_FOLDER_FILES source files. */
function crowdedFolders(names: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const name of names) {
    const parts = name.split('/');
    if (parts.length < 2) continue; // a top-level file is a folder of its own
    counts.set(parts[0]!, (counts.get(parts[0]!) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > MAX_FOLDER_FILES).map(([folder, n]) => `${folder}/ (${n} files)`);
}

describe('source folder size', () => {
  it(`no folder of src/ holds more than ${MAX_FOLDER_FILES} source files`, () => {
    const files = readSourceFiles();
    expect(
      crowdedFolders(files.map((f) => f.name)),
      'split the folder by concern and place the new ones in test/unit/layers.test.ts',
    ).toEqual([]);
  });

  it('counts subfolders into their top folder', () => {
    const many = Array.from({ length: MAX_FOLDER_FILES + 1 }, (_, i) => `tools/${i % 2 ? 'runtimes/' : ''}f${i}.ts`);
    expect(crowdedFolders([...many, 'types.ts'])).toEqual([`tools/ (${MAX_FOLDER_FILES + 1} files)`]);
    expect(crowdedFolders(many.slice(1))).toEqual([]);
  });
});
