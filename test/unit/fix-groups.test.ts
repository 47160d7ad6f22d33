import { describe, expect, it } from 'vitest';
import { fixGroups } from '../../src/fix/run-fixes.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { makeRecord } from '../helpers/records.ts';

// The real cookbook's fix run listed the cookbook's own failures (no network, a removed
// `collections.Sequence`) as groups "no fix kind knows": CPython failed there, the wasm never ran.
const records = [
  makeRecord({
    recipe: 'props',
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    msg: 'Exception: indirect call type mismatch',
  }),
  makeRecord({
    recipe: 'net',
    code: CaseErrorCode.PY_EXECUTION_FAILURE,
    msg: 'socket.gaierror: [Errno -2] Name or service not known',
  }),
  makeRecord({ recipe: 'ok', code: CaseErrorCode.OK }),
];

describe('fixGroups', () => {
  it('fixes the wasm side: groups where CPython itself failed are left out', () => {
    const groups = fixGroups(records, []);
    expect(groups.map((g) => g.records.map((r) => r.case))).toEqual([['props.example']]);
  });

  it('keeps a CPython-side group the user names', () => {
    const groups = fixGroups(records, ['net.example']);
    expect(groups.map((g) => g.records.map((r) => r.codeName))).toEqual([['PY_EXECUTION_FAILURE']]);
  });
});
