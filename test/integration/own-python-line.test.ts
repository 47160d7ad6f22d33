import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions, SAMPLE_COOKBOOK, type ResolvedOptions } from '../../src/config/options.ts';
import { describeDiagnosis, diagnosisSummaryLine } from '../../src/diagnose/describe.ts';
import { DIAGNOSTICS } from '../../src/diagnose/registry.ts';
import type { DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import { DiagnosisStore } from '../../src/diagnose/store.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { caseId } from '../../src/records.ts';
import type { RunEnvironment } from '../../src/run/environment.ts';
import { prepareRunEnvironment } from '../../src/run/prepare.ts';
import type { CaseRecord, DiagnosisDataByKind } from '../../src/types.ts';
import { inCI, missingTools } from '../helpers/needs.ts';
import { runAndDiagnoseCases } from '../helpers/run-cases.ts';

// Every failing case gets its own Python line in 'group' mode: the sample's five traps compiled by
// the real py2wasm 2.6.3 (through the shared compile cache), run under Node's WASI, diagnosed by the
// real stage with the memory read (python-frames), the --trace-execution re-compile (python-line,
// once per failure group) and the callee probe. Then a second cookbook, whose cases fall in the same
// failure groups and inherit the groups' diagnoses kept from the first run, shows none of its lines.
const TRAPS = [
  'call_chain.example1',
  'ctypes_calls.example1',
  'decorators.example1',
  'progress_output.example1',
  'properties.example1',
];
const KINDS = new Set(['python-frames', 'python-line', 'indirect-call']);
let missing = '';
let work: string;
let options: ResolvedOptions;
let env: RunEnvironment;
let scratchParent: string;
const first = new Map<string, CaseRecord>();
const second = new Map<string, CaseRecord>();

function stage(runId: string): DiagnoseStageOptions {
  return {
    mode: 'group',
    budgetMs: 600_000,
    topFrames: 5,
    // one store for both runs, of this test alone: the second run finds the first one's group diagnoses
    store: new DiagnosisStore(path.join(work, 'diagnose'), runId),
    stack: {
      iwasmDebug: null,
      iwasmDebugMode: 'interp',
      symbolizer: options.tools.symbolizer,
      timeoutMs: 60_000,
      scratchParent,
      maxFrames: 64,
    },
    diagnostics: DIAGNOSTICS.filter((d) => KINDS.has(d.kind)),
    failureLabel: (r) => `trap: ${r.wasm?.trap?.kind ?? r.msg}`,
  };
}

async function runAndDiagnose(root: string, cases: string[] | null, runId: string, into: Map<string, CaseRecord>) {
  for (const r of await runAndDiagnoseCases(env, root, cases, scratchParent, stage(runId))) into.set(r.case, r);
}

function frames(r: CaseRecord): DiagnosisDataByKind['python-frames'] {
  const result = r.diagnosis?.results.find((x) => x.kind === 'python-frames');
  expect(result, `${r.case}: ${JSON.stringify(r.diagnosis)}`).toMatchObject({ status: 'ok' });
  return result!.data as DiagnosisDataByKind['python-frames'];
}

// another cookbook: `import ctypes` on its line 1 (the real cookbook's
// turning_a_function_pointer_into_a_callable.example), and functools.wraps on its line 4
const OTHER = {
  '1/ctypes_demo/demo.py': 'import ctypes\n\nprint(ctypes.sizeof(ctypes.c_int))\n',
  '1/wraps_demo/demo.py': [
    'import functools',
    '',
    'def traced(f):',
    '    @functools.wraps(f)',
    '    def inner(*a):',
    '        return f(*a)',
    '    return inner',
    '',
    'def shout(s):',
    '    return s.upper()',
    '',
    'print(traced(shout)("abc"))',
    '',
  ].join('\n'),
};

describe("each failing case's own Python line (real py2wasm, Node WASI)", () => {
  beforeAll(async () => {
    options = resolveOptions(
      { root: SAMPLE_COOKBOOK, cases: TRAPS, targets: ['py2wasm+node'], timeouts: { wasmMs: 60_000 } },
      {},
    );
    const doctor = await runDoctor(options);
    const dwarfdump = ['llvm-dwarfdump-19', 'llvm-dwarfdump'].some((c) => resolveExecutable(c));
    missing = [missingTools(doctor.availability.problems, ['py2wasm']), dwarfdump ? '' : 'llvm-dwarfdump: not found']
      .filter(Boolean)
      .join('; ');
    if (missing && inCI()) throw new Error(`missing in CI: ${missing}`);
    if (missing) return;
    ({ env, scratchParent } = await prepareRunEnvironment(options, doctor.availability));
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'own-python-line-'));
    await runAndDiagnose(SAMPLE_COOKBOOK, TRAPS, 'sample-run', first);
    const other = path.join(work, 'other-cookbook');
    for (const [file, text] of Object.entries(OTHER)) {
      await fs.mkdir(path.dirname(path.join(other, file)), { recursive: true });
      await fs.writeFile(path.join(other, file), text);
    }
    await runAndDiagnose(other, null, 'other-run', second);
  }, 30 * 60_000);
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it('gives each of the sample’s traps its own file and line in one group-mode run', (ctx) => {
    if (missing) ctx.skip(missing);
    const line = (name: string) => describeDiagnosis(first.get(name)!.diagnosis).pythonLine;
    expect([...first.keys()].sort()).toEqual(TRAPS);
    for (const name of TRAPS) expect(first.get(name)!.wasm?.trap, name).toBeDefined();
    // the two functools.wraps cases share a failure group: one was traced, the other reads its own frame
    const [decorators, progress] = [first.get('decorators.example1')!, first.get('progress_output.example1')!];
    expect(decorators.diagnosis!.groupKey).toBe(progress.diagnosis!.groupKey);
    expect(line('decorators.example1')).toMatch(/^__main__\.counted at example1\.py:1[01]: /);
    expect(line('progress_output.example1')).toMatch(/^__main__\.logged at example1\.py:1[01]: /);
    // read from memory, whoever was traced: the decorator line Nuitka set before calling it
    expect(frames(progress).own).toMatchObject({
      file: 'example1.py',
      line: 10,
      source: '@functools.wraps(func)',
      function: '__main__.logged',
      lineSource: 'call',
    });
    expect(frames(progress).frames.map((f) => `${f.function}:${f.line}`)).toEqual([
      'functools.update_wrapper:52',
      '__main__.logged:10',
      '__main__.make_task:21',
      '__main__.build_tasks:25',
      '__main__.<module>:30',
    ]);
    expect(frames(decorators).own).toMatchObject({ line: 10, function: '__main__.counted' });
    // properties: the class body called property() at line 8
    expect(frames(first.get('properties.example1')!).own).toMatchObject({
      line: 8,
      source: '@property',
      function: '__main__.Person',
    });
    // call_chain: an attribute lookup is no call, so its frame's line is not the statement: the
    // memory read says so, and the trace (its group is its own) gives line 8 in label
    const chain = first.get('call_chain.example1')!;
    expect(frames(chain).own).toBeUndefined();
    expect(frames(chain).notFound).toMatch(/PyObject_GenericGetAttr, not in a call or an import/);
    expect(line('call_chain.example1')).toBe('__main__.label at example1.py:8: module = func.__module__');
    // ctypes: the trap comes before the module pushed its frame; the trace gives line 5
    const ctypes = first.get('ctypes_calls.example1')!;
    expect(frames(ctypes).frames).toEqual([]);
    expect(line('ctypes_calls.example1')).toBe('__main__.<module> at example1.py:5: import ctypes');
    // every line shown is the case's own: its file, its text
    for (const name of TRAPS) {
      const r = first.get(name)!;
      const source = line(name)!.split(': ').slice(1).join(': ');
      expect(diagnosisSummaryLine(r.diagnosis), name).toContain(line(name));
      expect(source.length).toBeGreaterThan(0);
    }
  });

  it("shows none of the first cookbook's lines in a run of another one that inherits its group diagnoses", (ctx) => {
    if (missing) ctx.skip(missing);
    const ctypesDemo = second.get('ctypes_demo.demo')!;
    const wrapsDemo = second.get('wraps_demo.demo')!;
    // both inherited their group's diagnosis from the sample's run
    expect(ctypesDemo.diagnosis).toMatchObject({ inherited: true, diagnosedCase: '5/ctypes_calls.example1' });
    expect(wrapsDemo.diagnosis!.inherited).toBe(true);
    for (const r of [ctypesDemo, wrapsDemo]) {
      const text = JSON.stringify(r.diagnosis) + (diagnosisSummaryLine(r.diagnosis) ?? '');
      expect(text, caseId(r)).not.toMatch(/example1\.py/);
    }
    // no frame to read and the trace ran elsewhere: said so
    expect(describeDiagnosis(ctypesDemo.diagnosis).pythonLine).toBeUndefined();
    expect(diagnosisSummaryLine(ctypesDemo.diagnosis)).toMatch(
      /^diagnosis: Python line not diagnosed for this case \(the thread had no Python frame at the trap.*the --trace-execution re-compile ran on 5\/ctypes_calls\.example1 only\)/,
    );
    // its own line, read from its memory; the callee said to come from the sample's case
    expect(describeDiagnosis(wrapsDemo.diagnosis).pythonLine).toBe('__main__.traced at demo.py:4: @functools.wraps(f)');
    expect(diagnosisSummaryLine(wrapsDemo.diagnosis)).toMatch(
      /\| from 4\/(decorators|progress_output)\.example1: getset_get .* called table\[\d+\] = Nuitka_Function_get_module/,
    );
  });
});
