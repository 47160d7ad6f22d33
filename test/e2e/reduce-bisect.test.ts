import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { GETSET_FILE, patchGetsetSignatures } from './watch-latency.ts';

// reduce and bisect for real: the sample's decorators.example1 (traps under py2wasm 2.6.3: the
// getter-signature bug wasmerio/py2wasm#13) reduced with real compiles under Node's WASI; then a
// git repository made from a copy of the installed py2wasm package, whose history fixes the bug
// and later reverts the fix, bisected to that revert. Slow: every candidate is a real compile.
const CLI = path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs');
const TARGET = 'py2wasm+node';
const env = { COOKBOOK_DIR: '', PY2WASM_TARGETS: TARGET, NO_COLOR: '1' };
const temp: string[] = [];
afterAll(async () => Promise.all(temp.map((d) => fs.rm(d, { recursive: true, force: true }))));
const tempDir = async (prefix: string) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  temp.push(dir);
  return dir;
};

describe('reduce decorators.example1 (real py2wasm, Node WASI)', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof execa>>;
  beforeAll(async () => {
    out = await tempDir('reduce-e2e-');
    run = await execa('node', [CLI, 'reduce', 'decorators.example1', '--target', TARGET, '--out', out], {
      cwd: PROJECT_ROOT,
      env,
      reject: false,
      all: true,
      timeout: 40 * 60_000,
    });
  }, 45 * 60_000);

  it('ends in a few lines that still use functools.wraps, run fine by CPython, and trap the same way', async () => {
    expect(run.exitCode, String(run.all).slice(-3000)).toBe(0);
    const script = await fs.readFile(path.join(out, 'files', 'example1.py'), 'utf8');
    const lines = script.split('\n').filter((l) => l.trim());
    expect(lines.length, script).toBeLessThanOrEqual(10);
    expect(script).toContain('functools.wraps');
    expect(script).not.toContain('print(');
    const python = await execa('python3', ['example1.py'], { cwd: path.join(out, 'files'), reject: false });
    expect(python.exitCode, python.stderr).toBe(0);
    const summary = JSON.parse(await fs.readFile(path.join(out, 'reduce.json'), 'utf8')) as {
      signature: string;
      original: { lines: number };
      reduced: { lines: number };
      compiles: number;
      tests: number;
    };
    expect(summary.signature).toBe('WASM_EXECUTION_FAILURE trap: indirect call type mismatch in getset_get');
    expect(summary.reduced.lines).toBeLessThan(summary.original.lines);
    // candidates CPython rejects are never compiled; on a warm compile cache none may be
    expect(summary.tests).toBeGreaterThan(5);
    expect(summary.compiles).toBeLessThanOrEqual(summary.tests);
    expect(String(run.all)).toMatch(/tested, \d+ compiled/);
  });

  it('writes a report.md ready for an upstream issue', async () => {
    const report = await fs.readFile(path.join(out, 'report.md'), 'utf8');
    expect(report.split('\n')[0]).toMatch(/^# py2wasm .*indirect call type mismatch in getset_get \(py2wasm\+node\)$/);
    for (const section of [
      '## Versions',
      '## Reproducer',
      '## Commands',
      '## Expected (CPython)',
      '## Actual',
      '## Stack',
      '## Diagnosis',
      '## Known upstream issue',
      '## How this was reduced',
    ]) {
      expect(report).toContain(section);
    }
    expect(report).toContain('functools.wraps');
    expect(report).toContain('https://github.com/wasmerio/py2wasm/issues/13');
    expect(report).toMatch(/getset_get/);
    // the diagnose stage ran on the reproducer: the statement that trapped, and what the bad call reached
    expect(report).toMatch(/Python statement executing at the failure: .*example1\.py:\d+/);
    expect(report).toMatch(
      /Indirect call: getset_get .*called table\[\d+\] = \w+ : \(i32\) -> i32 through type \(i32, i32\) -> i32/,
    );
    expect(report).toMatch(/py2wasm example1\.py -o example1\.wasm|example1\.py -o/);
    expect(report).not.toContain(os.tmpdir());
  });

  it(
    'a second run resumes from the saved state and compiles nothing new',
    async () => {
      const again = await execa('node', [CLI, 'reduce', 'decorators.example1', '--target', TARGET, '--out', out], {
        cwd: PROJECT_ROOT,
        env,
        reject: false,
        all: true,
        timeout: 20 * 60_000,
      });
      expect(again.exitCode, String(again.all).slice(-2000)).toBe(0);
      expect(String(again.all)).toContain('resuming');
      const first = JSON.parse(await fs.readFile(path.join(out, 'state.json'), 'utf8')) as { compiles: number };
      const summary = JSON.parse(await fs.readFile(path.join(out, 'reduce.json'), 'utf8')) as { compiles: number };
      expect(summary.compiles).toBe(first.compiles);
    },
    20 * 60_000,
  );
});

describe('bisect a py2wasm checkout (real git, real compiles)', () => {
  let repo: string;
  const revs: Record<string, string> = {};
  const commit = async (name: string, message: string) => {
    await execa('git', ['add', '-A'], { cwd: repo });
    await execa('git', ['commit', '-q', '-m', message], { cwd: repo });
    revs[name] = (await execa('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
  };
  const doc = async (name: string, text: string) => {
    await fs.appendFile(path.join(repo, 'NOTES.md'), `${text}\n`);
    await commit(name, text);
  };

  beforeAll(async () => {
    const doctor = await runDoctor(resolveOptions({ targets: [TARGET] }, { ...process.env, ...env }));
    const packageDir = doctor.availability.py2wasm?.packageDir;
    if (!packageDir) throw new Error(`no installed py2wasm package: ${JSON.stringify(doctor.availability.problems)}`);
    repo = path.join(await tempDir('bisect-e2e-'), 'py2wasm');
    // the package as installed, but its 280 MB WASI CPython linked, not copied, and no build folders
    await fs.cp(packageDir, path.join(repo, 'nuitka'), {
      recursive: true,
      filter: (src) => !/\/(__py2wasm|__pycache__|wasi-python)$/.test(src),
    });
    await fs.symlink(path.join(packageDir, 'wasi-python'), path.join(repo, 'nuitka', 'wasi-python'));
    await execa('git', ['init', '-q', '-b', 'main'], { cwd: repo });
    await execa('git', ['config', 'user.email', 'test@example.invalid'], { cwd: repo });
    await execa('git', ['config', 'user.name', 'test'], { cwd: repo });
    await fs.writeFile(path.join(repo, 'NOTES.md'), '# notes\n');
    await commit('base', 'py2wasm 2.6.3 as installed');
    const file = path.join(repo, GETSET_FILE);
    const original = await fs.readFile(file, 'utf8');
    const fixed = patchGetsetSignatures(original);
    expect(fixed.count).toBe(28);
    await fs.writeFile(file, fixed.text);
    await commit('fix', 'Give Nuitka getters and setters the signature CPython calls them with');
    await doc('doc1', 'Document the getter fix');
    await doc('doc2', 'Note on building');
    await fs.writeFile(file, original);
    await commit('revert', 'Revert "Give Nuitka getters and setters the signature CPython calls them with"');
    await doc('doc3', 'Release notes');
    await doc('doc4', 'More release notes');
  }, 10 * 60_000);

  it(
    'names the revert as the first bad commit and leaves the checkout as it was',
    async () => {
      const out = await tempDir('bisect-out-');
      const before = (await execa('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout;
      const run = await execa(
        'node',
        [
          CLI,
          'bisect',
          repo,
          'decorators.example1',
          '--good',
          revs.fix!,
          '--bad',
          'main',
          '--target',
          TARGET,
          '--out',
          out,
        ],
        {
          cwd: PROJECT_ROOT,
          env,
          reject: false,
          all: true,
          timeout: 40 * 60_000,
        },
      );
      expect(run.exitCode, String(run.all).slice(-3000)).toBe(0);
      expect(run.stdout).toContain(`${revs.revert} is the first bad commit: Revert "Give Nuitka getters`);
      const steps = (await fs.readFile(path.join(out, 'steps.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { rev: string; verdict: string });
      // both ends, then git's steps between them
      expect(steps.length).toBeGreaterThanOrEqual(4);
      expect(steps.find((s) => s.rev === revs.revert)?.verdict).toBe('bad');
      expect(await fs.readFile(path.join(out, 'bisect.log'), 'utf8')).toContain('first bad commit');
      expect(await fs.readFile(path.join(out, 'summary.md'), 'utf8')).toContain(`first bad commit: ${revs.revert}`);
      // as found: same commit, same branch, clean, no bisect under way
      expect((await execa('git', ['rev-parse', 'HEAD'], { cwd: repo })).stdout).toBe(before);
      expect((await execa('git', ['symbolic-ref', '--short', 'HEAD'], { cwd: repo })).stdout).toBe('main');
      expect((await execa('git', ['status', '--porcelain'], { cwd: repo })).stdout).toBe('');
      expect((await execa('git', ['bisect', 'log'], { cwd: repo, reject: false })).exitCode).not.toBe(0);
    },
    45 * 60_000,
  );

  it('refuses a checkout with uncommitted changes, and touches nothing', async () => {
    await fs.appendFile(path.join(repo, 'NOTES.md'), 'local edit\n');
    const run = await execa(
      'node',
      [CLI, 'bisect', repo, 'decorators.example1', '--good', revs.fix!, '--bad', 'main'],
      { cwd: PROJECT_ROOT, env, reject: false, all: true },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('uncommitted changes');
    expect((await fs.readFile(path.join(repo, 'NOTES.md'), 'utf8')).endsWith('local edit\n')).toBe(true);
    await execa('git', ['checkout', '--', 'NOTES.md'], { cwd: repo });
  });
});
