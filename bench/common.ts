// Shared pieces of `npm run bench`: sections and rows, the cookbook selection, bench cache folders
// (fresh compile cache, or the user's warm one, always with the user's toolchain), the run
// environment the pipeline needs, and number formatting.

import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import type { CookbookOptions } from '../src/config/cookbook-options.ts';
import { PROJECT_ROOT, resolveOptions, SAMPLE_COOKBOOK, type ResolvedOptions } from '../src/config/options.ts';
import { discoverCookbook, type CookbookRecipe } from '../src/discover/discover.ts';
import { buildEnvironment, type RunEnvironment } from '../src/run/environment.ts';
import { runDoctor } from '../src/doctor/doctor.ts';
import { detectToolchain } from '../src/toolchain/index.ts';
import type { CaseRecord, RunResults } from '../src/types.ts';
import { readRunResults } from '../src/records/read.ts';

export type Verdict = 'PASS' | 'MISS' | 'ERROR';

/** One line of the final table. */
export interface Row {
  /** Target number and letter, e.g. `1a`. */
  id: string;
  target: string;
  /** Raw figures, e.g. `bare 1,234 ms/case, harness 1,250 ms/case`. */
  measured: string;
  ratio: string;
  verdict: Verdict;
  /** Why, for a MISS or an ERROR. */
  note?: string;
}

export interface BenchContext {
  quick: boolean;
  /** Repetitions of the warm, short measurements. */
  reps: number;
  /** Size of the large synthetic frame set of the symbolization section. */
  frames: number;
  /** Keep the bench's temporary folders (for a look afterwards). */
  keep: boolean;
  log: (line: string) => void;
}

/**
 * A section of the benchmark. Sections run one after another (2 cores: never two at once).
 * To add one (the watch-latency section, target 4), write a module exporting a Section and list
 * it in SECTIONS in bench.ts; its rows join the final table.
 */
export interface Section {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}

/** The target every measurement uses. */
export const BENCH_TARGET = 'py2wasm+node';
/** The sample's cases that only end when killed (CPython timeout, wasm timeout): left out so timeouts do not dominate. */
export const TIMEOUT_ONLY_CASES = ['busy.*', 'threads.example2'];
/** The sample's timeouts, as vitest.config.ts sets them when no COOKBOOK_DIR is given. */
export const SAMPLE_TIMEOUTS = { pythonMs: 10_000, wasmMs: 20_000 };
/** `--quick`: chapters of the cold-suite section (4 + 4 compiles, one file each: balanced for 2 workers). */
export const QUICK_CHAPTERS = ['1', '5'];

/** Variables that would change which suite runs or where it writes: the bench sets its own. */
const SUITE_ENV_KEYS = [
  'COOKBOOK_DIR',
  'COOKBOOK_CHAPTERS',
  'COOKBOOK_CASES',
  'PY2WASM_TARGETS',
  'PY2WASM_CACHE_DIR',
  'PY2WASM_REPORT_DIR',
  'PY2WASM_BASELINE',
  'PY2WASM_WATCH_DIRS',
  'VITEST_PY2WASM_KEEP_SCRATCH',
  'PY2WASM_COMPILER_CACHE',
  'PY2WASM_PYTHON_CACHE',
];

/** The environment for the bench's children (vitest runs) and for resolveOptions. */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of SUITE_ENV_KEYS) delete env[key];
  return { ...env, ...extra };
}

/** The user's cache folder (PY2WASM_CACHE_DIR or `~/.cache/vitest-py2wasm`): toolchain, Nuitka cache, warm compiles. */
export function userCacheDir(): string {
  return resolveOptions({}, process.env).cacheDir;
}

/** The sample cookbook's recipes minus the timeout-only cases, optionally only some chapters. */
export function sampleRecipes(chapters: string[] | null = null): CookbookRecipe[] {
  return discoverCookbook(SAMPLE_COOKBOOK, { chapters, exclude: TIMEOUT_ONLY_CASES }).flatMap((c) => c.recipes);
}

export function caseNames(recipes: CookbookRecipe[]): string[] {
  return recipes.flatMap((r) => r.cases.map((c) => c.name));
}

/**
 * A cache folder for one measurement, under os.tmpdir(). It borrows from the user's cache, by
 * symlink: the toolchain (so nothing is set up again), the Nuitka cache (warm: stated in the
 * output) and the per-stem py2wasm locks (py2wasm builds in a fixed folder of its install per
 * script stem: a concurrent run elsewhere must wait for ours and we for it). The compile cache
 * is either fresh (`cold`) or the user's own (`shared`, warm).
 */
export async function makeCacheDir(label: string, compile: 'fresh' | 'shared'): Promise<string> {
  const source = userCacheDir();
  if (!process.env.PY2WASM && !(await detectToolchain(source))) {
    throw new Error(
      `no py2wasm toolchain in ${source}: run \`npx vitest-py2wasm setup\` (or set PY2WASM and WASI_SDK_DIR) before the benchmark`,
    );
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `vitest-py2wasm-bench-${label}-`));
  const borrowed = ['toolchain', 'nuitka-cache', 'py2wasm-locks', ...(compile === 'shared' ? ['compile'] : [])];
  for (const name of borrowed) {
    const target = path.join(source, name);
    await fs.mkdir(target, { recursive: true });
    await fs.symlink(target, path.join(dir, name), 'dir');
  }
  return dir;
}

export async function removeDir(dir: string, ctx: BenchContext): Promise<void> {
  if (ctx.keep) {
    ctx.log(`  kept ${dir}`);
    return;
  }
  // symlinked folders are removed as links: the user's cache is never touched
  await fs.rm(dir, { recursive: true, force: true });
}

/** Options as the cookbook suite resolves them for the sample, with the bench's cache folder. */
export function sampleOptions(cacheDir: string, extra: CookbookOptions = {}): ResolvedOptions {
  return resolveOptions(
    { timeouts: SAMPLE_TIMEOUTS, targets: [BENCH_TARGET], autoSetup: false, ...extra },
    benchEnv({ PY2WASM_CACHE_DIR: cacheDir }),
  );
}

/** What a test file builds before its cases: the doctor's findings turned into a run environment. */
export async function runEnvironment(options: ResolvedOptions): Promise<RunEnvironment> {
  const report = await runDoctor(options);
  const env = buildEnvironment(options, report.availability);
  const missing = env.missing[BENCH_TARGET];
  if (missing) throw new Error(`${BENCH_TARGET} cannot run here: ${missing}`);
  return env;
}

/** 1-minute load average and the CPU count, to print next to every section (2 cores: contention shows). */
export async function loadNote(): Promise<string> {
  const load = await fs.readFile('/proc/loadavg', 'utf8').then(
    (t) => t.split(' ')[0],
    () => undefined,
  );
  return `load ${load ?? os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs`;
}

/** Other processes compiling with py2wasm/Nuitka right now (another run on this machine), by pid. */
export async function foreignCompilers(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await fs.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await fs.readFile(path.join('/proc', entry, 'cmdline'), 'utf8').catch(() => '');
    if (/nuitka\/__main__\.py|bin\/py2wasm\b|Backend\.scons/.test(cmdline)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * CPU time so far (user + sys, ms): this process's own, and that of its children it has waited
 * for, theirs included (Linux /proc/self/stat, 10 ms ticks). Waiting for a CPU does not count, so
 * it shows what a run costs even on a loaded machine.
 */
export function cpuNow(): { selfMs: number; childrenMs: number } {
  const u = process.cpuUsage();
  let childrenMs = Number.NaN;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after the name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14
    childrenMs = ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
  } catch {
    // not Linux: no children figure
  }
  return { selfMs: (u.user + u.system) / 1000, childrenMs };
}
const CLOCK_TICKS = 100;

/** CPU ms spent while `fn` ran: this process's own plus its children's (`childrenMs` alone too). */
export async function withCpu<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; cpuMs: number; childrenMs: number; wallMs: number }> {
  const before = cpuNow();
  const s = performance.now();
  const value = await fn();
  const wallMs = performance.now() - s;
  const after = cpuNow();
  const childrenMs = after.childrenMs - before.childrenMs;
  return { value, cpuMs: after.selfMs - before.selfMs + childrenMs, childrenMs, wallMs };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mean(values: number[]): number {
  return values.reduce((n, v) => n + v, 0) / Math.max(1, values.length);
}

export function ms(value: number): string {
  return `${Math.round(value).toLocaleString('en-US')} ms`;
}

export function secs(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}

export function pct(ratio: number): string {
  const p = (ratio - 1) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(2)} %`;
}

export function times(ratio: number): string {
  return `${ratio.toFixed(ratio >= 100 ? 0 : 1)}x`;
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'PASS' : 'MISS';
}

export function whichTime(): string | null {
  return existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
}

/** Fixed-width table. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface VitestRun {
  /** From spawning `npx vitest run` to its exit. */
  wallMs: number;
  exitCode: number | undefined;
  records: CaseRecord[];
  /** vitest's own `Duration ... (transform, setup, import, tests, environment)` line. */
  durationLine?: string;
}

/**
 * `npx <args>` in the project, as a user runs it: only the given environment, no stdin, never
 * rejected (the caller reads the exit code and the report), stdout and stderr also interleaved in `all`.
 */
export function npxInProject(args: string[], env: NodeJS.ProcessEnv) {
  return execa('npx', args, { cwd: PROJECT_ROOT, env, extendEnv: false, stdin: 'ignore', reject: false, all: true });
}

/**
 * `npx vitest run` of the cookbook suite (vitest.config.ts, the sample) on the given cases, with
 * the bench's cache folder and a report folder of its own. The sample always has failing cases,
 * so vitest exits 1: the run counts when results.json holds one record per case.
 */
export async function runVitest(o: {
  cacheDir: string;
  reportDir: string;
  maxWorkers: number;
  cases: string[];
  env?: Record<string, string>;
}): Promise<VitestRun> {
  const env = benchEnv({
    ...o.env,
    PY2WASM_CACHE_DIR: o.cacheDir,
    PY2WASM_REPORT_DIR: o.reportDir,
    PY2WASM_TARGETS: BENCH_TARGET,
    COOKBOOK_CASES: o.cases.join(','),
  });
  await fs.rm(path.join(o.reportDir, 'results.json'), { force: true });
  const started = performance.now();
  const child = await npxInProject(['vitest', 'run', `--maxWorkers=${o.maxWorkers}`], env);
  const wallMs = performance.now() - started;
  const tail = () =>
    String(child.all ?? '')
      .trimEnd()
      .split('\n')
      .slice(-25)
      .join('\n');
  let results: RunResults;
  try {
    results = await readRunResults(path.join(o.reportDir, 'results.json'));
  } catch (error) {
    throw new Error(
      `npx vitest run wrote no results.json (exit ${child.exitCode}): ${(error as Error).message}\n${tail()}`,
    );
  }
  const got = new Set(results.records.map((r) => r.case));
  const lost = o.cases.filter((c) => !got.has(c));
  if (lost.length || results.records.length !== o.cases.length) {
    throw new Error(
      `npx vitest run gave ${results.records.length} records for ${o.cases.length} cases (missing: ${lost.join(', ') || 'none'})\n${tail()}`,
    );
  }
  const durationLine = stripVTControlCharacters(String(child.all ?? ''))
    .split('\n')
    .find((l) => /^\s*Duration\s/.test(l))
    ?.trim();
  return { wallMs, exitCode: child.exitCode, records: results.records, ...(durationLine ? { durationLine } : {}) };
}

/** Compile figures of a run's records: how many compiled, how many came from the cache. */
export function compileStats(records: CaseRecord[]): {
  attempted: number;
  cached: number;
  compiledMs: number;
  stems: number;
  residualMs: number;
} {
  const withCompile = records.filter((r) => r.compile);
  const compiled = withCompile.filter((r) => !r.compile!.cached);
  // time of a case outside CPython, py2wasm and the wasm: mostly the wait for a per-stem py2wasm lock
  const residualMs = records.reduce(
    (n, r) =>
      n +
      Math.max(
        0,
        r.durations.totalMs - (r.durations.pythonMs ?? 0) - (r.durations.compileMs ?? 0) - (r.durations.wasmMs ?? 0),
      ),
    0,
  );
  return {
    attempted: withCompile.length,
    cached: withCompile.length - compiled.length,
    compiledMs: compiled.reduce((n, r) => n + r.compile!.durationMs, 0),
    stems: new Set(compiled.map((r) => r.example)).size,
    residualMs,
  };
}
