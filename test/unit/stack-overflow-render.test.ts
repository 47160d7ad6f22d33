import { describe, expect, it } from 'vitest';
import { describeDiagnosis, diagnosisSummaryLine, formatBytes, stackOverflowsOf } from '../../src/diagnose/describe.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { CaseFailure } from '../../src/vitest/chapter.ts';
import { CaseErrorCode, type CaseDiagnosis, type DiagnosisDataByKind } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

// A stack-overflow diagnosis as the diagnostic leaves it (the figures of the sample's
// http_client.example1 under py2wasm 2.6.3 and Node), rendered where diagnoses are shown.
const overflow: DiagnosisDataByKind['stack-overflow'] = {
  stack: {
    placement: 'after data',
    top: 10_159_920,
    size: 65_536,
    sizeFrom: 'stack-first relink',
    aboveData: 123_856,
  },
  overflows: true,
  stackFirst: { codeName: 'WASM_EXECUTION_FAILURE', failure: 'trap: out of bounds memory access' },
  frames: ['__stpcpy', 'strcpy', 'loadTriggeredModule', '_EXECUTE_EMBEDDED_MODULE'],
  framesFrom: 'node',
  tried: [{ stackBytes: 1 << 20, codeName: 'OK' }],
  fixedBy: 1 << 20,
};

const diagnosed = (data: DiagnosisDataByKind['stack-overflow'], inherited = false): CaseDiagnosis => ({
  groupKey: 'py2wasm+node\ntraceback: ModuleNotFoundError',
  diagnosedCase: '5/http_client.example1',
  inherited,
  results: [{ kind: 'stack-overflow', status: 'ok', durationMs: 60_000, cached: false, data }],
});

const failing = (example: string, d: CaseDiagnosis) =>
  makeRecord({
    chapter: '5',
    recipe: 'http_client',
    example,
    target: 'py2wasm+node',
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    msg: "ModuleNotFoundError: No module named 'email.utils'",
    diagnosis: d,
  });

const LINE =
  'stack overflow: the 64 KiB C stack (above the data) overflows in __stpcpy ← strcpy ← loadTriggeredModule; a 1 MiB stack placed first makes the case pass';

describe('rendering a stack-overflow diagnosis', () => {
  it('says what overflowed and the stack that fixes it, in the failure message', () => {
    expect(describeDiagnosis(diagnosed(overflow))).toMatchObject({ stack: LINE, stackOverflows: true });
    const failure = new CaseFailure([failing('example1', diagnosed(overflow))]);
    expect(failure.message.split('\n')).toEqual([
      "WASM_EXECUTION_FAILURE [py2wasm+node]: ModuleNotFoundError: No module named 'email.utils'",
      `diagnosis: ${LINE}`,
    ]);
  });

  it('says when no stack tried fixes it, and when the stack holds (no line in the failure message then)', () => {
    const unfixed = {
      ...overflow,
      tried: [
        {
          stackBytes: 1 << 20,
          codeName: 'WASM_EXECUTION_FAILURE' as const,
          failure: 'trap: out of bounds memory access',
        },
        {
          stackBytes: 8 << 20,
          codeName: 'WASM_EXECUTION_FAILURE' as const,
          failure: 'trap: out of bounds memory access',
        },
      ],
    };
    delete unfixed.fixedBy;
    expect(describeDiagnosis(diagnosed(unfixed)).stack).toBe(
      'stack overflow: the 64 KiB C stack (above the data) overflows in __stpcpy ← strcpy ← loadTriggeredModule; no stack up to 8 MiB makes it pass (WASM_EXECUTION_FAILURE: trap: out of bounds memory access)',
    );
    const holds: DiagnosisDataByKind['stack-overflow'] = {
      stack: { placement: 'after data', top: 10_159_920, size: 65_536, sizeFrom: 'stack-first relink' },
      overflows: false,
      stackFirst: { codeName: 'WASM_EXECUTION_FAILURE', failure: "RuntimeError: can't start new thread" },
      tried: [],
    };
    expect(describeDiagnosis(diagnosed(holds))).toMatchObject({
      stack:
        "no stack overflow: the 64 KiB C stack (above the data) holds; placed first, the case ends WASM_EXECUTION_FAILURE (RuntimeError: can't start new thread)",
      stackOverflows: false,
    });
    expect(diagnosisSummaryLine(diagnosed(holds))).toBeUndefined();
    expect(stackOverflowsOf([failing('example1', diagnosed(holds))])).toEqual([]);
  });

  it('summary.md names the overflow once under its failure group, with the case it was found on', () => {
    const records = [failing('example1', diagnosed(overflow)), failing('example2', diagnosed(overflow, true))];
    const md = renderSummaryMarkdown(buildSummary(makeResults(records)));
    expect(md).toContain(`  - ${LINE.replaceAll('_', '\\_')} (found on 5/http\\_client.example1)\n`);
    expect(md.match(/stack overflow:/g)).toHaveLength(1);
  });

  it('index.html shows it in each case, and a stack that holds in grey', () => {
    const html = renderHtmlReport(buildSummary(makeResults([failing('example1', diagnosed(overflow))])));
    expect(html).toContain(`<li>C stack: ${LINE}</li>`);
    const holds = { ...overflow, overflows: false, tried: [] };
    delete holds.fixedBy;
    expect(renderHtmlReport(buildSummary(makeResults([failing('example1', diagnosed(holds))])))).toContain(
      '<li class="muted">C stack: no stack overflow:',
    );
  });

  it('writes stack sizes as people do', () => {
    expect([65_536, 1 << 20, 8 << 20, 1000, 1536].map(formatBytes)).toEqual([
      '64 KiB',
      '1 MiB',
      '8 MiB',
      '1000 bytes',
      '1536 bytes',
    ]);
  });
});
