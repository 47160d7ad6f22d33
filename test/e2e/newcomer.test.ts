import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import type { CaseRecord, RunResults } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';
import { readRunResults } from '../../src/records/read.ts';

// The README's main command exactly as a newcomer runs it: `npm ci && npm run cookbook` in a fresh
// copy of the project, with an empty HOME (so an empty cache folder, no venv, no WASI SDK, no
// Nuitka cache), no PY2WASM / WASI_SDK_DIR / CI in the environment, no separate `setup`, and Debian
// packages of the toolchain absent: `wasi-libc` and `ccache` are removed first (with them present
// the first run worked; without them it set up the toolchain, then bypassed every case as "py2wasm is
// not set up"). The run installs them again itself. Only npm's download cache is shared, to save time.
// It removes system packages, so it runs only when asked: `npm run test:newcomer` (CI runs it first).
const REMOVED_FIRST = ['wasi-libc', 'ccache'];
const CASES = ['unpacking.example1', 'formatting.example1'];

const rootWithApt = process.getuid?.() === 0 && (await which('apt-get')) && (await which('dpkg-query'));

async function which(cmd: string): Promise<boolean> {
  return execa('sh', ['-c', `command -v ${cmd}`], { reject: false }).then((r) => r.exitCode === 0);
}

function installed(pkg: string): boolean {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).includes(
      'install ok installed',
    );
  } catch {
    return false;
  }
}

let copy: string;
let home: string;
const runs: Array<{ exitCode: number | undefined; output: string; results: RunResults }> = [];

/** Only what a newcomer's shell has: no CI, no PY2WASM*, no WASI_SDK_DIR, no cache folder of ours. */
function newcomerEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    COOKBOOK_CASES: CASES.join(','),
    npm_config_cache: execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim(),
  };
}

async function runMainCommand(): Promise<void> {
  const run = await execa('npm', ['run', 'cookbook'], {
    cwd: copy,
    env: newcomerEnv(),
    extendEnv: false,
    reject: false,
    all: true,
    timeout: 30 * 60_000,
  });
  const results = await readRunResults(path.join(copy, 'py2wasm-report', 'results.json'));
  runs.push({ exitCode: run.exitCode, output: run.all ?? '', results });
}

describe.skipIf(
  skipWithout(
    rootWithApt ? [] : ['root with apt-get and dpkg-query (the test removes and reinstalls Debian packages)'],
  ),
)("a newcomer's first run: npm ci && npm run cookbook on a fresh machine", () => {
  beforeAll(async () => {
    copy = await fs.mkdtemp(path.join(os.tmpdir(), 'newcomer-project-'));
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'newcomer-home-'));
    // the committed files, as a clone has them
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const file of files) {
      await fs.mkdir(path.dirname(path.join(copy, file)), { recursive: true });
      await fs.cp(path.join(PROJECT_ROOT, file), path.join(copy, file), { verbatimSymlinks: true });
    }
    const present = REMOVED_FIRST.filter(installed);
    if (present.length)
      await execa('apt-get', ['remove', '-y', '-qq', ...present], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
    await execa('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: copy,
      env: newcomerEnv(),
      extendEnv: false,
    });
    await runMainCommand(); // the first run
    await runMainCommand(); // and the one after it
  }, 45 * 60_000);
  afterAll(async () => {
    if (copy) await fs.rm(copy, { recursive: true, force: true });
    if (home) await fs.rm(home, { recursive: true, force: true });
  });

  const records = (run: number): CaseRecord[] => runs[run]!.results.records;

  it('starts with the Debian packages absent and installs them itself', () => {
    expect(REMOVED_FIRST.filter((pkg) => !installed(pkg))).toEqual([]);
    expect(runs[0]!.output).toContain('setting up the py2wasm toolchain (first run only)');
    for (const pkg of REMOVED_FIRST) expect(runs[0]!.output).toMatch(new RegExp(`apt-get install -y .*${pkg}`));
    expect(runs[0]!.output).toMatch(/verify passed: compile \d+ s/);
  });

  it('runs every selected case for real in that same first run (compiled by py2wasm, run as wasm, compared: OK)', () => {
    const first = runs[0]!;
    expect(first.exitCode, first.output.slice(-4000)).toBe(0);
    expect(first.output).not.toContain('is not set up');
    expect(
      records(0)
        .map((r) => r.case)
        .sort(),
    ).toEqual([...CASES].sort());
    for (const r of records(0)) {
      expect(r.codeName, `${r.case}: ${r.msg}`).toBe('OK');
      expect(r.compile?.cached, r.case).toBe(false);
      expect(r.compile?.wasmSize, r.case).toBeGreaterThan(1_000_000); // a whole py2wasm module, not a stand-in
      expect(r.wasm?.exitCode, r.case).toBe(0);
    }
  });

  it('sets up nothing the second time and compiles nothing again', () => {
    const second = runs[1]!;
    expect(second.exitCode, second.output.slice(-4000)).toBe(0);
    expect(second.output).not.toContain('setting up the py2wasm toolchain');
    for (const r of records(1)) {
      expect(r.codeName, `${r.case}: ${r.msg}`).toBe('OK');
      expect(r.compile?.cached, r.case).toBe(true);
    }
  });
});
