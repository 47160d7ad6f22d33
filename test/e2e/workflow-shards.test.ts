import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, resolveOptions } from '../../src/config/options.ts';
import { ensureToolchain } from '../../src/toolchain/index.ts';
import type { RunResults } from '../../src/types.ts';
import { comparableRun, comparableStacks, comparableSummary } from '../helpers/comparable-run.ts';
import {
  expand,
  findStep,
  readWorkflow,
  runStep,
  type StepRun,
  type Workflow,
  type WorkflowStep,
} from '../helpers/workflow.ts';
import { readRunResults } from '../../src/records/read.ts';

// examples/github-actions/cookbook.yml's own commands, run here as its jobs run them: each job in
// its own copy of the project and its own cache folder. The run before (unsharded, on the default
// cache: warm where the sample ran before) exports its cache with the workflow's export step; two
// shards import that archive into empty cache folders, run their shard and export again; the merge
// job merges their blobs, compares with the run before, and must equal it.
const WORKFLOW_FILE = path.join(PROJECT_ROOT, 'examples', 'github-actions', 'cookbook.yml');
// a bypass, a CPython failure, a compile failure and a trap (a failure group with a call stack)
const CASES = 'processes.example1,errors.example1,nuitka_options.example1,decorators.example1';
const SHARDS = 2;

let work: string;
let workflow: Workflow;
let toolchainEnv: Record<string, string>;

/**
 * A job's workspace, as actions/checkout and npm ci leave it on a fresh machine: the project's
 * tracked files and its node_modules, always at the same path, as GitHub gives every job of a
 * repository (a merge finds the shards' test files by their paths relative to it).
 */
async function workspace(): Promise<string> {
  const dir = path.join(work, 'repo');
  await fs.rm(dir, { recursive: true, force: true });
  const files = (await execa('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT })).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.copyFile(path.join(PROJECT_ROOT, file), path.join(dir, file)).catch(() => undefined); // deleted, not committed
  }
  await fs.symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** What outlives a job (an actions/cache entry, an artifact): copied out of its workspace. */
const keep = (from: string, name: string) => fs.cp(from, path.join(work, 'kept', name), { recursive: true });
const kept = (name: string) => path.join(work, 'kept', name);

const jobEnv = (cacheDir: string, tools = true) => ({
  ...(tools ? toolchainEnv : {}),
  COOKBOOK_CASES: CASES,
  PY2WASM_CACHE_DIR: cacheDir,
  NO_COLOR: '1',
  CI: 'true', // as on GitHub's runners
});

/** The `with.path` of the step of `job` that uses `action` and matches `pick`. */
function withPath(job: string, action: string, pick: (s: WorkflowStep) => boolean = () => true): string {
  const step = workflow.jobs[job]?.steps.find((s) => s.uses?.split('@')[0] === action && pick(s));
  const p = step?.with?.path;
  if (typeof p !== 'string') throw new Error(`the workflow's job ${job} has no ${action} step with a path`);
  return p;
}

const readResults = async (file: string) => await readRunResults(file);
const reportDir = () => workflow.env?.PY2WASM_REPORT_DIR ?? 'py2wasm-report';

const cachePath = () => findStep(workflow, 'shard', 'actions/cache/save').with!.path as string;

let single: RunResults;
let keys: Array<Record<string, string>>;
const shardRuns: StepRun[] = [];

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'workflow-shards-'));
  workflow = await readWorkflow(WORKFLOW_FILE);
  const defaultCache = resolveOptions().cacheDir;
  const toolchain = await ensureToolchain({ cacheDir: defaultCache, verify: false });
  toolchainEnv = { PY2WASM: toolchain.py2wasm.join(' '), WASI_SDK_DIR: toolchain.wasiSdkDir };

  // the run before: one unsharded run; its cache exported by the workflow's step, its report kept
  const previous = await workspace();
  const run = await execa('npx', ['vitest', 'run'], {
    cwd: previous,
    env: { ...workflow.env, ...jobEnv(defaultCache) },
    reject: false,
    all: true,
  });
  expect(run.exitCode, run.all?.slice(-3000)).toBe(1); // failing cases, as the sample has
  single = await readResults(path.join(previous, reportDir(), 'results.json'));
  const exported = await runStep(workflow, findStep(workflow, 'shard', 'cache-export'), {
    cwd: previous,
    env: jobEnv(defaultCache),
    summary: path.join(work, 'previous-summary.md'),
  });
  expect(exported.exitCode, exported.output).toBe(0);
  await keep(path.join(previous, cachePath()), 'cache');
  await keep(path.join(previous, reportDir()), 'report');

  keys = [];
  for (let index = 1; index <= SHARDS; index++) await shardJob(index);
}, 30 * 60_000);
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function shardJob(index: number): Promise<void> {
  const dir = await workspace();
  const opts = { cwd: dir, env: jobEnv(path.join(work, `cache-${index}`)), summary: path.join(work, 'summary.md') };
  const key = await runStep(workflow, findStep(workflow, 'shard', 'cache-key'), opts);
  expect(key.exitCode, key.output).toBe(0);
  keys.push(key.outputs);
  // actions/cache restores the run before's cache folder; download-artifact its report
  expect(findStep(workflow, 'shard', 'actions/cache/restore').with!.path).toBe(cachePath());
  await fs.cp(kept('cache'), path.join(dir, cachePath()), { recursive: true });
  const lastReport = path.join(dir, withPath('shard', 'actions/download-artifact'));
  await fs.cp(kept('report'), lastReport, { recursive: true });
  const imported = await runStep(workflow, findStep(workflow, 'shard', 'cache-import'), opts);
  expect(imported.output).toMatch(/imported [1-9]\d* files/);
  const context = { 'matrix.shard': index, 'strategy.job-total': SHARDS };
  const shard = await runStep(workflow, findStep(workflow, 'shard', 'shard'), { ...opts, context });
  expect(shard.exitCode, shard.output.slice(-3000)).toBe(0);
  shardRuns.push(shard);
  const exported = await runStep(workflow, findStep(workflow, 'shard', 'cache-export'), opts);
  expect(exported.exitCode, exported.output).toBe(0);
  await keep(path.join(dir, withPath('shard', 'actions/upload-artifact')), `blob-${index}`);
}

/** The merge job on a fresh workspace given these shards' blobs: no toolchain, an empty cache. */
async function mergeJob(shards: number[]) {
  const dir = await workspace();
  const blobs = path.join(
    dir,
    withPath('merge', 'actions/download-artifact', (s) => s.with?.pattern === 'blob-*'),
  );
  await fs.mkdir(blobs, { recursive: true });
  for (const i of shards) await fs.cp(kept(`blob-${i}`), blobs, { recursive: true });
  const summary = path.join(work, `merge-${shards.join('-')}-summary.md`);
  const opts = { cwd: dir, env: jobEnv(path.join(work, 'cache-merge'), false), summary };
  const merge = await runStep(workflow, findStep(workflow, 'merge', 'merge'), opts);
  return { dir, opts, merge };
}

describe('the workflow sharded and merged equals one run', () => {
  let merged: Awaited<ReturnType<typeof mergeJob>>;
  beforeAll(async () => {
    merged = await mergeJob([1, 2]);
  }, 10 * 60_000);

  it('shards from the matrix 1..N, each planning the same balanced files from the last report', () => {
    const matrix = workflow.jobs.shard?.strategy?.matrix?.shard;
    expect(matrix).toEqual(Array.from({ length: matrix?.length ?? 0 }, (_, i) => i + 1));
    const plans = shardRuns.map((r) => /balanced by the durations in .*\(plan (\w+)\)/.exec(r.output)?.[1]);
    expect(plans[0]).toBeDefined();
    expect(plans[1]).toBe(plans[0]);
  });

  it('saves each shard cache under a key the next run restores', () => {
    expect(keys[0]?.key).toMatch(/^py2wasm-[\w.]+-\w+-sdk-\w+$/);
    expect(keys[1]).toEqual(keys[0]);
    const restore = findStep(workflow, 'shard', 'actions/cache/restore').with!;
    const save = findStep(workflow, 'shard', 'actions/cache/save').with!;
    const ctx = (shard: number, runId: number) => ({
      'steps.cache-key.outputs.key': keys[0]!.key!,
      'steps.cache-key.outputs.restore-key': keys[0]!['restore-key']!,
      'matrix.shard': shard,
      'strategy.job-total': 4,
      'github.run_id': runId,
      'github.run_attempt': 1,
    });
    const saved = (shard: number) => expand(String(save.key), ctx(shard, 100));
    const restoreKeys = (shard: number) => expand(String(restore['restore-keys']), ctx(shard, 101)).trim().split('\n');
    expect(restoreKeys(2)).toHaveLength(3);
    expect(saved(2).startsWith(restoreKeys(2)[0]!)).toBe(true); // its own shard's last
    expect(saved(3).startsWith(restoreKeys(2)[0]!)).toBe(false);
    expect(saved(3).startsWith(restoreKeys(2)[1]!)).toBe(true); // another shard's
    expect(saved(3).startsWith(restoreKeys(2)[2]!)).toBe(true); // the same py2wasm version's
  });

  it('merges into the same codes, failure groups and call stacks, with the summary in the step summary', async () => {
    expect(merged.merge.exitCode, merged.merge.output.slice(-3000)).toBe(0);
    expect(merged.merge.output).not.toContain('setting up the py2wasm toolchain');
    const report = path.join(merged.dir, reportDir());
    const results = await readResults(path.join(report, 'results.json'));
    expect(single.records.map((r) => r.codeName).sort()).toEqual([
      'BYPASS',
      'COMPILATION_FAILURE',
      'PY_EXECUTION_FAILURE',
      'WASM_EXECUTION_FAILURE',
    ]);
    expect(comparableRun(results)).toEqual(comparableRun(single));
    const stacks = (dir: string) => comparableStacks(path.join(dir, 'callstacks.json'));
    expect(await stacks(report)).toEqual(await stacks(kept('report')));
    const summaryMd = (dir: string) => fs.readFile(path.join(dir, 'summary.md'), 'utf8');
    expect(comparableSummary(await summaryMd(report))).toBe(comparableSummary(await summaryMd(kept('report'))));
    expect(await fs.readFile(merged.opts.summary, 'utf8')).toContain(await summaryMd(report));
  });

  it('passes compare against the run before, and fails it against a report in which the trap had passed', async () => {
    const compare = findStep(workflow, 'merge', 'compare');
    const lastReport = path.join(
      merged.dir,
      withPath('merge', 'actions/download-artifact', (s) => s.with?.name === 'py2wasm-report'),
    );
    await fs.cp(kept('report'), lastReport, { recursive: true });
    const opts = { ...merged.opts, context: { 'github.base_ref': 'main' } };
    const same = await runStep(workflow, compare, opts);
    expect(same.exitCode, same.output).toBe(0);
    expect(await fs.readFile(merged.opts.summary, 'utf8')).toContain("## Against main's last report");

    const better = structuredClone(single);
    for (const r of better.records.filter((r) => r.codeName === 'WASM_EXECUTION_FAILURE'))
      Object.assign(r, { code: 0, codeName: 'OK', msg: '' });
    await fs.writeFile(path.join(lastReport, 'results.json'), JSON.stringify(better));
    const regressed = await runStep(workflow, compare, opts);
    expect(regressed.exitCode, regressed.output).toBe(1);
    expect(regressed.output).toContain('decorators.example1');
  });

  it('fails a merge that lacks a shard, naming the missing test files', async () => {
    const { merge } = await mergeJob([1]);
    expect(merge.exitCode).not.toBe(0);
    expect(merge.output).toMatch(
      /the merged run fails: the merged reports hold 2 of the 4 balanced test files \(missing: 3, 4\)/,
    );
  });
});
