import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookbookOptions } from '../../src/config/cookbook-options.ts';
import { resolveOptions } from '../../src/config/options.ts';
import { discoverCookbook } from '../../src/discover/discover.ts';
import { buildEnvironment } from '../../src/run/environment.ts';
import { RecipeRunner } from '../../src/run/pipeline.ts';
import type { CaseRecord } from '../../src/types.ts';
import { runStandinRecipe } from '../helpers/standin-recipe.ts';
import { LOOKALIKE_NOTE } from '../../src/compare/diff-display.ts';

// Real CPython, real wasm under Node's WASI: the wasm comes from the py2wasm stand-in, which
// builds each script's C twin with clang-19 (the real py2wasm runs in the e2e tests).
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', 'fixtures', 'twin-cookbook');
const standin = path.join(here, '..', 'doubles', 'py2wasm-standin.sh');

async function snapshotTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

async function runCookbook(extra: CookbookOptions, cacheDir: string): Promise<Map<string, CaseRecord>> {
  const options = resolveOptions(
    {
      root,
      targets: ['py2wasm+node'],
      tools: { py2wasm: standin },
      timeouts: { pythonMs: 3000, wasmMs: 3000, compileMs: 60_000 },
      cacheDir,
      capture: { headBytes: 64 << 10, tailBytes: 16 << 10 },
      ...extra,
    },
    {},
  );
  const env = buildEnvironment(options, {
    py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'debian-clang-19', wasiSdkDir: null },
    node: [process.execPath],
    versions: { python: 'Python 3.11' },
    problems: {},
  });
  const scratch = path.join(cacheDir, 'scratch');
  await fs.mkdir(scratch, { recursive: true });
  const records = new Map<string, CaseRecord>();
  for (const chapter of discoverCookbook(options.root, { cases: options.cases })) {
    for (const recipe of chapter.recipes) {
      const runner = new RecipeRunner(env, recipe, scratch);
      for (const kase of recipe.cases) {
        for (const r of await runner.runCase(kase)) records.set(r.case, r);
      }
      await runner.dispose();
    }
  }
  return records;
}

describe('pipeline on real processes: CPython + stand-in compiler + Node WASI', () => {
  let cacheDir: string;
  let before: string[];
  let records: Map<string, CaseRecord>;
  beforeAll(async () => {
    cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'pipeline-node-'));
    before = await snapshotTree(root);
    records = await runCookbook({}, cacheDir);
  });
  afterAll(() => fs.rm(cacheDir, { recursive: true, force: true }));

  it('classifies every case into the seed codes', () => {
    const codes = Object.fromEntries([...records].map(([name, r]) => [name, r.codeName]));
    expect(codes).toEqual({
      'basics.address': 'OK',
      'basics.differs': 'DIFFERENT_RESULT',
      'basics.hello': 'OK',
      'traps.exits': 'WASM_EXECUTION_FAILURE',
      'traps.nocompile': 'COMPILATION_FAILURE',
      'traps.oob': 'WASM_EXECUTION_FAILURE',
      'traps.spin': 'WASM_EXECUTION_TIMEOUT',
      'python.forever': 'PY_EXECUTION_TIMEOUT',
      'python.raises': 'PY_EXECUTION_FAILURE',
      'python.spawns': 'BYPASS',
      'files.example1': 'OK',
      'files.example2': 'OK',
      'files.huge': 'OK',
    });
    for (const r of records.values())
      expect(r.code).toBe(
        {
          OK: 0,
          COMPILATION_FAILURE: 1,
          WASM_EXECUTION_FAILURE: 2,
          PY_EXECUTION_FAILURE: 3,
          DIFFERENT_RESULT: 4,
          BYPASS: 5,
          WASM_EXECUTION_TIMEOUT: 6,
          PY_EXECUTION_TIMEOUT: 7,
        }[r.codeName!],
      );
  });

  it('records why: normalization rules, diffs, traps, tracebacks, bypass reasons', () => {
    const address = records.get('basics.address')!;
    expect(address.python!.stdout.text).toMatch(/^<object object at 0x[0-9a-f]+>\n$/);
    expect(address.wasm!.programStdout.text).toBe('<object object at 0xaa2030>\n');
    expect(address.comparison!.rulesFired.length).toBeGreaterThan(0);

    const differs = records.get('basics.differs')!;
    expect(differs.msg).toContain('-answer: 42');
    expect(differs.msg).toContain('+answer: 43');

    const oob = records.get('traps.oob')!;
    expect(oob.wasm!.trap).toEqual({
      kind: 'out of bounds memory access',
      message: expect.stringContaining('memory access out of bounds'),
    });
    expect(oob.wasm!.programStderr.text).toBe('about to fault\n');
    expect(oob.msg).toContain('about to fault');
    expect(oob.msg).toContain('RuntimeError: memory access out of bounds');
    expect(oob.wasm!.frames.map((f) => f.name)).toContain('load_it');

    const exits = records.get('traps.exits')!;
    expect(exits.wasm!.exitCode).toBe(3);
    expect(exits.wasm!.trap).toBeUndefined();
    expect(exits.msg).toBe('giving up');
    expect(records.get('traps.nocompile')!.msg).toContain('FATAL: Nuitka-stand-in');
    expect(records.get('python.raises')!.msg).toMatch(/ValueError: invalid literal for int\(\) with base 10: 'N\/A'$/);
    expect(records.get('python.spawns')!.bypassReason).toMatch(/subprocess/);
    expect(records.get('traps.spin')!.wasm!.timedOut).toBe(true);
  });

  it('runs a recipe in one scratch copy per side, in file order, and never writes into the cookbook', async () => {
    expect(records.get('files.example2')!.python!.stdout.text).toBe('read: written by example1\n');
    expect(records.get('files.example2')!.wasm!.programStdout.text).toBe('read: written by example1\n');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('keeps huge outputs bounded, with the original size', () => {
    const huge = records.get('files.huge')!;
    expect(huge.python!.stdout.truncated).toBe(true);
    expect(huge.python!.stdout.bytes).toBeGreaterThan(3_000_000);
    expect(huge.python!.stdout.text.length).toBeLessThan(100_000);
  });

  it('serves the second run from the compile cache', async () => {
    const again = await runCookbook({}, cacheDir);
    expect(again.get('basics.hello')!.compile!.cached).toBe(true);
    expect(again.get('basics.hello')!.codeName).toBe('OK');
    expect(again.get('traps.nocompile')!.compile!.cached).toBe(true);
    expect(records.get('basics.hello')!.compile!.cached).toBe(false);
  });

  it("with scope 'case', every case gets a fresh copy: the reader finds no file", async () => {
    const perCase = await runCookbook({ scope: 'case', cases: ['files.example2'] }, cacheDir);
    expect(perCase.get('files.example2')!.codeName).toBe('PY_EXECUTION_FAILURE');
    expect(perCase.get('files.example2')!.msg).toMatch(/FileNotFoundError/);
  });
});

describe('a missing tool', () => {
  const setup = async (strictTools: boolean) => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'missing-tool-'));
    const options = resolveOptions(
      {
        root,
        targets: ['py2wasm+node', 'py2wasm+iwasm'],
        tools: { py2wasm: standin },
        cacheDir,
        cases: ['basics.hello'],
        strictTools,
      },
      {},
    );
    const env = buildEnvironment(options, {
      py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'none', wasiSdkDir: null },
      iwasm: null,
      node: [process.execPath],
      versions: {},
      problems: { iwasm: 'iwasm not found: set IWASM=/path/to/iwasm' },
    });
    const recipe = discoverCookbook(root, { cases: options.cases })[0]!.recipes[0]!;
    await fs.mkdir(path.join(cacheDir, 'scratch'));
    return { runner: new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch')), kase: recipe.cases[0]!, cacheDir };
  };

  it('turns the affected target into a skip that says what to do, outside CI', async () => {
    const { runner, kase, cacheDir } = await setup(false);
    const [node, iwasm] = await runner.runCase(kase);
    expect(node!.codeName).toBe('OK');
    expect(iwasm!.codeName).toBe('BYPASS');
    expect(iwasm!.bypassReason).toBe('missing tool: iwasm not found: set IWASM=/path/to/iwasm');
    await runner.dispose();
    await fs.rm(cacheDir, { recursive: true, force: true });
  });

  it('fails the case in CI (strict)', async () => {
    const { runner, kase, cacheDir } = await setup(true);
    await expect(runner.runCase(kase)).rejects.toThrow(/py2wasm\+iwasm: iwasm not found: set IWASM/);
    await runner.dispose();
    await fs.rm(cacheDir, { recursive: true, force: true });
  });
});

describe('a missing CPython', () => {
  it('skips every target with what to do, instead of failing each script as PY_EXECUTION_FAILURE', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'missing-python-'));
    const options = resolveOptions(
      {
        root,
        targets: ['py2wasm+node'],
        tools: { py2wasm: standin, python: 'no-such-python3' },
        cacheDir,
        cases: ['basics.hello'],
      },
      {},
    );
    const env = buildEnvironment(options, {
      py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'none', wasiSdkDir: null },
      node: [process.execPath],
      versions: {},
      problems: { python: 'CPython not found (no-such-python3): install python3.11 or set PYTHON=/path/to/python3.11' },
    });
    const recipe = discoverCookbook(root, { cases: options.cases })[0]!.recipes[0]!;
    await fs.mkdir(path.join(cacheDir, 'scratch'));
    const runner = new RecipeRunner(env, recipe, path.join(cacheDir, 'scratch'));
    const [record] = await runner.runCase(recipe.cases[0]!);
    expect(record!.codeName).toBe('BYPASS');
    expect(record!.bypassReason).toMatch(/^missing tool: CPython not found \(no-such-python3\): .*set PYTHON=/);
    expect(record!.python).toBeUndefined();
    await runner.dispose();
    await fs.rm(cacheDir, { recursive: true, force: true });
  });
});

describe('the case environment', () => {
  // The script prints what it sees of a few variables; its C twin (built to real wasm by the
  // stand-in) prints the same through getenv, so OK means the guest got the same values.
  const SHOW_PY = `import os
for name in ['LANG', 'LC_ALL', 'TZ', 'COOKBOOK_FLAG', 'VITEST_PY2WASM_TEST_SECRET']:
    print(name, os.environ.get(name))
`;
  const SHOW_C = `#include <stdio.h>
#include <stdlib.h>
int main(void) {
  const char *names[] = {"LANG", "LC_ALL", "TZ", "COOKBOOK_FLAG", "VITEST_PY2WASM_TEST_SECRET"};
  for (int i = 0; i < 5; i++) { const char *v = getenv(names[i]); printf("%s %s\\n", names[i], v ? v : "None"); }
  return 0;
}
`;
  it('gives CPython, the compile and the wasm a small environment plus the env option, and none of the host secrets', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'case-env-'));
    const cookbook = path.join(cacheDir, 'cookbook');
    await fs.mkdir(path.join(cookbook, '1', 'env'), { recursive: true });
    await fs.writeFile(path.join(cookbook, '1', 'env', 'show.py'), SHOW_PY);
    await fs.writeFile(path.join(cookbook, '1', 'env', 'show.c'), SHOW_C);
    await fs.writeFile(
      path.join(cookbook, '1', 'env', 'home.py'),
      "import os, tempfile\nopen(os.path.expanduser('~/.rc'), 'w').write('x')\nprint(sorted(os.environ))\nprint(os.environ['HOME'], tempfile.gettempdir())\n",
    );
    process.env.VITEST_PY2WASM_TEST_SECRET = 'hunter2';
    try {
      // the interpreter itself, not a version manager's shim (which adds variables of its own)
      const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
      const options = resolveOptions(
        {
          root: cookbook,
          targets: ['py2wasm+node'],
          tools: { py2wasm: standin, python },
          cacheDir,
          env: { COOKBOOK_FLAG: 'on' },
        },
        {},
      );
      const env = buildEnvironment(options, {
        py2wasm: { command: [standin], fingerprint: 'standin-1', sdkFingerprint: 'none', wasiSdkDir: null },
        node: [process.execPath],
        versions: {},
        problems: {},
      });
      const recipe = discoverCookbook(cookbook)[0]!.recipes[0]!;
      const scratch = path.join(cacheDir, 'scratch');
      await fs.mkdir(scratch);
      const runner = new RecipeRunner(env, recipe, scratch);
      const home = recipe.cases.find((c) => c.example === 'home')!;
      const show = recipe.cases.find((c) => c.example === 'show')!;
      const [shown] = await runner.runCase(show);
      expect(shown!.codeName, shown!.msg).toBe('OK');
      expect(shown!.python!.stdout.text).toBe(
        'LANG C.UTF-8\nLC_ALL C.UTF-8\nTZ UTC\nCOOKBOOK_FLAG on\nVITEST_PY2WASM_TEST_SECRET None\n',
      );
      // the compile saw the same small environment: the stand-in's log would show a leaked secret
      expect(JSON.stringify(shown)).not.toContain('hunter2');
      const [homeRecord] = await runner.runCase(home);
      const [names, dirs] = homeRecord!.python!.stdout.text.trim().split('\n');
      expect(names).toBe(
        "['COOKBOOK_FLAG', 'HOME', 'LANG', 'LC_ALL', 'PATH', 'PYTHONDONTWRITEBYTECODE', 'TMPDIR', 'TZ']",
      );
      const [homeDir, tmpDir] = dirs!.split(' ');
      expect(homeDir!.startsWith(`${scratch}${path.sep}`)).toBe(true);
      expect(tmpDir!.startsWith(`${scratch}${path.sep}`)).toBe(true);
      expect(await fs.readFile(path.join(homeDir!, '.rc'), 'utf8')).toBe('x');
      await runner.dispose();
      expect(await fs.readdir(scratch)).toEqual([]);
    } finally {
      delete process.env.VITEST_PY2WASM_TEST_SECRET;
      await fs.rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('undecodable bytes on stdout', () => {
  it('a program printing the text \\xff differs from a wasm writing the byte 0xff; the same byte on both sides is OK', async () => {
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'bytes-'));
    const recipe = path.join(work, 'cookbook', '1', 'bytes');
    await fs.mkdir(recipe, { recursive: true });
    await fs.writeFile(path.join(recipe, 'spelled.py'), 'print("a\\\\xff")\n'); // the four characters \ x f f
    await fs.writeFile(
      path.join(recipe, 'spelled.c'),
      '#include <stdio.h>\nint main(void) { fputs("a\\xff\\n", stdout); return 0; }\n',
    );
    await fs.writeFile(path.join(recipe, 'raw.py'), 'import sys\nsys.stdout.buffer.write(b"a\\xff\\n")\n');
    await fs.writeFile(
      path.join(recipe, 'raw.c'),
      '#include <stdio.h>\nint main(void) { fputs("a\\xff\\n", stdout); return 0; }\n',
    );
    const byExample = await runStandinRecipe(work);
    const spelled = byExample.get('spelled')!;
    expect(spelled.python?.stdout.text).toBe('a\\xff\n');
    expect(spelled.wasm?.programStdout.text).toBe('a\\xff\n'); // the same on screen...
    expect(spelled.codeName, spelled.msg).toBe('DIFFERENT_RESULT'); // ...but not the same bytes
    // and the diff tells them apart: CPython's text with its backslash doubled, the wasm's byte as \xff
    expect(spelled.msg.split('\n')).toEqual(expect.arrayContaining(['-a\\\\xff', '+a\\xff', LOOKALIKE_NOTE]));
    expect(byExample.get('raw')!.codeName, byExample.get('raw')!.msg).toBe('OK');
    await fs.rm(work, { recursive: true, force: true });
  });
});
