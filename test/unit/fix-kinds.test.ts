import { describe, expect, it } from 'vitest';
import { fixKindFor } from '../../src/fix/registry.ts';
import { platformLimit } from '../../src/fix/kinds/platform-limit.ts';
import type { FixContext, FixGroup } from '../../src/fix/types.ts';
import { CaseErrorCode, type CaseRecord, type TargetSpec } from '../../src/types.ts';
import { makeRecord, makeRuntimeRun } from '../helpers/records.ts';

const wasmFailure = (msg: string, extra: Partial<CaseRecord> = {}): CaseRecord =>
  makeRecord({
    chapter: '5',
    case: 'threads.example1',
    target: 'py2wasm+node',
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    codeName: 'WASM_EXECUTION_FAILURE',
    msg,
    wasm: makeRuntimeRun({ programStderr: msg }),
    ...extra,
  });
const group = (...records: CaseRecord[]): FixGroup => ({ id: 'g', label: records[0]!.msg, records });

const mismatch = wasmFailure('RuntimeError: null function or function signature mismatch', {
  diagnosis: {
    groupKey: 'k',
    diagnosedCase: '4/decorators.example1',
    inherited: false,
    results: [
      {
        kind: 'indirect-call',
        status: 'ok',
        durationMs: 1,
        cached: false,
        data: {
          caller: 'getset_get',
          expectedType: '(i32, i32) -> i32',
          callee: { funcIndex: 8782, name: 'Nuitka_Function_get_module', type: '(i32) -> i32' },
        },
      },
    ],
  },
});

describe('fix kinds', () => {
  it('picks the signature fix for a diagnosed mismatch and the platform limit for a missing thread', () => {
    expect(fixKindFor(group(mismatch))?.kind).toBe('signature-mismatch');
    expect(fixKindFor(group(wasmFailure("RuntimeError: can't start new thread")))?.kind).toBe('platform-limit');
    expect(fixKindFor(group(wasmFailure('AssertionError: something else')))).toBeUndefined();
  });

  it('finds ctypes in the --debug assertion of an unreachable trap', () => {
    const ctypes = wasmFailure('Exception: unreachable', {
      diagnosis: {
        groupKey: 'k',
        diagnosedCase: '5/ctypes_calls.example1',
        inherited: false,
        results: [
          {
            kind: 'debug-build',
            status: 'ok',
            durationMs: 1,
            cached: false,
            data: {
              differs: true,
              failure: 'Assertion failed: false (nuitka/build/static_src/HelpersImportHard.c: IMPORT_HARD_CTYPES: 120)',
              codeName: 'WASM_EXECUTION_FAILURE',
              exitCode: 1,
            },
          },
        ],
      },
    });
    expect(platformLimit.appliesTo(group(ctypes))).toBe(true);
    expect(platformLimit.appliesTo(group(wasmFailure('Exception: unreachable')))).toBe(false);
  });

  it("says a missing C extension, not ctypes, when a module other than ctypes cannot be loaded (gzip's zlib)", async () => {
    const ctx = { progress: () => undefined } as unknown as FixContext;
    const gzip = wasmFailure(
      '  File "./gzip.py", line 9, in <module>\nImportError: dynamic libraries are not implemented in wasi',
    );
    const proposal = await platformLimit.propose(group(gzip), ctx);
    expect('none' in proposal && proposal.none.reason).toMatch(/C extension the WASI CPython .* does not build in/);
    expect('none' in proposal && proposal.none.reason).not.toMatch(/ctypes/);
  });

  it('says why there is no fix, with the interpreter re-run as evidence', async () => {
    const ran: string[] = [];
    const ctx = {
      progress: () => undefined,
      runOn: (r: CaseRecord, target: TargetSpec) => {
        ran.push(target.name);
        return Promise.resolve({ ...r, target, msg: "RuntimeError: can't start new thread" });
      },
    } as unknown as FixContext;
    const proposal = await platformLimit.propose(group(wasmFailure("RuntimeError: can't start new thread")), ctx);
    expect(ran).toEqual(['wasi-python+node']);
    expect('none' in proposal && proposal.none.reason).toMatch(/no threads/);
    expect('none' in proposal && proposal.none.evidence.join('\n')).toMatch(
      /5\/threads\.example1 on py2wasm\+node: RuntimeError: can't start new thread\nunder wasi-python\+node .* fails too/,
    );
  });
});

describe('fixes in the report', () => {
  it("a plain run's failure group names the fix command; a fix run adds the Fixes section", async () => {
    const { buildSummary } = await import('../../src/report/summary.ts');
    const { renderSummaryMarkdown } = await import('../../src/report/summary-markdown.ts');
    const { renderHtmlReport } = await import('../../src/report/html.ts');
    const { makeResults } = await import('../helpers/records.ts');
    const decorators = {
      ...mismatch,
      chapter: '4',
      case: 'decorators.example1',
      recipe: 'decorators',
      example: 'example1',
    };
    const thread = wasmFailure("RuntimeError: can't start new thread");
    const plain = renderSummaryMarkdown(buildSummary(makeResults([decorators, thread])));
    expect(plain).toContain('fix: `npx vitest-py2wasm fix 4/decorators.example1`');
    expect(plain).not.toContain('fix 5/threads.example1'); // a platform limit has no patch to propose
    expect(plain).not.toContain('## Fixes');
    const fixes = {
      version: 1 as const,
      createdAt: '2026-01-01T00:00:00Z',
      tools: {},
      fixes: [
        {
          kind: 'signature-mismatch',
          title: 'Give 75 getters, setters and methods the parameters CPython calls them with',
          patch: '01-signature-mismatch-x.patch',
          files: [],
          rootCause: '',
          groups: [{ id: 'g', label: 'indirect call type mismatch', cases: ['4/decorators.example1'] }],
          verified: [
            {
              case: '4/decorators.example1',
              target: 'py2wasm+node',
              before: 'WASM_EXECUTION_FAILURE' as const,
              after: 'OK' as const,
              role: 'failing' as const,
            },
          ],
          ok: true,
        },
      ],
      noFix: [
        {
          group: { id: 't', label: "RuntimeError: can't start new thread", cases: ['5/threads.example1'] },
          reason: 'WASI has no threads',
          evidence: [],
        },
      ],
    };
    const summary = buildSummary(makeResults([decorators, thread]), { fixes });
    const md = renderSummaryMarkdown(summary);
    expect(md).toContain('## Fixes');
    expect(md).toContain('1 fixed, 0 still failing, 0 regressed, 0 still OK — `fixes/01-signature-mismatch-x.patch`');
    expect(md).toContain("no known fix for RuntimeError: can't start new thread (1 case): WASI has no threads");
    expect(renderHtmlReport(summary)).toContain('<section id="fixes"><h2>Fixes</h2>');
  });
});
