// Watch mode while patching py2wasm, for real: a copy of the py2wasm source (PyPI's sdist, a complete
// py2wasm tree) installed editable into a throwaway toolchain, `vitest watch` on one case, and the
// upstream fix of bug wasmerio/py2wasm#13 saved into the copy while vitest watches. Measures how
// long after the save the case's new verdict appears, against the case's own compile + runs.
// Used by test/e2e/watch-patch.test.ts; bench/ can call measureWatchLatency() too.

import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import escapeStringRegexp from 'escape-string-regexp';
import { execa } from 'execa';
import pidtree from 'pidtree';
import { defaultCacheDir, PROJECT_ROOT } from '../../src/config/options.ts';
import { killProcessTree } from '../../src/process/run.ts';
import { DEFAULTS } from '../../src/config/cookbook-options.ts';
import { toolchainPaths } from '../../src/toolchain/index.ts';
import type { CaseRecord } from '../../src/types.ts';
import { outcomeName } from '../../src/records.ts';
import { readRunResults } from '../../src/records/read.ts';

/** The file the fix of wasmerio/py2wasm#13 edits, relative to the checkout. */
export const GETSET_FILE = 'nuitka/build/static_src/CompiledFunctionType.c';

/**
 * `static PyObject *Nuitka_Function_get_X(struct Nuitka_FunctionObject *function)` and
 * `static int Nuitka_Function_set_X(struct Nuitka_FunctionObject *function, PyObject *value)`:
 * CPython calls getters as `(PyObject *, void *)` and setters as `(PyObject *, PyObject *, void *)`.
 */
const GETSET_SIGNATURE =
  /^(static (?:PyObject \*|int )Nuitka_Function_(?:get|set)_\w+\(struct Nuitka_FunctionObject \*function(?:, PyObject \*value)?)\)/gm;

/** The one-line fix, as `sed -E 's/^(static ...)\)/\1, void *data)/'` would do it. */
export function patchGetsetSignatures(source: string): { text: string; count: number } {
  let count = 0;
  const text = source.replace(GETSET_SIGNATURE, (_all, head: string) => {
    count++;
    return `${head}, void *data)`;
  });
  return { text, count };
}

export interface WatchLatencyOptions {
  /** A py2wasm sdist (.tar.gz) to unpack; default: `pip download` it into the temp dir. */
  sdist?: string;
  /** What to `pip download` (default the toolchain's py2wasm spec, `py2wasm==2.6.3`). */
  spec?: string;
  /** Default `decorators.example1` of the sample cookbook (traps before the fix, OK after). */
  caseName?: string;
  target?: string;
  /** A warm Nuitka cache keeps compiles at ~15-30 s; default NUITKA_CACHE_DIR, else the default cache's. */
  nuitkaCacheDir?: string;
  /** Longest wait for each verdict (default 10 min). */
  verdictTimeoutMs?: number;
  /** Leave the temp dir (checkout, toolchain, report) in place and log where it is. */
  keepTemp?: boolean;
  log?: (line: string) => void;
  /** Aborting kills the watch process and removes the temp dir. */
  signal?: AbortSignal;
}

export interface Verdict {
  code: string;
  /** `tools['py2wasm.fingerprint']` of the record. */
  fingerprint: string | undefined;
  record: CaseRecord;
}

export interface WatchLatency {
  /** From the save to the case's verdict line on vitest's stdout. */
  latencyMs: number;
  /** The re-run case's own CPython + compile + wasm durations (results.json). */
  caseMs: number;
  /** latencyMs - caseMs: what watch mode adds (detection, re-run start, collection, reporting). */
  overheadMs: number;
  /** From the save to vitest's RERUN banner (file-watcher detection + debounce). */
  detectMs: number;
  /**
   * latencyMs - detectMs - the case's totalMs: vitest starting the re-run (worker, collection,
   * beforeAll with the fingerprint) and the verdict reaching the reporter.
   */
  rerunStartMs: number;
  durations: { pythonMs: number; compileMs: number; wasmMs: number; totalMs: number };
  before: Verdict;
  after: Verdict;
  /** Signatures the patch changed (28 in py2wasm 2.6.3). */
  patchedSignatures: number;
  /** Vitest restarted (or re-ran its global setup) instead of re-running: must be false. */
  restarted: boolean;
  /** Processes of the watch tree still alive after the kill: must be empty. */
  lingering: number[];
  /** What the watch process printed (stdout and stderr, interleaved by arrival). */
  output: string;
}

interface Line {
  at: number;
  text: string;
}

/** Lines of a child's output with timestamps, and waits for a line that matches. */
export class LineLog {
  readonly lines: Line[] = [];
  private waiters = new Set<() => void>();
  private ended: Error | undefined;

  push(text: string): void {
    this.lines.push({ at: performance.now(), text });
    for (const w of this.waiters) w();
  }

  end(error: Error): void {
    this.ended = error;
    for (const w of this.waiters) w();
  }

  text(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  /** The first line from index `from` on that matches. */
  waitFor(
    what: string,
    from: number,
    match: (text: string) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<Line & { index: number }> {
    return new Promise((resolve, reject) => {
      let next = from;
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: Error) => {
        cleanup();
        reject(error);
      };
      const check = () => {
        for (; next < this.lines.length; next++) {
          const line = this.lines[next]!;
          if (match(line.text)) {
            cleanup();
            resolve({ ...line, index: next });
            return;
          }
        }
        if (this.ended) fail(new Error(`${this.ended.message} while waiting for ${what}:\n${this.tail()}`));
      };
      const onAbort = () => fail(new Error(`aborted while waiting for ${what}`));
      const timer = setTimeout(
        () => fail(new Error(`no ${what} within ${Math.round(timeoutMs / 1000)} s:\n${this.tail()}`)),
        timeoutMs,
      );
      this.waiters.add(check);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      else check();
    });
  }

  private tail(n = 60): string {
    return this.lines
      .slice(-n)
      .map((l) => `  | ${l.text}`)
      .join('\n');
  }
}

async function isExecutable(file: string): Promise<boolean> {
  return fs.access(file, fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

/** The user's cache (PY2WASM_CACHE_DIR or ~/.cache/vitest-py2wasm): its venv's pip and its warm Nuitka cache. */
function userCacheDir(): string {
  return process.env.PY2WASM_CACHE_DIR || defaultCacheDir();
}

async function downloadSdist(
  spec: string,
  dest: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  const venvPython = path.join(toolchainPaths(userCacheDir()).venvDir, 'bin', 'python');
  const python = (await isExecutable(venvPython)) ? venvPython : 'python3';
  log(`pip download ${spec} (sdist) with ${python === venvPython ? "the toolchain venv's pip" : 'python3 -m pip'}`);
  await fs.mkdir(dest, { recursive: true });
  await execa(python, ['-m', 'pip', 'download', '--no-deps', '--no-binary', ':all:', spec, '-d', dest], {
    env: { PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PYTHONPATH: undefined, PYTHONHOME: undefined },
    timeout: 20 * 60_000,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const found = (await fs.readdir(dest)).filter((n) => n.endsWith('.tar.gz'));
  if (found.length !== 1)
    throw new Error(`pip download ${spec} left ${found.length} sdists in ${dest}: ${found.join(', ')}`);
  return path.join(dest, found[0]!);
}

/** Unpacks the sdist; returns the source tree (the folder with setup.py). */
async function unpackSdist(sdist: string, dest: string, signal?: AbortSignal): Promise<string> {
  await fs.mkdir(dest, { recursive: true });
  await execa('tar', ['-xzf', sdist, '-C', dest], {
    timeout: 10 * 60_000,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const dirs = (await fs.readdir(dest, { withFileTypes: true })).filter((e) => e.isDirectory());
  if (dirs.length !== 1) throw new Error(`${sdist} unpacked into ${dirs.length} folders`);
  const checkout = path.join(dest, dirs[0]!.name);
  await fs.access(path.join(checkout, 'setup.py'));
  await fs.access(path.join(checkout, GETSET_FILE));
  return checkout;
}

export async function readRecord(reportDir: string, caseName: string, target: string): Promise<Verdict> {
  const results = await readRunResults(path.join(reportDir, 'results.json'));
  const record = results.records.find((r) => r.case === caseName && r.target.name === target);
  if (!record) throw new Error(`${reportDir}/results.json has no record of ${caseName} on ${target}`);
  return { code: outcomeName(record), fingerprint: record.tools['py2wasm.fingerprint'], record };
}

/** Running (a zombie waiting for its reaper counts as gone). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // `pid (comm) S ...`: the state follows the last `)`
  return stat === undefined
    ? process.platform !== 'linux'
    : stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function alive(pids: number[]): Promise<number[]> {
  const flags = await Promise.all(pids.map(isAlive));
  return pids.filter((_, i) => flags[i]);
}

/**
 * Sets up a py2wasm checkout (PyPI's sdist) editable in a temp toolchain, starts `vitest watch` on
 * one case, waits for its verdict, saves the getter/setter fix into the checkout, and measures the
 * time to the next verdict. Kills the watch process tree and removes the temp dir in every case.
 */
export async function measureWatchLatency(opts: WatchLatencyOptions = {}): Promise<WatchLatency> {
  const log = opts.log ?? (() => {});
  const caseName = opts.caseName ?? 'decorators.example1';
  const target = opts.target ?? 'py2wasm+node';
  const verdictTimeoutMs = opts.verdictTimeoutMs ?? 10 * 60_000;
  const signal = opts.signal;
  const nuitkaCacheDir =
    opts.nuitkaCacheDir ?? process.env.NUITKA_CACHE_DIR ?? path.join(userCacheDir(), 'nuitka-cache');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'py2wasm-watch-'));
  const cacheDir = path.join(tmp, 'cache');
  const reportDir = path.join(tmp, 'report');
  let child: ReturnType<typeof spawnWatch> | undefined;
  let stopped: Promise<number[]> | undefined;
  // a last resort if this process exits with the watch tree still up (the group is ours: detached)
  const onExit = () => {
    if (child?.pid) killGroupSync(child.pid);
  };
  process.once('exit', onExit);

  try {
    // 1. a copy of the py2wasm checkout, installed editable into a toolchain of its own
    const sdist =
      opts.sdist ?? (await downloadSdist(opts.spec ?? DEFAULTS.py2wasmSpec, path.join(tmp, 'sdist'), log, signal));
    const checkout = await unpackSdist(sdist, path.join(tmp, 'src'), signal);
    log(`checkout: ${checkout}`);
    const setupStarted = performance.now();
    const setup = await execa('node', ['bin/vitest-py2wasm.mjs', 'setup', '--spec', checkout, '--no-verify'], {
      cwd: PROJECT_ROOT,
      env: { PY2WASM_CACHE_DIR: cacheDir, NUITKA_CACHE_DIR: nuitkaCacheDir, NO_COLOR: '1' },
      all: true,
      reject: false,
      timeout: 30 * 60_000,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (setup.exitCode !== 0)
      throw new Error(`vitest-py2wasm setup --spec ${checkout} --no-verify failed (${setup.exitCode}):\n${setup.all}`);
    log(`setup: ${Math.round((performance.now() - setupStarted) / 1000)} s; ${setup.stdout.trim().split('\n').pop()}`);

    // 2. vitest in watch mode (stdin is not a TTY: `vitest watch` forces watch mode)
    const out = new LineLog();
    child = spawnWatch({
      PY2WASM_CACHE_DIR: cacheDir,
      PY2WASM_TARGETS: target,
      COOKBOOK_CASES: caseName,
      COOKBOOK_DIR: '',
      PY2WASM_REPORT_DIR: reportDir,
      NUITKA_CACHE_DIR: nuitkaCacheDir,
      // the checkout's py2wasm, not one of the user's
      PY2WASM: undefined,
      WASI_PYTHON_DIR: undefined,
      PY2WASM_WATCH_DIRS: undefined,
    });
    followWatch(child, out, log);
    // `✗ [1/1] chapter 4 > decorators.example1  py2wasm+node WASM_EXECUTION_FAILURE 20.1s`
    const verdictRe = new RegExp(
      `^[✓✗↓] \\[\\s*\\d+/\\d+\\] .*> ${escapeStringRegexp(caseName)}  (?:\\S+ [A-Z_]+  )*${escapeStringRegexp(target)} ([A-Z_]+)\\b`,
    );
    const isVerdict = (text: string) => verdictRe.test(text);
    const isReport = (text: string) => /^report: .*results\.json/.test(text);
    const isIdle = (text: string) => /(Watching|Waiting) for file changes/.test(text);

    const first = await out.waitFor(`the first verdict of ${caseName}`, 0, isVerdict, verdictTimeoutMs, signal);
    const firstReport = await out.waitFor('the first report', first.index, isReport, 120_000, signal);
    const before = await readRecord(reportDir, caseName, target);
    const idle = await out.waitFor('vitest to watch', firstReport.index, isIdle, 120_000, signal);
    log(`first verdict: ${before.code} (fingerprint ${before.fingerprint})`);

    // 3. the fix, saved into the checkout while vitest watches
    const file = path.join(checkout, GETSET_FILE);
    const patched = patchGetsetSignatures(await fs.readFile(file, 'utf8'));
    if (patched.count === 0) throw new Error(`no Nuitka_Function_get_/set_ signature to patch in ${file}`);
    const fromIndex = Math.max(idle.index + 1, out.lines.length);
    await fs.writeFile(file, patched.text);
    const savedAt = performance.now();
    log(`saved ${GETSET_FILE}: ${patched.count} signatures patched`);

    // 4. the re-run: its verdict, and the record in the report
    const rerun = await out.waitFor('the RERUN after the save', fromIndex, (t) => /\bRERUN\b/.test(t), 120_000, signal);
    const second = await out.waitFor(
      `the verdict of ${caseName} after the save`,
      fromIndex,
      isVerdict,
      verdictTimeoutMs,
      signal,
    );
    const secondReport = await out.waitFor('the report after the save', second.index, isReport, 120_000, signal);
    await out.waitFor('vitest to watch again', secondReport.index, isIdle, 120_000, signal);
    const after = await readRecord(reportDir, caseName, target);
    const d = after.record.durations;
    const durations = {
      pythonMs: d.pythonMs ?? 0,
      compileMs: d.compileMs ?? 0,
      wasmMs: d.wasmMs ?? 0,
      totalMs: d.totalMs,
    };
    const latencyMs = Math.round(second.at - savedAt);
    const caseMs = durations.pythonMs + durations.compileMs + durations.wasmMs;
    const text = out.text();
    const restarted =
      /Restarting (due to config changes|Vitest)/.test(text) ||
      (text.match(/^vitest-py2wasm doctor/gm) ?? []).length > 1;

    // 5. the watch process tree must not outlive the measurement
    stopped = stopWatch(child);
    const lingering = await stopped;
    return {
      latencyMs,
      caseMs,
      overheadMs: latencyMs - caseMs,
      detectMs: Math.round(rerun.at - savedAt),
      rerunStartMs: Math.round(second.at - rerun.at) - durations.totalMs,
      durations,
      before,
      after,
      patchedSignatures: patched.count,
      restarted,
      lingering,
      output: text,
    };
  } finally {
    if (child && !stopped) await stopWatch(child).catch(() => undefined);
    process.off('exit', onExit);
    if (opts.keepTemp) log(`kept ${tmp}`);
    else await fs.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** `vitest watch` on the project's cookbook config, with these variables on top of this process's. */
export function spawnWatch(env: Record<string, string | undefined>) {
  return execa('npx', ['vitest', 'watch', '--config', 'vitest.config.ts'], {
    cwd: PROJECT_ROOT,
    env: { COOKBOOK_CHAPTERS: '', NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    stdin: 'ignore',
    // its own process group: npx, vitest, its workers and everything they start die together
    detached: true,
    buffer: false,
    reject: false,
  });
}

export function killGroupSync(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Feeds the watch process's lines (colour and screen clears removed) into `out`, and its exit. */
export function followWatch(child: ReturnType<typeof spawnWatch>, out: LineLog, log: (line: string) => void): void {
  void child.then((r) => out.end(new Error(`vitest watch exited (${r.exitCode ?? r.signal})`)));
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      // vitest clears the screen before a re-run (`\x1bc\x1b[3J`, even with NO_COLOR)
      const text = stripVTControlCharacters(line);
      out.push(text);
      log(`watch | ${text}`);
    });
  }
}

/** Kills the watch tree (its group, and descendants that left it); returns the pids still alive after. */
export async function stopWatch(child: ReturnType<typeof spawnWatch>): Promise<number[]> {
  const pid = child.pid;
  if (pid === undefined) return [];
  const tree = await pidtree(pid).catch(() => [] as number[]);
  await killProcessTree(pid);
  await Promise.race([child.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
  // give the kernel a moment to take down the grandchildren
  for (let i = 0; i < 20 && (await alive(tree)).length; i++) await new Promise((r) => setTimeout(r, 100));
  return alive(tree);
}
