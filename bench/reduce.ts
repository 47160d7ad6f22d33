// Reduce: compiles and wall time to reduce the sample's decorators.example1 (the getset_get trap)
// with 1 and with 2 compile slots, each from an empty compile cache (toolchain and Nuitka cache
// borrowed, warm), through the real CLI. The two must end in the same reproducer.

import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from '../src/config/options.ts';
import {
  BENCH_TARGET,
  benchEnv,
  makeCacheDir,
  removeDir,
  secs,
  times,
  verdict,
  type BenchContext,
  type Row,
  type Section,
} from './common.ts';

const CASE = 'decorators.example1';

interface ReduceRun {
  wallMs: number;
  compiles: number;
  tests: number;
  lines: number;
  script: string;
}

async function reduceOnce(slots: number, ctx: BenchContext): Promise<ReduceRun> {
  const cacheDir = await makeCacheDir(`reduce-${slots}`, 'fresh');
  const out = path.join(cacheDir, 'out');
  try {
    const started = performance.now();
    const run = await execa(
      'node',
      [
        path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs'),
        'reduce',
        CASE,
        '--target',
        BENCH_TARGET,
        '--out',
        out,
        '--fresh',
      ],
      {
        cwd: PROJECT_ROOT,
        env: benchEnv({ PY2WASM_CACHE_DIR: cacheDir, PY2WASM_COMPILE_SLOTS: String(slots), COOKBOOK_DIR: '' }),
        reject: false,
        all: true,
      },
    );
    const wallMs = performance.now() - started;
    if (run.exitCode !== 0)
      throw new Error(`reduce with ${slots} slot(s) failed (${run.exitCode}): ${String(run.all).slice(-800)}`);
    const summary = JSON.parse(await fs.readFile(path.join(out, 'reduce.json'), 'utf8')) as {
      compiles: number;
      tests: number;
      reduced: { lines: number };
    };
    const script = await fs.readFile(path.join(out, 'files', 'example1.py'), 'utf8');
    ctx.log(
      `  ${slots} slot(s): ${secs(wallMs)}, ${summary.compiles} compiles, ${summary.tests} candidates, ${summary.reduced.lines} lines`,
    );
    return { wallMs, compiles: summary.compiles, tests: summary.tests, lines: summary.reduced.lines, script };
  } finally {
    await removeDir(cacheDir, ctx);
  }
}

export const reduceSection: Section = {
  name: 'reduce',
  title: 'R. Reduce decorators.example1 to a minimal reproducer, 1 vs 2 compile slots (cold compile cache)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const one = await reduceOnce(1, ctx);
    const two = await reduceOnce(2, ctx);
    const same = one.script === two.script;
    const ratio = one.wallMs / two.wallMs;
    return [
      {
        id: 'R',
        target: 'reduce: 2 compile slots faster than 1, same reproducer',
        measured: `1 slot ${secs(one.wallMs)} (${one.compiles} compiles, ${one.tests} candidates); 2 slots ${secs(two.wallMs)} (${two.compiles} compiles, ${two.tests} candidates); ${one.lines} lines`,
        ratio: times(ratio),
        verdict: verdict(same && ratio > 1),
        ...(same ? {} : { note: 'the two reductions ended in different scripts' }),
      },
    ];
  },
};
