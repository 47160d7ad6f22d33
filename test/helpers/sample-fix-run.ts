import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa, type Result } from 'execa';
import { expect } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import type { FixesFile } from '../../src/fix/results.ts';

export const CLI = path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs');

export interface SampleFixRun {
  /** A fresh report folder (the caller removes it). */
  reportDir: string;
  fix: Result<{ all: true; reject: false }>;
  fixes: FixesFile;
}

/**
 * The sample's `cases` run through the product on `py2wasm+node` (real py2wasm; compiles and
 * diagnoses from the shared cache when an earlier run made them) into a fresh report folder, then
 * `vitest-py2wasm fix ...fixArgs` on that report.
 */
export async function runSampleThenFix(cases: string[], fixArgs: string[], timeoutMs: number): Promise<SampleFixRun> {
  const reportDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fix-e2e-'));
  const env = { PY2WASM_TARGETS: 'py2wasm+node', PY2WASM_REPORT_DIR: reportDir, COOKBOOK_DIR: '', NO_COLOR: '1' };
  const run = await execa('npx', ['vitest', 'run', '--config', 'vitest.config.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...env, COOKBOOK_CASES: cases.join(',') },
    reject: false,
    all: true,
    timeout: timeoutMs,
  });
  expect(existsSync(path.join(reportDir, 'results.json')), String(run.all).slice(-3000)).toBe(true);
  const fix = await execa('node', [CLI, 'fix', ...fixArgs], {
    cwd: PROJECT_ROOT,
    env,
    reject: false,
    all: true,
    timeout: timeoutMs,
  });
  const fixes = JSON.parse(await fs.readFile(path.join(reportDir, 'fixes', 'fixes.json'), 'utf8')) as FixesFile;
  return { reportDir, fix, fixes };
}
