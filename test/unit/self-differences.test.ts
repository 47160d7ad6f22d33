import { describe, expect, it } from 'vitest';
import { judgeWasmRun } from '../../src/classify/wasm-verdict.ts';
import { compareOutputs } from '../../src/compare/compare.ts';
import { resolveRules } from '../../src/normalize/normalize.ts';
import { MASK_PLACEHOLDER, maskSelfDifferences } from '../../src/compare/self-differences.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { captured, makeProcess, makeRuntimeRun } from '../helpers/records.ts';

const rules = resolveRules();
const ctx = { scratchDirs: [], scriptName: 'timing.py' };

// what the real cookbook's timing cases print: a label the timing rule does not know, then seconds
const run = (seconds: string, last = 'done') => `start\ncounting: ${seconds}\n${last}\n`;

describe('maskSelfDifferences', () => {
  it('masks, on both sides, the lines on which CPython differs from itself, saying what it printed', () => {
    const m = maskSelfDifferences(run('0.4897'), run('0.5120'), run('2.2047'));
    expect(m.expected).toBe(`start\n${MASK_PLACEHOLDER}\ndone\n`);
    expect(m.actual).toBe(m.expected);
    expect(m.rerun).toEqual({
      masked: [{ line: 2, cpython: ['counting: 0.4897', 'counting: 0.5120'] }],
      maskedCount: 1,
    });
  });

  it('masks nothing when CPython printed the same twice', () => {
    const m = maskSelfDifferences(run('1'), run('1'), run('2'));
    expect(m).toEqual({ expected: run('1'), actual: run('2'), rerun: { masked: [], maskedCount: 0 } });
  });

  it('masks nothing, and says why, when CPython printed different numbers of lines', () => {
    const m = maskSelfDifferences(run('1'), `${run('2')}extra\n`, run('3'));
    expect(m.expected).toBe(run('1'));
    expect(m.rerun.maskedCount).toBe(0);
    expect(m.rerun.unmasked).toBe('CPython printed 3 lines, then 4 lines when run again: its lines do not line up');
  });

  it('masks nothing, and says why, when the wasm printed a different number of lines than CPython', () => {
    const m = maskSelfDifferences(run('1'), run('2'), 'start\n');
    expect(m.actual).toBe('start\n');
    expect(m.rerun.unmasked).toBe(
      'CPython differs from itself on line 2, but the wasm printed 1 line where CPython printed 3 lines: the lines do not line up',
    );
  });

  it('lists the first 20 masked lines, cut to 200 characters, and counts them all', () => {
    const lines = (v: string) => Array.from({ length: 30 }, (_, i) => `${i} ${v.repeat(300)}`).join('\n');
    const m = maskSelfDifferences(lines('a'), lines('b'), lines('c'));
    expect(m.rerun.maskedCount).toBe(30);
    expect(m.rerun.masked).toHaveLength(20);
    expect(m.rerun.masked[0]!.cpython[0]).toHaveLength(201);
    expect(m.actual.split('\n').every((l) => l === MASK_PLACEHOLDER)).toBe(true);
  });
});

describe('compareOutputs with CPython run again', () => {
  it('calls outputs that differ only on a line CPython prints differently each run equal, and says so', () => {
    const c = compareOutputs(run('0.4897'), run('2.2047'), rules, ctx, {}, run('0.5120'));
    expect(c.equal).toBe(true);
    expect(c.diff).toBeUndefined();
    expect(c.cpythonRerun?.masked.map((m) => m.line)).toEqual([2]);
  });

  it('still finds a difference on a line CPython prints the same each time, the masked line out of the diff', () => {
    const c = compareOutputs(run('0.4897'), run('2.2047', 'DONE'), rules, ctx, {}, run('0.5120'));
    expect(c.equal).toBe(false);
    expect(c.firstChange).toEqual({ removed: 'done', added: 'DONE' });
    expect(c.diff).toContain(` ${MASK_PLACEHOLDER}\n-done\n+DONE`);
    expect(c.cpythonRerun?.maskedCount).toBe(1);
  });

  it('masks after normalization: a line a rule already makes equal is not masked', () => {
    const c = compareOutputs('took 0.5s\nx = 1\n', 'took 2.5s\nx = 2\n', rules, ctx, {}, 'took 0.7s\nx = 1\n');
    expect(c).toMatchObject({ equal: false, rulesFired: ['timing'], cpythonRerun: { masked: [], maskedCount: 0 } });
  });

  it('without a second run, compares as before and says nothing of one', () => {
    const c = compareOutputs(run('0.4897'), run('2.2047'), rules, ctx);
    expect(c.equal).toBe(false);
    expect(c).not.toHaveProperty('cpythonRerun');
  });
});

describe('judgeWasmRun with CPython run again', () => {
  const wasm = makeRuntimeRun({ exitCode: 0, programStdout: run('2.2047') });
  const python = makeProcess({ stdout: run('0.4897') });

  it('asks for the second run only when the outputs differ, and masks with it', async () => {
    let asked = 0;
    const again = () => (asked++, Promise.resolve(makeProcess({ stdout: run('0.5120'), cwd: '/elsewhere/copy' })));
    const same = await judgeWasmRun(
      python,
      makeRuntimeRun({ exitCode: 0, programStdout: run('0.4897') }),
      rules,
      ctx,
      again,
    );
    expect([same.code, asked]).toEqual([CaseErrorCode.OK, 0]);
    const masked = await judgeWasmRun(python, wasm, rules, ctx, again);
    expect([masked.code, asked]).toEqual([CaseErrorCode.OK, 1]);
    expect(masked.comparison!.cpythonRerun!.maskedCount).toBe(1);
    // what the second run took is the case's cost too
    const timed = () => Promise.resolve(makeProcess({ stdout: run('0.5120'), durationMs: 1234 }));
    expect((await judgeWasmRun(python, wasm, rules, ctx, timed)).comparison!.cpythonRerun!.durationMs).toBe(1234);
  });

  it('masks nothing, and says why, when the second run fails or an output was too long to keep whole', async () => {
    const failed = () => Promise.resolve(makeProcess({ exitCode: 1, stderr: 'Traceback ...\nMemoryError\n' }));
    const verdict = await judgeWasmRun(python, wasm, rules, ctx, failed);
    expect(verdict.code).toBe(CaseErrorCode.DIFFERENT_RESULT);
    expect(verdict.comparison!.cpythonRerun).toEqual({
      masked: [],
      maskedCount: 0,
      unmasked: "CPython's second run failed (MemoryError): nothing masked",
      durationMs: expect.any(Number),
    });
    const long = () => Promise.resolve(makeProcess({ stdout: { ...captured(run('0.5120')), truncated: true } }));
    const cut = await judgeWasmRun(python, wasm, rules, ctx, long);
    expect(cut.code).toBe(CaseErrorCode.DIFFERENT_RESULT);
    expect(cut.comparison!.cpythonRerun!.unmasked).toBe(
      'an output was too long to keep whole: lines are masked only in outputs kept whole',
    );
  });
});
