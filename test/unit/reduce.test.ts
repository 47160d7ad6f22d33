import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ddmin } from '../../src/reduce/ddmin.ts';
import { reduceSource } from '../../src/reduce/hierarchy.ts';
import type { CaseJudge, FileEdits } from '../../src/reduce/judge.ts';
import { PythonAst } from '../../src/reduce/python-ast.ts';
import { reduceCase } from '../../src/reduce/reduce-case.ts';
import { hashRecipe, recipeFiles, verbatimFiles } from '../../src/reduce/recipe-files.ts';

const SCRIPT = `import functools
import os

# nuitka-project: --python-flag=no_site

def counted(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        wrapper.calls += 1
        return func(*args, **kwargs)
    wrapper.calls = 0
    return wrapper

@counted
def countdown(n):
    while n > 0:
        n -= 1
    return "liftoff"

for i in range(2):
    if i:
        print(countdown(10))
print("calls:", countdown.calls)
print("wrapped name:", countdown.__name__)
`;

// A fake judge: "the failure" is a use of functools.wraps inside a decorator applied to a function.
const fails = (s: string) =>
  /@functools\.wraps\(\w+\)/.test(s) && /^@counted$/m.test(s) && /^import functools$/m.test(s);

const ast = new PythonAst(['python3']);
afterAll(() => ast.close());

async function isOneMinimal(source: string, holds: (s: string) => boolean): Promise<boolean> {
  for (const unit of await ast.units(source)) {
    const smaller = await ast.render(source, { remove: [unit.id] });
    if (smaller !== source && holds(smaller)) return false;
  }
  return true;
}

describe('ddmin', () => {
  test('finds the one unit that matters, and the pair that only fails together', async () => {
    const units = Array.from({ length: 16 }, (_, i) => i);
    expect(await ddmin(units, async (kept) => kept.includes(11))).toEqual([11]);
    expect(await ddmin(units, async (kept) => kept.includes(3) && kept.includes(12), { parallel: 2 })).toEqual([3, 12]);
    expect(await ddmin(units, async () => true)).toEqual([]);
  });

  test('an aborted signal stops it', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(ddmin([1, 2, 3], async () => false, { signal: ac.signal })).rejects.toThrow();
  });
});

describe('reduceSource over the AST (fake judge, real CPython ast)', () => {
  test('reaches a 1-minimal script that still fails, and keeps nuitka-project lines', async () => {
    let tests = 0;
    const reduced = await reduceSource(SCRIPT, async (s) => (tests++, fails(s)), ast, { parallel: 2 });
    expect(fails(reduced)).toBe(true);
    expect(reduced).not.toMatch(/print|range|import os|liftoff/);
    expect(reduced).toContain('# nuitka-project: --python-flag=no_site');
    expect(await isOneMinimal(reduced, fails)).toBe(true);
    expect(reduced.split('\n').filter((l) => l.trim()).length).toBeLessThan(10);
    expect(tests).toBeGreaterThan(3);
  });

  test('every candidate it asks about is valid Python', async () => {
    const seen: string[] = [];
    await reduceSource(SCRIPT, async (s) => (seen.push(s), fails(s)), ast);
    const { execa } = await import('execa');
    const check = await execa('python3', ['-c', 'import ast,json,sys\nfor s in json.load(sys.stdin): ast.parse(s)'], {
      input: JSON.stringify(seen),
      reject: false,
    });
    expect(check.exitCode, check.stderr).toBe(0);
  });
});

describe('reduceCase resumes from its best candidate', () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true }))));

  async function recipe(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reduce-test-'));
    dirs.push(dir);
    await fs.writeFile(path.join(dir, 'example1.py'), SCRIPT);
    await fs.writeFile(path.join(dir, 'input.txt'), 'data\n');
    await fs.writeFile(path.join(dir, 'helper.py'), 'X = 1\n');
    return dir;
  }

  function fakeJudge(dir: string): CaseJudge & { asked: number } {
    const judge = {
      tests: 0,
      compiles: 0,
      asked: 0,
      async judge(edits: FileEdits) {
        judge.asked++;
        judge.tests++;
        const script = edits['example1.py'] ?? (await fs.readFile(path.join(dir, 'example1.py'), 'utf8'));
        return { holds: script !== null && fails(script), signature: 'fake' };
      },
    };
    return judge as unknown as CaseJudge & { asked: number };
  }

  test('an interrupted reduction resumed from its saved best ends where an uninterrupted one does, with fewer tests', async () => {
    const dir = await recipe();
    const whole = fakeJudge(dir);
    const full = await reduceCase({ judge: whole, ast, recipeDir: dir, scriptName: 'example1.py', parallel: 1 });
    expect(full['input.txt']).toBeNull();
    expect(full['helper.py']).toBeNull();
    expect(fails(full['example1.py']!)).toBe(true);

    const ac = new AbortController();
    let saved: FileEdits = {};
    let improvements = 0;
    const first = fakeJudge(dir);
    await expect(
      reduceCase({
        judge: first,
        ast,
        recipeDir: dir,
        scriptName: 'example1.py',
        parallel: 1,
        signal: ac.signal,
        onBest: async (edits) => {
          saved = edits;
          if (++improvements === 2) ac.abort();
        },
      }),
    ).rejects.toThrow();
    expect(Object.keys(saved)).toContain('example1.py');

    const resumed = fakeJudge(dir);
    const after = await reduceCase({
      judge: resumed,
      ast,
      recipeDir: dir,
      scriptName: 'example1.py',
      parallel: 1,
      start: saved,
    });
    expect(after).toEqual(full);
    expect(resumed.asked).toBeLessThan(whole.asked);
  });
});

describe("a recipe's files as the reducer sees them", () => {
  test('a file whose name is not UTF-8 is hashed and kept by its bytes, never edited', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reduce-files-'));
    try {
      const odd = Buffer.concat([Buffer.from(`${dir}/dat`), Buffer.from([0xfe])]);
      await fs.mkdir(path.join(dir, 'sub'));
      await fs.mkdir(path.join(dir, '__pycache__'));
      for (const [name, text] of [
        ['example.py', 'print(1)\n'],
        ['sub/helper.py', 'X = 1\n'],
        ['__pycache__/example.pyc', ''],
        ['example.wasm', ''],
      ])
        await fs.writeFile(path.join(dir, name!), text!);
      await fs.writeFile(odd, 'one\n');
      expect(await recipeFiles(dir)).toEqual(['example.py', 'sub/helper.py']);
      expect((await verbatimFiles(dir)).map((p) => Buffer.from(p, 'latin1'))).toEqual([
        Buffer.from([0x64, 0x61, 0x74, 0xfe]),
      ]);
      const before = await hashRecipe(dir);
      await fs.writeFile(odd, 'two\n');
      expect(await hashRecipe(dir)).not.toBe(before);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
