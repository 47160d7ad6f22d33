import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import type { CallstacksReport } from '../../src/diagnose/callstacks.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import type { CaseRecord, RunResults } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';
import { parseRunResults } from '../../src/records/read.ts';

// `npx vitest run --config vitest.config.ts` as a user runs it, on the twin cookbook: real CPython,
// the py2wasm stand-in building C twins with clang-19, Node WASI. It goes through the plugin
// (options, globalSetup + doctor, provide/inject), the chapters (task meta, ctx.skip for a bypass)
// and the reporter (results.json, summary.md, callstacks.json, index.html) under whatever vitest
// and Node run this suite: vitest 4 on Node 20 in `npm test`, vitest 5 on Node 24 in CI's last leg
// (`npm run test:leg`). The two timeout cases are left out (they take the default timeouts).
// Skipped when a tool is missing, never under CI=true: there the missing tool fails the run (helpers/needs.ts).
const NEEDED = ['python3', 'clang-19', 'llvm-symbolizer-19'];
const missing = NEEDED.filter((t) => !resolveExecutable(t));
const COOKBOOK = path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook');
const STANDIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const CASES = 'basics.*,traps.oob,traps.nocompile,python.raises,python.spawns,files.*';
/** The vitest this suite runs on: the child `npx vitest` must be the same one. */
const VITEST_VERSION = (createRequire(import.meta.url)('vitest/package.json') as { version: string }).version;

let work: string;
let exitCode: number | undefined;
let out: string;
let results: RunResults;
let summary: string;
let callstacks: CallstacksReport;

const env = () => ({
  COOKBOOK_DIR: COOKBOOK,
  PY2WASM: STANDIN,
  PY2WASM_TARGETS: 'py2wasm+node',
  PY2WASM_CACHE_DIR: path.join(work, 'cache'),
  PY2WASM_REPORT_DIR: path.join(work, 'report'),
  COOKBOOK_CASES: CASES,
  COOKBOOK_CHAPTERS: '',
  PY2WASM_BASELINE: '0',
  NO_COLOR: '1',
});

const rec = (name: string): CaseRecord => {
  const r = results.records.find((x) => x.case === name);
  if (!r) throw new Error(`no record for ${name}`);
  return r;
};

describe.skipIf(skipWithout(missing))(
  `vitest ${VITEST_VERSION} run of the cookbook config (node ${process.version})`,
  () => {
    beforeAll(async () => {
      work = await fs.mkdtemp(path.join(os.tmpdir(), 'vitest-run-'));
      const run = await execa('npx', ['vitest', 'run', '--config', 'vitest.config.ts'], {
        cwd: PROJECT_ROOT,
        env: env(),
        reject: false,
        all: true,
        timeout: 300_000,
      });
      exitCode = run.exitCode;
      out = run.all;
      const report = path.join(work, 'report');
      const read = (file: string) =>
        fs.readFile(path.join(report, file), 'utf8').catch((e: Error) => {
          throw new Error(`${e.message}\n--- vitest output ---\n${out.slice(-4000)}`);
        });
      results = parseRunResults(await read('results.json'), path.join(report, 'results.json'));
      summary = await read('summary.md');
      callstacks = JSON.parse(await read('callstacks.json')) as CallstacksReport;
    }, 300_000);
    afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

    it('fails the run on the failing cases, after the doctor ran in globalSetup', () => {
      expect(exitCode, out.slice(-4000)).toBe(1);
      expect(out).toContain(`RUN  v${VITEST_VERSION}`);
      expect(out).toMatch(/vitest-py2wasm doctor/);
      expect(out).toMatch(new RegExp(`✓ node\\s+${process.version.replace(/\./g, '\\.')}\\s`));
      // vitest's own count: 4 failed, 5 passed; the bypass is skipped with its reason (ctx.skip)
      expect(out).toMatch(/Tests\s+4 failed \| 5 passed \| \d+ skipped/);
      expect(out).toMatch(/↓ python\.spawns .*\[imports subprocess/);
    });

    it('writes results.json from the task meta of every case, the skipped one included', () => {
      expect(results.run).toMatchObject({
        vitestVersion: VITEST_VERSION,
        source: 'vitest',
        targets: ['py2wasm+node'],
        cookbookRoot: COOKBOOK,
      });
      expect(results.run.tools.node).toBe(process.version);
      expect(Object.fromEntries(results.records.map((r) => [r.case, r.codeName]))).toEqual({
        'basics.address': 'OK',
        'basics.differs': 'DIFFERENT_RESULT',
        'basics.hello': 'OK',
        'traps.nocompile': 'COMPILATION_FAILURE',
        'traps.oob': 'WASM_EXECUTION_FAILURE',
        'python.raises': 'PY_EXECUTION_FAILURE',
        'python.spawns': 'BYPASS',
        'files.example1': 'OK',
        'files.example2': 'OK',
        'files.huge': 'OK',
      });
      expect(rec('python.spawns').bypassReason).toMatch(/subprocess/);
      expect(rec('traps.oob').wasm?.trap?.kind).toBe('out of bounds memory access');
      expect(rec('traps.oob').compile?.cached).toBe(false);
      expect(rec('files.example2').wasm?.programStdout.text).toBe('read: written by example1\n');
    });

    it('prints a progress line per case and the summary in the terminal', () => {
      const lines = out.split('\n').filter((l) => /^[✓✗↓] \[\s*\d+\/\d+\] chapter \d+ > /.test(l));
      expect(lines).toHaveLength(10);
      expect(out).toMatch(/^↓ \[\s*\d+\/\d+\] chapter 3 > python\.spawns\s+py2wasm\+node BYPASS/m);
      expect(out).toMatch(/^✗ \[\s*\d+\/\d+\] chapter 2 > traps\.oob\s+py2wasm\+node WASM_EXECUTION_FAILURE/m);
      expect(out).toContain('py2wasm cookbook: 10 records');
    });

    it('writes summary.md, callstacks.json and index.html', async () => {
      expect(summary).toContain('**WASM failure rate: 12.5%** (1 of 8 valid cases)');
      expect(summary).toMatch(/\| 2 \| WASM_EXECUTION_FAILURE \| 1 \|/);
      expect(summary).toMatch(/\| 5 \| BYPASS \| 1 \|/);
      expect(summary).toContain('FATAL: Nuitka-stand-in: cannot compile nocompile.py: no C twin');
      expect(summary).toContain('-answer: 42 / +answer: 43');
      expect(summary).toContain("ValueError: invalid literal for int() with base 10: 'N/A'");
      expect(summary).toContain('Distinct call stacks: 1');
      const stack = callstacks.stacks.find((s) => s.case === 'traps.oob');
      expect(stack?.symbolized).toBe(true);
      const top = stack?.frames[0] as { locations?: Array<{ function: string; line?: number }> } | undefined;
      expect(top?.locations?.[0]).toMatchObject({ function: 'load_it', line: 2 });
      expect(await fs.readFile(path.join(work, 'report', 'index.html'), 'utf8')).toMatch(/^<!doctype html>/i);
    });

    it('leaves the failing cases for the next run to start with (the plugin adds that reporter itself)', async () => {
      const last = JSON.parse(await fs.readFile(path.join(work, 'cache', 'last-run.json'), 'utf8')) as {
        failing: string[];
      };
      expect(last.failing.sort()).toEqual(['1/basics.differs', '2/traps.nocompile', '2/traps.oob', '3/python.raises']);
    });

    it('`npx vitest-py2wasm doctor` (tsx through bin/) runs on this node and finds what these targets need', async () => {
      const doctor = await execa('npx', ['vitest-py2wasm', 'doctor'], {
        cwd: PROJECT_ROOT,
        env: env(),
        reject: false,
        all: true,
        timeout: 60_000,
      });
      expect(doctor.exitCode, doctor.all).toBe(0);
      expect(doctor.all).toMatch(new RegExp(`✓ node\\s+${process.version.replace(/\./g, '\\.')}\\s`));
      expect(doctor.all).toMatch(/✓ py2wasm .*py2wasm-standin\.sh/);
      expect(doctor.all).toContain('targets: py2wasm+node');
    });
  },
);
