import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/history/compare-runs.ts';
import { renderFixesMarkdown } from '../../src/report/fixes-markdown.ts';
import { renderComparisonMarkdown, renderComparisonTable } from '../../src/history/render-comparison.ts';
import { escapeControls } from '../../src/records.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { esc } from '../../src/report/html/escape.ts';
import { startPhase } from '../../src/report/phase-progress.ts';
import { formatProgressLine } from '../../src/report/progress.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { renderTerminalSummary } from '../../src/report/terminal.ts';
import { CaseFailure } from '../../src/vitest/chapter.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

// A case printing "set the window title, clear the screen, put text on the clipboard" (OSC 0,
// CSI 2J, OSC 52): wherever the harness prints what the case printed, it shows the sequences.
const HOSTILE = '\x1b]0;TITLE\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07hi\r\x9b31m\u202e';
const SHOWN = '\\x1b]0;TITLE\\x07\\x1b[2J\\x1b]52;c;cHduZWQ=\\x07hi\\r\\x9b31m\\u202e';
/** Any control character but tab and newline. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const hostileRecord = makeRecord({
  recipe: 'title\x1b[2J',
  code: CaseErrorCode.DIFFERENT_RESULT,
  msg: `--- cpython\n+++ wasm\n-${HOSTILE}\n+nope`,
  comparison: { equal: false, rulesFired: [], diff: `--- cpython\n+++ wasm\n-${HOSTILE}\n+nope` },
  wasm: { stdout: 'nope\n' },
  python: { stdout: `${HOSTILE}\n` },
});

describe('control sequences in case text are shown escaped wherever it is printed', () => {
  it('escapes every control character but tab and newline, as Python repr spells them', () => {
    expect(escapeControls(HOSTILE)).toBe(SHOWN);
    expect(escapeControls('a\tb\nc')).toBe('a\tb\nc');
    expect(escapeControls(escapeControls(HOSTILE))).toBe(SHOWN);
  });

  it("in vitest's failure message", () => {
    const message = new CaseFailure([hostileRecord]).message;
    expect(message).not.toMatch(CONTROL);
    expect(message).toContain(`-${SHOWN}`);
  });

  it("in the terminal summary's failure groups and the progress lines", () => {
    const summary = buildSummary(makeResults([hostileRecord]));
    const terminal = renderTerminalSummary(summary, { color: false });
    expect(terminal).not.toMatch(CONTROL);
    // a group's label keeps what the case printed (colours aside), shown escaped
    expect(terminal).toContain('diff  -\\x1b]0;TITLE\\x07\\x1b[2J\\x1b]52;c;cHduZWQ=\\x07hi');
    const line = formatProgressLine(
      {
        done: 1,
        total: 1,
        name: 'chapter 1 > title\x1b[2J.example',
        state: 'failed',
        records: [hostileRecord],
        running: ['other\x1b]0;x\x07'],
      },
      createColors(false),
    );
    expect(line).not.toMatch(CONTROL);
    expect(line).toContain('title\\x1b[2J.example');
  });

  it('in a long phase’s progress lines', () => {
    const lines: string[] = [];
    let t = 0;
    const phase = startPhase('diagnose 1/title\x1b[2J.example', { write: (l) => lines.push(l), now: () => t });
    t = 5000;
    phase.update(`re-running ${HOSTILE}`);
    phase.end();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).not.toMatch(CONTROL);
    expect(lines[0]).toContain(SHOWN);
  });

  it('in summary.md and index.html', () => {
    const summary = buildSummary(makeResults([hostileRecord]));
    const markdown = renderSummaryMarkdown(summary);
    expect(markdown).not.toMatch(CONTROL);
    expect(markdown).toContain('title\\x1b[2J.example');
    const html = renderHtmlReport(summary);
    expect(html).not.toMatch(CONTROL);
    expect(html).toContain('\\x1b]0;TITLE\\x07');
    expect(esc('<\x1b[31m>')).toBe('&lt;\\x1b[31m&gt;');
  });

  it("in the compare command's table and Markdown", () => {
    const before = makeResults([makeRecord({ recipe: 'title\x1b[2J' })]);
    const comparison = compareRuns(before, makeResults([hostileRecord]));
    const table = renderComparisonTable(comparison, { color: false });
    expect(table).not.toMatch(CONTROL);
    expect(table).toContain('title\\x1b[2J.example');
    const markdown = renderComparisonMarkdown(comparison);
    expect(markdown).not.toMatch(CONTROL);
    expect(markdown).toContain('title\\\\x1b[2J.example'); // a table cell's backslash, escaped for Markdown
  });

  it("in the fix command's fixes.md", () => {
    const markdown = renderFixesMarkdown(
      {
        version: 1,
        createdAt: '2025-01-01T00:00:00.000Z',
        tools: {},
        fixes: [],
        noFix: [
          { group: { id: 'g', label: `bell\x07${HOSTILE}`, cases: ['1/title.example'] }, reason: 'none', evidence: [] },
        ],
      },
      {},
    );
    expect(markdown).not.toMatch(CONTROL);
    expect(markdown).toContain('bell\\x07');
  });
});
