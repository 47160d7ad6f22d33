import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import { diagnoseRecords, type DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import { DiagnosisStore } from '../../src/diagnose/store.ts';
import type { AnyDiagnostic, DiagnosticContext } from '../../src/diagnose/types.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { CaseErrorCode, type RanRecord, type RawFrame } from '../../src/types.ts';
import { outcomeName } from '../../src/records.ts';
import { makeRecord } from '../helpers/records.ts';

// The stage runner with diagnostics written for the test (they count their calls); the real
// diagnostics have tests of their own against real py2wasm output.
let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'diagnose-stage-'));
  await fs.mkdir(path.join(dir, 'cookbook', 'r'), { recursive: true });
  await fs.mkdir(path.join(dir, 'scratch'));
  await fs.writeFile(path.join(dir, 'cookbook', 'r', 'a.py'), 'print(1)\n');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const frame = (index: number, name: string): RawFrame => ({
  index,
  name,
  thread: 0,
  addressSpace: 'module-offset-after',
});
function trapped(example: string, top: string[], target = 'py2wasm+node'): RanRecord {
  return makeRecord({
    recipe: 'r',
    example,
    target,
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    msg: 'Exception: indirect call type mismatch',
    scriptPath: path.join(dir, 'cookbook', 'r', 'a.py'),
    compile: {
      compiler: 'py2wasm',
      cached: true,
      cacheKey: `key-${example}`,
      exitCode: 0,
      timedOut: false,
      durationMs: 1,
      logTail: '',
      command: [],
    },
    wasm: {
      trap: { kind: 'indirect call type mismatch', message: 'Exception: indirect call type mismatch' },
      frames: top.map((n, i) => frame(i, n)),
    },
  });
}

function counting(
  kind: 'python-line' | 'unbuffered-output',
  scope: 'group' | 'case',
  calls: string[],
  behaviour?: (ctx: DiagnosticContext) => Promise<void>,
): AnyDiagnostic {
  return {
    kind,
    scope,
    version: 1,
    appliesTo: (r) => r.wasm?.trap !== undefined,
    run: async (ctx: DiagnosticContext) => {
      calls.push(ctx.record.case);
      // the scratch copy is the diagnostic's own, with the recipe in it
      expect(await fs.readFile(path.join(ctx.scratchDir, ctx.scriptName), 'utf8')).toBe('print(1)\n');
      await behaviour?.(ctx);
      return kind === 'python-line'
        ? { file: 'a.py', line: 1, trace: [`from ${ctx.record.case}`] }
        : { stdout: { text: ctx.record.case, bytes: 1, truncated: false, omittedBytes: 0 }, lostBytes: 1 };
    },
  } as AnyDiagnostic;
}

function stageOptions(diagnostics: AnyDiagnostic[], over: Partial<DiagnoseStageOptions> = {}): DiagnoseStageOptions {
  return {
    mode: 'group',
    budgetMs: 5_000,
    topFrames: 2,
    store: new DiagnosisStore(path.join(dir, 'diagnose'), 'run-1'),
    stack: {
      iwasmDebug: null,
      iwasmDebugMode: 'interp',
      symbolizer: null,
      timeoutMs: 5_000,
      scratchParent: path.join(dir, 'scratch'),
      maxFrames: 64,
    },
    diagnostics,
    failureLabel: (r) => r.wasm?.trap?.kind ?? outcomeName(r),
    ...over,
  };
}

const tools = () => ({
  env: buildEnvironment(resolveOptions({ cacheDir: dir }, {}), {
    node: [process.execPath],
    versions: {},
    problems: {},
  }),
  compile: () => Promise.reject(new Error('not here')),
});

describe('diagnose stage', () => {
  it('diagnoses one case per failure group; the others inherit; case-scoped diagnostics run for each; verdicts stay', async () => {
    const group: string[] = [];
    const own: string[] = [];
    const records = [
      trapped('x', ['getset_get', 'builtin_getattr']),
      trapped('y', ['getset_get', 'builtin_getattr', 'other']),
      trapped('z', ['getset_get', 'property_init']),
    ];
    const out = await diagnoseRecords(
      records,
      tools(),
      stageOptions([counting('python-line', 'group', group), counting('unbuffered-output', 'case', own)]),
    );
    expect(group).toEqual(['r.x', 'r.z']);
    expect(own).toEqual(['r.x', 'r.y', 'r.z']);
    expect(out.map((r) => [r.code, r.msg])).toEqual(records.map((r) => [r.code, r.msg]));
    const y = out[1]!.diagnosis!;
    expect(y).toMatchObject({ inherited: true, diagnosedCase: '1/r.x' });
    expect(y.results.map((r) => [r.kind, r.status])).toEqual([
      ['python-line', 'ok'],
      ['unbuffered-output', 'ok'],
    ]);
    expect(y.results[0]!.data).toEqual({ file: 'a.py', line: 1, trace: ['from r.x'] });
    expect((y.results[1]!.data as { stdout: { text: string } }).stdout.text).toBe('r.y');
    expect(out[0]!.diagnosis!.inherited).toBe(false);
    expect(out[0]!.stack!.frames.map((f) => (f as RawFrame).name)).toEqual(['getset_get', 'builtin_getattr']);
    expect(out[0]!.stack!.messages.join('\n')).toMatch(/no debug iwasm configured/);
  });

  it("keeps what is about the diagnosed case's own program with that case: inheritors get the rest, marked with its case", async () => {
    const lines: string[] = [];
    const callees: string[] = [];
    const own: string[] = [];
    // the group's Python line (a re-compile of one case) and something the whole group shares
    const line = { ...counting('python-line', 'group', lines), inheritable: false } as AnyDiagnostic;
    const shared = { ...counting('unbuffered-output', 'group', callees), kind: 'indirect-call' } as AnyDiagnostic;
    const frames = {
      ...counting('unbuffered-output', 'case', own),
      kind: 'python-frames',
      run: (ctx: DiagnosticContext) => (own.push(ctx.record.case), Promise.resolve({ runtime: 'node', frames: [] })),
    } as AnyDiagnostic;
    const records = [trapped('x', ['getset_get']), trapped('y', ['getset_get'])];
    const out = await diagnoseRecords(records, tools(), stageOptions([frames, line, shared]));
    expect([lines, callees, own]).toEqual([['r.x'], ['r.x'], ['r.x', 'r.y']]);
    const [x, y] = out.map((r) => r.diagnosis!);
    expect(x!.results.map((r) => [r.kind, r.from])).toEqual([
      ['python-frames', undefined],
      ['python-line', undefined],
      ['indirect-call', undefined],
    ]);
    expect(x!.withheld).toBeUndefined();
    // y: its own frames, the group's callee said to come from x, and no line of x's
    expect(y).toMatchObject({ inherited: true, diagnosedCase: '1/r.x', withheld: ['python-line'] });
    expect(y!.results.map((r) => [r.kind, r.from])).toEqual([
      ['python-frames', undefined],
      ['indirect-call', '1/r.x'],
    ]);
    expect(JSON.stringify(y)).not.toContain('from r.x');
  });

  it("'case' diagnoses every case, 'off' none (stacks still)", async () => {
    const calls: string[] = [];
    const records = [trapped('x', ['f']), trapped('y', ['f'])];
    await diagnoseRecords(records, tools(), stageOptions([counting('python-line', 'group', calls)], { mode: 'case' }));
    expect(calls).toEqual(['r.x', 'r.y']);
    const off = await diagnoseRecords(
      records,
      tools(),
      stageOptions([counting('python-line', 'group', calls)], { mode: 'off' }),
    );
    expect(calls).toHaveLength(2);
    expect(off.map((r) => [r.diagnosis, r.stack?.frames.length])).toEqual([
      [undefined, 1],
      [undefined, 1],
    ]);
  });

  it('caches finished results by compile key and kind across runs', async () => {
    const calls: string[] = [];
    const d = counting('python-line', 'group', calls);
    await diagnoseRecords([trapped('x', ['f'])], tools(), stageOptions([d]));
    const again = await diagnoseRecords(
      [trapped('x', ['f'])],
      tools(),
      stageOptions([d], { store: new DiagnosisStore(path.join(dir, 'diagnose'), 'run-2') }),
    );
    expect(calls).toEqual(['r.x']);
    expect(again[0]!.diagnosis!.results[0]).toMatchObject({ status: 'ok', cached: true });
  });

  it("a diagnostic that fails or runs out of budget says so and changes nothing else; the case's own (no re-compile) run first", async () => {
    const calls: string[] = [];
    // the group's diagnostic (a re-compile, in real life) would outlast the budget: the case's own ran before it
    const hanging = counting('python-line', 'group', calls, (ctx) =>
      new Promise((resolve) => setTimeout(resolve, 60_000).unref()).then(() => ctx.signal.throwIfAborted()),
    );
    const failing = counting('unbuffered-output', 'case', calls, () =>
      Promise.reject(new Error('the re-run could not start')),
    );
    const started = Date.now();
    const [out] = await diagnoseRecords(
      [trapped('x', ['f'])],
      tools(),
      stageOptions([hanging, failing], { budgetMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out!.diagnosis!.results).toMatchObject([
      { kind: 'python-line', status: 'timeout' },
      { kind: 'unbuffered-output', status: 'failed', message: 'the re-run could not start' },
    ]);
    expect(out!.diagnosis!.results[0]!.message).toMatch(/budget \(0.3 s\) ran out/);
    expect(out!.code).toBe(CaseErrorCode.WASM_EXECUTION_FAILURE);
    // neither is cached: the next run tries again
    await diagnoseRecords(
      [trapped('x', ['f'])],
      tools(),
      stageOptions([failing], { store: new DiagnosisStore(path.join(dir, 'diagnose'), 'run-2') }),
    );
    expect(calls).toEqual(['r.x', 'r.x', 'r.x']);
  });

  it('cases of one group diagnosed at the same time (two workers) share one diagnosis', async () => {
    const calls: string[] = [];
    const slow = counting('python-line', 'group', calls, () => new Promise((resolve) => setTimeout(resolve, 300)));
    const [a, b] = await Promise.all([
      diagnoseRecords([trapped('x', ['f'])], tools(), stageOptions([slow])),
      diagnoseRecords([trapped('y', ['f'])], tools(), stageOptions([slow])),
    ]);
    expect(calls).toHaveLength(1);
    expect([a[0]!.diagnosis!.inherited, b[0]!.diagnosis!.inherited].sort()).toEqual([false, true]);
  });

  it('leaves passing and non-wasm records alone', async () => {
    const calls: string[] = [];
    const ok = makeRecord({ code: CaseErrorCode.OK, wasm: {} });
    const compileFailure = makeRecord({ code: CaseErrorCode.COMPILATION_FAILURE });
    const out = await diagnoseRecords(
      [ok, compileFailure],
      tools(),
      stageOptions([counting('python-line', 'group', calls)]),
    );
    expect(out).toEqual([ok, compileFailure]);
    expect(calls).toEqual([]);
  });

  it('in watch mode (one run id for the session) a re-run case is diagnosed again only when its failure group changed', async () => {
    const calls: string[] = [];
    const d = counting('python-line', 'group', calls);
    const store = new DiagnosisStore(path.join(dir, 'diagnose'), 'watch-session');
    // a py2wasm source saved: the case compiles anew (another compile key), still trapping the same way
    const first = trapped('x', ['getset_get', 'builtin_getattr']);
    const rebuilt = { ...first, compile: { ...first.compile!, cacheKey: 'key-after-edit' } };
    await diagnoseRecords([first], tools(), stageOptions([d], { store }));
    const same = await diagnoseRecords([rebuilt], tools(), stageOptions([d], { store }));
    expect(calls).toEqual(['r.x']);
    expect(same[0]!.diagnosis).toMatchObject({ inherited: false, diagnosedCase: '1/r.x', results: [{ status: 'ok' }] });
    // the edit moved the trap: a new group, diagnosed again
    await diagnoseRecords(
      [{ ...rebuilt, wasm: { ...rebuilt.wasm!, frames: [frame(0, 'getset_get'), frame(1, 'property_init')] } }],
      tools(),
      stageOptions([d], { store }),
    );
    expect(calls).toEqual(['r.x', 'r.x']);
  });

  it("a later run in which another case of a group comes first inherits the earlier run's diagnosis; the diagnosed case itself, changed, is diagnosed again", async () => {
    const calls: string[] = [];
    const d = counting('python-line', 'group', calls);
    const storeOf = (run: string) => new DiagnosisStore(path.join(dir, 'diagnose-across-runs'), run);
    const a = trapped('a', ['getset_get', 'builtin_getattr']);
    const b = trapped('b', ['getset_get', 'builtin_getattr']);
    await diagnoseRecords([a, b], tools(), stageOptions([d], { store: storeOf('run-1') }));
    expect(calls).toEqual(['r.a']);
    // run 2: the other worker reached b first
    const [b2] = await diagnoseRecords([b], tools(), stageOptions([d], { store: storeOf('run-2') }));
    expect(calls).toEqual(['r.a']);
    expect(b2!.diagnosis).toMatchObject({ inherited: true, diagnosedCase: '1/r.a' });
    // run 3: a's script changed (another compile key): its old diagnosis is not its own any more
    const edited = { ...a, compile: { ...a.compile!, cacheKey: 'a-after-edit' } };
    const [a3] = await diagnoseRecords([edited], tools(), stageOptions([d], { store: storeOf('run-3') }));
    expect(calls).toEqual(['r.a', 'r.a']);
    expect(a3!.diagnosis).toMatchObject({ inherited: false, diagnosedCase: '1/r.a' });
    // 'case' mode never borrows
    await diagnoseRecords([b], tools(), stageOptions([d], { store: storeOf('run-4'), mode: 'case' }));
    expect(calls).toEqual(['r.a', 'r.a', 'r.b']);
    // a new version of the diagnostic is not served the old version's group diagnosis
    await diagnoseRecords([b], tools(), stageOptions([{ ...d, version: 2 }], { store: storeOf('run-5') }));
    expect(calls).toEqual(['r.a', 'r.a', 'r.b', 'r.b']);
  });

  it("a rebuilt runtime executable (same path, same version) is not served the old build's cached results", async () => {
    const calls: string[] = [];
    const d = counting('unbuffered-output', 'case', calls);
    const exe = path.join(dir, 'bin', 'iwasm');
    await fs.mkdir(path.dirname(exe), { recursive: true });
    await fs.writeFile(exe, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const withIwasm = () => ({
      env: buildEnvironment(resolveOptions({ cacheDir: dir, targets: ['py2wasm+iwasm'] }, {}), {
        node: [process.execPath],
        iwasm: [exe],
        versions: { iwasm: 'iwasm 2.4.3' },
        problems: {},
      }),
      compile: () => Promise.reject(new Error('not here')),
    });
    const record = trapped('rebuilt', ['getset_get'], 'py2wasm+iwasm');
    await diagnoseRecords([record], withIwasm(), stageOptions([d]));
    await diagnoseRecords([record], withIwasm(), stageOptions([d]));
    expect(calls).toEqual(['r.rebuilt']);
    // a rebuild: other bytes, a later mtime
    await fs.writeFile(exe, '#!/bin/sh\n# rebuilt\nexit 0\n', { mode: 0o755 });
    const later = new Date(Date.now() + 5_000);
    await fs.utimes(exe, later, later);
    await diagnoseRecords([record], withIwasm(), stageOptions([d]));
    expect(calls).toEqual(['r.rebuilt', 'r.rebuilt']);
  });
});
