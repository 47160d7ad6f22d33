import { describe, expect, it } from 'vitest';
import { MASK_PLACEHOLDER } from '../../src/compare/self-differences.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { renderTerminalSummary } from '../../src/report/terminal.ts';
import { CaseErrorCode, type CpythonRerun } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

const timing: CpythonRerun = {
  masked: [{ line: 2, cpython: ['counting: 0.4897', 'counting: 0.5120'] }],
  maskedCount: 1,
};
const records = [
  makeRecord({
    recipe: 'timings',
    example: 'counting',
    comparison: { equal: true, rulesFired: [], cpythonRerun: timing },
  }),
  makeRecord({
    recipe: 'timings',
    example: 'platform',
    code: CaseErrorCode.DIFFERENT_RESULT,
    comparison: {
      equal: false,
      rulesFired: [],
      diff: `--- cpython\n+++ wasm\n@@ -1,2 +1,2 @@\n ${MASK_PLACEHOLDER}\n-platform: linux\n+platform: wasi\n`,
      firstChange: { removed: 'platform: linux', added: 'platform: wasi' },
      cpythonRerun: {
        // what a case printed is shown, never obeyed or taken for markup
        masked: Array.from({ length: 5 }, (_, i) => ({ line: i + 1, cpython: [`<b>${i}\x1b[2J`, `${i}.5`] })),
        maskedCount: 25,
      },
    },
  }),
  makeRecord({
    recipe: 'timings',
    example: 'longer',
    code: CaseErrorCode.DIFFERENT_RESULT,
    comparison: {
      equal: false,
      rulesFired: [],
      diff: '--- cpython\n+++ wasm\n@@ -1 +1 @@\n-a\n+b\n',
      cpythonRerun: { masked: [], maskedCount: 0, unmasked: 'CPython printed 3 lines, then 4 lines when run again' },
    },
  }),
  makeRecord({ recipe: 'timings', example: 'hello' }),
];
const summary = buildSummary(makeResults(records));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('the cases compared with lines masked that CPython prints differently each run', () => {
  it('are the records whose comparison masked a line, OK or not', () => {
    expect(summary.masked.map((m) => [m.case, m.codeName, m.count])).toEqual([
      ['1/timings.counting', 'OK', 1],
      ['1/timings.platform', 'DIFFERENT_RESULT', 25],
    ]);
  });

  it('summary.md lists each with the first lines and what CPython printed on its two runs', () => {
    const md = renderSummaryMarkdown(summary);
    expect(md).toContain('## Lines masked: 2 cases where CPython prints lines differently each run');
    expect(md).toContain('- `1/timings.counting` (OK): line 2: `counting: 0.4897` then `counting: 0.5120`\n');
    expect(md).toContain(
      '- `1/timings.platform` (DIFFERENT_RESULT): line 1: `<b>0\\x1b[2J` then `0.5`; line 2: `<b>1\\x1b[2J` then `1.5`; line 3: `<b>2\\x1b[2J` then `2.5`; 22 more\n',
    );
    expect(md).not.toMatch(CONTROL);
  });

  it('the terminal counts them', () => {
    expect(renderTerminalSummary(summary, { color: false })).toContain(
      '2 cases compared with lines masked that CPython prints differently each run (1 OK; listed in summary.md)',
    );
    expect(renderTerminalSummary(buildSummary(makeResults(records.slice(2))), { color: false })).not.toContain(
      'masked',
    );
  });

  it('index.html lists them in its summary, and a failing case says what was masked, or why nothing was', () => {
    const html = renderHtmlReport(summary);
    expect(html).toContain('<h3>Lines masked: 2 cases where CPython prints lines differently each run</h3>');
    expect(html).toContain('line 2: <code>counting: 0.4897</code> then <code>counting: 0.5120</code>');
    expect(html).toContain('line 1: <code>&lt;b&gt;0\\x1b[2J</code>');
    expect(html).toContain('masked: lines 1, 2, 3, 4, 5, 20 more, which CPython prints differently each run');
    expect(html).toContain('CPython run again: CPython printed 3 lines, then 4 lines when run again');
    expect(html).not.toMatch(CONTROL);
  });
});
