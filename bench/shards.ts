// Target 10: balanced shards. The sample run once unsharded from a fresh compile cache (its
// per-case durations), then `vitest run --shard=i/4` four times, one after another, each from a
// fresh compile cache of its own as four CI machines without a cache would, with the cases spread
// over 8 test files by those durations (shardFiles / shardDurations); the shards' blob reports are
// merged to check every case ran once. Target: the longest shard within 1.3x of the total / 4.

import path from 'node:path';
import { readRunResults } from '../src/records/read.ts';
import {
  BENCH_TARGET,
  benchEnv,
  npxInProject,
  caseNames,
  makeCacheDir,
  removeDir,
  runVitest,
  sampleRecipes,
  secs,
  times,
  verdict,
  type BenchContext,
  type Row,
  type Section,
} from './common.ts';

const SHARDS = 4;
const FILES = 8;
const LIMIT = 1.3;

export const shardsSection: Section = {
  name: 'shards',
  title: '10. Balanced shards: 4 shards of the sample, each from a cold compile cache',
  async run(ctx: BenchContext): Promise<Row[]> {
    const cases = caseNames(sampleRecipes(ctx.quick ? ['1', '5'] : null));
    const first = await makeCacheDir('shards-durations', 'fresh');
    const dirs = [first];
    try {
      const reportDir = path.join(first, 'report');
      const single = await runVitest({ cacheDir: first, reportDir, maxWorkers: 2, cases });
      ctx.log(`  unsharded cold run (the durations): ${secs(single.wallMs)}`);
      const env = (cacheDir: string, report: string) =>
        benchEnv({
          PY2WASM_CACHE_DIR: cacheDir,
          PY2WASM_REPORT_DIR: report,
          PY2WASM_TARGETS: BENCH_TARGET,
          COOKBOOK_CASES: cases.join(','),
          PY2WASM_SHARD_FILES: String(FILES),
          PY2WASM_SHARD_DURATIONS: path.join(reportDir, 'results.json'),
        });
      const blobs = path.join(first, 'blobs');
      const walls: number[] = [];
      for (let shard = 1; shard <= SHARDS; shard++) {
        const cacheDir = await makeCacheDir(`shard-${shard}`, 'fresh');
        dirs.push(cacheDir);
        const started = performance.now();
        const run = await npxInProject(
          [
            'vitest',
            'run',
            '--maxWorkers=2',
            `--shard=${shard}/${SHARDS}`,
            '--reporter=blob',
            `--outputFile=${path.join(blobs, `blob-${shard}-${SHARDS}.json`)}`,
          ],
          env(cacheDir, path.join(cacheDir, 'report')),
        );
        walls.push(performance.now() - started);
        ctx.log(`  shard ${shard}/${SHARDS}: ${secs(walls.at(-1)!)} (exit ${run.exitCode})`);
      }
      const mergedDir = path.join(first, 'merged');
      const merge = await npxInProject(['vitest', `--merge-reports=${blobs}`], env(first, mergedDir));
      const merged = await readRunResults(path.join(mergedDir, 'results.json')).catch((error: unknown) => {
        throw new Error(
          `the merge wrote no readable results.json (exit ${merge.exitCode}): ${(error as Error).message}\n${String(merge.all).slice(-3000)}`,
        );
      });
      const total = walls.reduce((a, b) => a + b, 0);
      const ratio = Math.max(...walls) / (total / SHARDS);
      const complete = merged.records.length === cases.length;
      return [
        {
          id: '10',
          target: `4 balanced shards of the sample (cold, ${FILES} files): the longest within ${LIMIT}x of the total / 4`,
          measured: `shards ${walls.map(secs).join(', ')} (total ${secs(total)}; the unsharded cold run ${secs(single.wallMs)}); merged ${merged.records.length} of ${cases.length} cases`,
          ratio: times(ratio),
          verdict: verdict(complete && ratio <= LIMIT),
          ...(complete ? {} : { note: 'the merged report lacks cases' }),
        },
      ];
    } finally {
      for (const dir of dirs) await removeDir(dir, ctx);
    }
  },
};
