import { describe, expect, it } from 'vitest';
import { readSourceFiles } from '../helpers/source-files.ts';

/**
 * In-house words that say nothing to a reader who was not there: say what is meant instead. A word,
 * or a camelCase/SNAKE part of a name (`seedOrder`, `NOTEBOOK_CASES`); not part of another word (`PYTHONHASHSEED`).
 */
const JARGON = /(?<![A-Za-z])([Ss]eed|SEED|[Nn]otebook|NOTEBOOK)(s|S)?(?![a-z])/;
/** Where a user is told which files to bring (the old analysis notebook's result pickles), and a PRNG's seed. */
const ALLOWED = /analysis notebook's chapter_N_result\.pkl|random seed/i;

function jargonLines(files: ReadonlyArray<{ name: string; text: string }>): string[] {
  return files.flatMap(({ name, text }) =>
    text
      .split('\n')
      .flatMap((line, i) => (JARGON.test(line) && !ALLOWED.test(line) ? [`${name}:${i + 1}: ${line.trim()}`] : [])),
  );
}

describe('wording in src/', () => {
  it('no comment or identifier says "seed" or "notebook"', () => {
    const files = readSourceFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(
      jargonLines(files),
      'say what is meant: "the old manual failure analysis", "CaseErrorCode order", ...',
    ).toEqual([]);
  });

  it('catches the words in comments and names, not inside other words', () => {
    const hits = jargonLines([
      {
        name: 'a.ts',
        text: '// codes in seed order\nconst notebookCases = 1;\nconst PYTHONHASHSEED = 0;\n"the old analysis notebook\'s chapter_N_result.pkl files"',
      },
    ]);
    expect(hits).toEqual(['a.ts:1: // codes in seed order', 'a.ts:2: const notebookCases = 1;']);
  });
});
