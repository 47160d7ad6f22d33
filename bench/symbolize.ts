// Target 3: batched symbolization (symbolizeFrames: one llvm-symbolizer process per wasm) against
// one process per frame (symbolizePerFrame), same frames, identical results, on a real py2wasm
// output: the sample's decorators.example1 (compiled through the pipeline and its compile cache),
// its frames from a real Node WASI trap parsed with parseNodeWasiOutput. Node prints at most 10
// frames, so per-frame can never cost much more than 10 processes there: a large frame set (the
// function-start offsets of `--frames` functions of the same wasm) shows how each way scales.
// Peak RSS of the symbolizer process comes from /usr/bin/time (or a python rusage wrapper) used as
// the symbolizer command, in runs separate from the timed ones.

import { deepStrictEqual } from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SAMPLE_COOKBOOK } from '../src/config/options.ts';
import { discoverCookbook } from '../src/discover/discover.ts';
import { parseNodeWasiOutput } from '../src/parse/node-output.ts';
import { parseWasmModule } from '../src/parse/wasm-sections.ts';
import { RecipeRunner } from '../src/run/pipeline.ts';
import { copyRecipe, placeWasm, removeScratch } from '../src/run/scratch.ts';
import { runProcess } from '../src/process/run.ts';
import { symbolizeFrames, symbolizePerFrame, type SymbolizedFrame } from '../src/tools/symbolizer.ts';
import { resolveExecutable } from '../src/process/which.ts';
import type { RawFrame } from '../src/types.ts';
import {
  loadNote,
  makeCacheDir,
  median,
  ms,
  removeDir,
  runEnvironment,
  sampleOptions,
  times,
  verdict,
  whichTime,
  type BenchContext,
  type Row,
  type Section,
} from './common.ts';

const CASE = 'decorators.example1';
const SPEED_LIMIT = 20;
const RSS_LIMIT_MB = 200;

/** The compiled wasm of the case and the frames of its real trap under Node's WASI. */
async function realTrap(
  cacheDir: string,
  ctx: BenchContext,
): Promise<{ wasm: string; frames: RawFrame[]; trap: string; symbolizer: string }> {
  const options = sampleOptions(cacheDir, { cases: [CASE] });
  const env = await runEnvironment(options);
  const recipe = discoverCookbook(SAMPLE_COOKBOOK, { cases: [CASE] }).flatMap((c) => c.recipes)[0];
  if (!recipe) throw new Error(`${CASE} is not in the sample cookbook`);
  const scratch = path.join(cacheDir, 'scratch');
  await fs.mkdir(scratch, { recursive: true });
  const runner = new RecipeRunner(env, recipe, scratch);
  const [record] = await runner.runCase(recipe.cases[0]!);
  await runner.dispose();
  const wasm = record?.compile?.wasmPath;
  if (!wasm) throw new Error(`${CASE} did not compile: ${record?.msg ?? 'no record'}`);
  ctx.log(
    `  ${CASE}: ${record.codeName}, wasm ${record.compile!.cached ? 'from the compile cache' : 'compiled now'} (${((record.compile!.wasmSize ?? 0) / 1e6).toFixed(1)} MB)`,
  );

  // the trap, run again here so the frames come straight from parseNodeWasiOutput
  const dir = await copyRecipe(recipe.dir, scratch, 'symbolize');
  try {
    const wasmFile = `${recipe.cases[0]!.example}.wasm`;
    await placeWasm(wasm, path.join(dir, wasmFile));
    const command = env.runtimes.node!.commandFor({ cwd: dir, wasmFile, timeoutMs: options.timeouts.wasmMs });
    const out = await runProcess(command, {
      cwd: dir,
      timeoutMs: options.timeouts.wasmMs,
      env: { NODE_OPTIONS: undefined },
    });
    const parsed = parseNodeWasiOutput(out.stderr.text);
    if (!parsed.trap || parsed.frames.length === 0)
      throw new Error(`${CASE} did not trap under Node WASI (exit ${out.exitCode}): ${out.stderr.text.slice(-500)}`);
    const symbolizer = resolveExecutable(options.tools.symbolizer[0]!) ?? resolveExecutable('llvm-symbolizer');
    if (!symbolizer)
      throw new Error(
        `llvm-symbolizer not found (${options.tools.symbolizer[0]}): apt-get install -y llvm-19 or set LLVM_SYMBOLIZER`,
      );
    return { wasm, frames: parsed.frames, trap: parsed.trap.message, symbolizer };
  } finally {
    await removeScratch(dir);
  }
}

/** `count` function-start offsets spread evenly over the module's defined functions. */
async function functionStarts(wasm: string, count: number): Promise<{ frames: RawFrame[]; functions: number }> {
  const info = parseWasmModule(await fs.readFile(wasm));
  const bodies = info.bodies;
  const n = Math.min(count, bodies.length);
  const frames: RawFrame[] = [];
  for (let i = 0; i < n; i++) {
    const body = bodies[Math.floor((i * bodies.length) / n)]!;
    const name = info.functionNames.get(body.index);
    frames.push({
      index: i,
      offset: body.start,
      funcIndex: body.index,
      thread: 0,
      addressSpace: 'module-offset',
      ...(name !== undefined ? { name } : {}),
    });
  }
  return { frames, functions: bodies.length };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const s = performance.now();
  const value = await fn();
  return { ms: performance.now() - s, value };
}

/** Peak RSS (MB) of every symbolizer process `fn` starts, through a wrapper command. */
async function peakRss(
  dir: string,
  symbolizer: string,
  fn: (command: string[]) => Promise<unknown>,
): Promise<number[]> {
  const file = path.join(dir, `rss-${Math.random().toString(36).slice(2)}.txt`);
  const time = whichTime();
  const command = time
    ? [time, '-a', '-o', file, '-f', '%M', symbolizer]
    : [
        'python3',
        '-c',
        'import resource,subprocess,sys; r=subprocess.call(sys.argv[2:]); open(sys.argv[1],"a").write("%d\\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r)',
        file,
        symbolizer,
      ];
  await fn(command);
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const kb = text
    .split('\n')
    .map((l) => Number.parseInt(l.trim(), 10))
    .filter((v) => Number.isFinite(v));
  if (kb.length === 0) throw new Error(`no RSS figure from ${command[0]}`);
  return kb.map((k) => k / 1024);
}

const withAddress = (frames: SymbolizedFrame[]) => frames.filter((f) => f.address !== undefined).length;

export const symbolizeSection: Section = {
  name: 'symbolize',
  title: '3. Batched symbolization vs one llvm-symbolizer process per frame (real py2wasm wasm)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const cacheDir = await makeCacheDir('symbolize', 'shared');
    try {
      const { wasm, frames, trap, symbolizer } = await realTrap(cacheDir, ctx);
      const opts = { symbolizer: [symbolizer] };
      ctx.log(`  trap: ${trap}; ${frames.length} frames; symbolizer ${symbolizer} (${await loadNote()})`);

      // real stack: alternate the two ways, median of each
      const reps = Math.max(5, ctx.reps * 2 + 1);
      const batchedMs: number[] = [];
      const perFrameMs: number[] = [];
      let reference: SymbolizedFrame[] | undefined;
      for (let i = 0; i < reps; i++) {
        const batched = () => timed(() => symbolizeFrames(wasm, frames, opts));
        const perFrame = () => timed(() => symbolizePerFrame(wasm, frames, opts));
        let b: { ms: number; value: SymbolizedFrame[] };
        let p: { ms: number; value: SymbolizedFrame[] };
        if (i % 2 === 0) {
          b = await batched();
          p = await perFrame();
        } else {
          p = await perFrame();
          b = await batched();
        }
        deepStrictEqual(b.value, p.value, 'batched and per-frame symbolization differ on the real stack');
        if (reference) deepStrictEqual(b.value, reference, 'batched symbolization is not stable from run to run');
        reference ??= b.value;
        batchedMs.push(b.ms);
        perFrameMs.push(p.ms);
      }
      const realLookups = withAddress(reference!);
      const top = reference!.slice(0, 3).map((f) => {
        const l = f.locations.at(-1)!;
        return `${l.function}${l.file ? ` ${path.basename(l.file)}:${l.line ?? '?'}` : ''}`;
      });
      ctx.log(
        `  real stack: batched ${ms(median(batchedMs))}, per-frame ${ms(median(perFrameMs))} (${realLookups} processes), medians of ${reps}; identical; top frames: ${top.join(' | ')}`,
      );

      // large set: the function-start offsets of many functions of the same wasm
      const large = await functionStarts(wasm, ctx.frames);
      ctx.log(
        `  large set: ${large.frames.length} function starts of ${large.functions} functions; per-frame runs ${large.frames.length} processes (${await loadNote()}) ...`,
      );
      const bigBatchedRuns = [await timed(() => symbolizeFrames(wasm, large.frames, opts))];
      const bigPer = await timed(() => symbolizePerFrame(wasm, large.frames, opts));
      bigBatchedRuns.push(await timed(() => symbolizeFrames(wasm, large.frames, opts)));
      deepStrictEqual(
        bigBatchedRuns[0]!.value,
        bigPer.value,
        'batched and per-frame symbolization differ on the large set',
      );
      deepStrictEqual(bigBatchedRuns[1]!.value, bigPer.value, 'batched symbolization is not stable on the large set');
      const bigBatchedMs = median(bigBatchedRuns.map((r) => r.ms));
      const bigLookups = withAddress(bigPer.value);
      const resolved = bigPer.value.filter((f) => f.locations.some((l) => l.file !== undefined)).length;
      ctx.log(
        `  large set: batched ${ms(bigBatchedMs)} (median of 2), per-frame ${ms(bigPer.ms)} (${bigLookups} processes); identical; ${resolved} frames with a file:line`,
      );

      // peak RSS, in separate runs (the wrapper costs a process of its own)
      const rssBatchedBig = Math.max(
        ...(await peakRss(cacheDir, symbolizer, (c) => symbolizeFrames(wasm, large.frames, { symbolizer: c }))),
      );
      const rssBatchedReal = Math.max(
        ...(await peakRss(cacheDir, symbolizer, (c) => symbolizeFrames(wasm, frames, { symbolizer: c }))),
      );
      const rssPerFrameReal = Math.max(
        ...(await peakRss(cacheDir, symbolizer, (c) => symbolizePerFrame(wasm, frames, { symbolizer: c }))),
      );
      ctx.log(
        `  peak RSS of the symbolizer: batched large set ${rssBatchedBig.toFixed(0)} MB, batched real stack ${rssBatchedReal.toFixed(0)} MB, per-frame real stack max ${rssPerFrameReal.toFixed(0)} MB (${whichTime() ?? 'python rusage wrapper'})`,
      );

      const realRatio = median(perFrameMs) / median(batchedMs);
      const bigRatio = bigPer.ms / bigBatchedMs;
      const worstRss = Math.max(rssBatchedBig, rssBatchedReal);
      return [
        {
          id: '3a',
          target: `batched >= 20x faster than per-frame, real stack (${CASE}, Node WASI trap)`,
          measured: `per-frame ${ms(median(perFrameMs))} (${realLookups} processes), batched ${ms(median(batchedMs))} (1 process), ${frames.length} frames, identical`,
          ratio: times(realRatio),
          verdict: verdict(realRatio >= SPEED_LIMIT),
          ...(realRatio < SPEED_LIMIT
            ? { note: `bounded by the stack: ${realLookups} lookups can save at most ${realLookups} process starts` }
            : {}),
        },
        {
          id: '3b',
          target: `batched >= 20x faster than per-frame, ${large.frames.length} function starts of the same wasm`,
          measured: `per-frame ${ms(bigPer.ms)} (${bigLookups} processes), batched ${ms(bigBatchedMs)} (1 process), identical`,
          ratio: times(bigRatio),
          verdict: verdict(bigRatio >= SPEED_LIMIT),
        },
        {
          id: '3c',
          target: 'symbolizer peak RSS < 200 MB (batched)',
          measured: `large set ${rssBatchedBig.toFixed(0)} MB, real stack ${rssBatchedReal.toFixed(0)} MB (per-frame ${rssPerFrameReal.toFixed(0)} MB)`,
          ratio: `${((worstRss / RSS_LIMIT_MB) * 100).toFixed(0)} % of limit`,
          verdict: verdict(worstRss < RSS_LIMIT_MB),
        },
      ];
    } finally {
      await removeDir(cacheDir, ctx);
    }
  },
};
