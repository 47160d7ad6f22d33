import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookbookCase } from '../../src/discover/discover.ts';
import { CachedPythonSide, recipeFilesKey, type PythonCacheOptions } from '../../src/run/python-cache.ts';
import { copyRecipe } from '../../src/run/scratch.ts';
import type { ProcessOutcome } from '../../src/types.ts';
import type { NormalizationRule } from '../../src/normalize/normalize.ts';
import { resolveRules } from '../../src/normalize/normalize.ts';
import { sideStdoutDigest } from '../../src/compare/stream-digest.ts';

// Real python3 on a recipe whose second case reads what the first wrote, and a third that only
// ends at the timeout. Every script notes in a log outside the scratch copies that it really ran.
let work: string;
let recipeDir: string;
let calls: string;
const cases: CookbookCase[] = [];

const SCRIPTS: Record<string, string> = {
  'example1.py':
    'import os\nopen(os.environ["CALL_LOG"], "a").write("example1\\n")\nopen("data.txt", "w").write("hello")\nprint("wrote")\n',
  'example2.py':
    'import os\nopen(os.environ["CALL_LOG"], "a").write("example2\\n")\nprint(open("data.txt").read(), os.getcwd())\n',
  'slow.py': 'import os, time\nopen(os.environ["CALL_LOG"], "a").write("slow\\n")\ntime.sleep(30)\n',
};

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'python-cache-'));
  recipeDir = path.join(work, 'cookbook', '1', 'files');
  await fs.mkdir(recipeDir, { recursive: true });
  for (const [name, text] of Object.entries(SCRIPTS)) {
    await fs.writeFile(path.join(recipeDir, name), text);
    const example = name.slice(0, -3);
    cases.push({
      chapter: '1',
      recipe: 'files',
      example,
      name: `files.${example}`,
      key: `files.${example}`,
      scriptPath: path.join(recipeDir, name),
      recipeDir,
    });
  }
  calls = path.join(work, 'calls');
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** One run of the recipe's CPython side in a fresh scratch copy, as a RecipeRunner does. */
async function runRecipe(
  cache: PythonCacheOptions | null,
): Promise<{ outcomes: ProcessOutcome[]; ran: string[]; cwd: string }> {
  await fs.rm(calls, { force: true });
  const cwd = await copyRecipe(recipeDir, work, 'cpython');
  const side = new CachedPythonSide(cache, recipeDir, true);
  const ctx = {
    python: ['python3'],
    pythonVersion: 'Python 3',
    env: { PATH: process.env.PATH!, CALL_LOG: calls },
    timeoutMs: 1500,
    capture: { headBytes: 4096, tailBytes: 4096 },
  };
  const outcomes = [];
  for (const kase of cases) outcomes.push(await side.run(kase, cwd, ctx));
  const ran = (await fs.readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { outcomes, ran, cwd };
}

describe('CPython results cached like compiles (real python3)', () => {
  const dir = () => path.join(work, 'python-cache');

  it('runs every case the first time, then none: outputs, the timeout and the scratch path come back', async () => {
    const first = await runRecipe({ dir: dir(), exclude: [] });
    expect(first.ran).toEqual(['example1', 'example2', 'slow']);
    expect(first.outcomes[1]!.stdout.text).toBe(`hello ${first.cwd}\n`);
    expect(first.outcomes[2]!.timedOut).toBe(true);

    const second = await runRecipe({ dir: dir(), exclude: [] });
    expect(second.ran).toEqual([]);
    expect(second.outcomes.every((o) => o.cached)).toBe(true);
    expect(second.outcomes[0]!.stdout.text).toBe('wrote\n');
    // the path printed is this run's scratch copy, not the first run's
    expect(second.cwd).not.toBe(first.cwd);
    expect(second.outcomes[1]!.stdout.text).toBe(`hello ${second.cwd}\n`);
    expect(second.outcomes[2]).toMatchObject({ timedOut: true, cached: true });
  });

  it('runs the cached cases before one that must run, so it finds what they wrote', async () => {
    const run = await runRecipe({ dir: dir(), exclude: ['files.example2'] });
    expect(run.ran).toEqual(['example1', 'example2']);
    expect(run.outcomes[1]!.stdout.text).toBe(`hello ${run.cwd}\n`);
    expect(run.outcomes[1]!.cached).toBeUndefined();
    expect(run.outcomes[2]!.cached).toBe(true);
  });

  it('runs everything again when any file of the recipe changes, a data file too', async () => {
    await fs.writeFile(path.join(recipeDir, 'notes.txt'), 'new\n');
    const run = await runRecipe({ dir: dir(), exclude: [] });
    expect(run.ran).toEqual(['example1', 'example2', 'slow']);
  });

  it('keys a data file whose name is not UTF-8 by its bytes: its content counts, nothing throws', async () => {
    const badName = Buffer.concat([Buffer.from(recipeDir + path.sep), Buffer.from([0x64, 0x61, 0x74, 0xfe])]);
    await fs.writeFile(badName, 'one\n');
    try {
      const before = await recipeFilesKey(recipeDir);
      await fs.writeFile(badName, 'two\n');
      expect(await recipeFilesKey(recipeDir)).not.toBe(before);
      const run = await runRecipe({ dir: dir(), exclude: [] });
      expect(run.ran).toEqual(['example1', 'example2', 'slow']);
      expect((await runRecipe({ dir: dir(), exclude: [] })).ran).toEqual([]);
    } finally {
      await fs.rm(badName);
    }
  });

  it('always runs when turned off', async () => {
    const run = await runRecipe(null);
    expect(run.ran).toEqual(['example1', 'example2', 'slow']);
    expect(run.outcomes.some((o) => o.cached)).toBe(false);
  });
});

describe('a stdout too long to keep, cached with the digest of its whole output', () => {
  it('comes back with its digest; under other normalization rules it runs again', async () => {
    const recipe = path.join(work, 'cookbook', '1', 'long');
    await fs.mkdir(recipe, { recursive: true });
    const script = path.join(recipe, 'example.py');
    await fs.writeFile(
      script,
      'import os\nopen(os.environ["CALL_LOG"], "a").write("long\\n")\nfor i in range(5000): print("line", i)\n',
    );
    const kase: CookbookCase = {
      chapter: '1',
      recipe: 'long',
      example: 'example',
      name: 'long.example',
      key: 'long.example',
      scriptPath: script,
      recipeDir: recipe,
    };
    const once = async (rules: NormalizationRule[]) => {
      await fs.rm(calls, { force: true });
      const cwd = await copyRecipe(recipe, work, 'cpython');
      const side = new CachedPythonSide({ dir: path.join(work, 'long-cache'), exclude: [] }, recipe, true);
      const outcome = await side.run(kase, cwd, {
        python: ['python3'],
        pythonVersion: 'Python 3',
        env: { PATH: process.env.PATH!, CALL_LOG: calls },
        timeoutMs: 10_000,
        capture: { headBytes: 4096, tailBytes: 4096 },
        ...sideStdoutDigest(rules, cwd, 'example.py'),
      });
      const ran = (await fs.readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      return { outcome, ran };
    };
    const first = await once(resolveRules({}));
    expect(first.ran).toEqual(['long']);
    expect(first.outcome.stdout.truncated).toBe(true);
    expect(first.outcome.stdout.whole?.lines).toBe(5000);
    const again = await once(resolveRules({}));
    expect(again.ran).toEqual([]);
    expect(again.outcome.stdout.whole).toEqual(first.outcome.stdout.whole);
    const otherRules = await once(resolveRules({ enable: ['hex-id'] }));
    expect(otherRules.ran).toEqual(['long']);
    expect(otherRules.outcome.stdout.whole?.normalizedBy).not.toBe(first.outcome.stdout.whole?.normalizedBy);
  });
});
