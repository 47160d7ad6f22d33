// Target 9: the fix stage's verification costs a patched file's compile, not a case's.
// 9a: the sample's four signature-mismatch cases compiled cold (fresh compile cache and compiler
// cache, warm Nuitka cache), then `vitest-py2wasm fix` verifying the signature patch on them, as
// a user runs it: per verified case against per cold compile, and the compiler cache's misses
// over the verification (target: none but the patched files themselves). 9b: `fix --all` on the
// whole sample (the user's warm compile cache): every verified patch together, every case re-run.

import fs from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { FixEntry, FixesFile } from '../src/fix/results.ts';
import { tally } from '../src/fix/results.ts';
import {
  BENCH_TARGET,
  benchEnv,
  npxInProject,
  caseNames,
  compileStats,
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

const MISMATCH_CASES = [
  'decorators.example1',
  'properties.example1',
  'call_chain.example1',
  'progress_output.example1',
];

/**
 * `npx vitest-py2wasm fix ...` as a user runs it, on a bench cache and report folder. Its progress
 * lines time the verification apart from the proposal before it (the signature sweep compiles the
 * package's static_src with clang once).
 */
async function runFixCommand(
  args: string[],
  cacheDir: string,
  reportDir: string,
): Promise<{ wallMs: number; verifyMs: number; file: FixesFile }> {
  const started = performance.now();
  const child = npxInProject(
    ['vitest-py2wasm', 'fix', ...args, '--target', BENCH_TARGET],
    benchEnv({ PY2WASM_CACHE_DIR: cacheDir, PY2WASM_REPORT_DIR: reportDir }),
  );
  let verifyStarted: number | undefined;
  // by whole lines: a chunk may end inside the progress line that marks the start
  if (child.stderr)
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (verifyStarted === undefined && /^fix: (verifying|--all:) /.test(line)) verifyStarted = performance.now();
    });
  const done = await child;
  const ended = performance.now();
  const fixesJson = path.join(reportDir, 'fixes', 'fixes.json');
  const file = await fs.readFile(fixesJson, 'utf8').then(
    (t) => JSON.parse(t) as FixesFile,
    () => {
      throw new Error(
        `vitest-py2wasm fix ${args.join(' ')} wrote no fixes.json (exit ${done.exitCode}):\n${String(done.all).slice(-3000)}`,
      );
    },
  );
  return { wallMs: ended - started, verifyMs: ended - (verifyStarted ?? started), file };
}

function signatureFix(file: FixesFile): FixEntry {
  const entry = file.fixes.find((f) => f.kind === 'signature-mismatch');
  if (!entry)
    throw new Error(`no signature-mismatch patch proposed (fixes: ${file.fixes.map((f) => f.kind).join(', ')})`);
  return entry;
}

function tallyText(t: ReturnType<typeof tally>): string {
  return `${t.fixed} fixed, ${t.stillFailing} still failing, ${t.regressed} regressed, ${t.stillOk} still OK`;
}

async function verifyAgainstCold(ctx: BenchContext): Promise<Row> {
  const cacheDir = await makeCacheDir('fix', 'fresh');
  const reportDir = path.join(cacheDir, 'report');
  try {
    const cold = await runVitest({ cacheDir, reportDir, maxWorkers: 1, cases: MISMATCH_CASES });
    const stats = compileStats(cold.records);
    const coldPerCase = stats.compiledMs / Math.max(1, stats.attempted - stats.cached);
    ctx.log(`  cold: ${secs(cold.wallMs)} wall, ${stats.attempted - stats.cached} compiles, ${secs(coldPerCase)} each`);
    const fix = await runFixCommand(['--sample', '0'], cacheDir, reportDir);
    const entry = signatureFix(fix.file);
    const perCase = fix.verifyMs / Math.max(1, entry.verified.length);
    const cc = entry.compilerCache;
    ctx.log(
      `  fix: ${secs(fix.wallMs)} wall, of it verifying ${secs(fix.verifyMs)} for ${entry.verified.length} cases (${tallyText(tally(entry.verified))}); ` +
        `patch changes ${entry.files.length} file(s); compiler cache ${cc ? `${cc.hits} hits, ${cc.misses} misses over ${cc.compiles} compiles` : 'off'}`,
    );
    const ratio = perCase / coldPerCase;
    const onlyPatchedFiles = cc !== undefined && cc.misses <= entry.files.length;
    return {
      id: '9a',
      target:
        'verifying the signature fix on the 4 mismatch cases: no C compile but the patched files (time per case against a cold compile of it, a figure)',
      measured:
        `verification ${secs(perCase)}/case (patched-package compile + wasm run + comparison; the whole command ${secs(fix.wallMs)}) against a cold compile ${secs(coldPerCase)}/case; ` +
        `compiler cache over the verification: ${cc ? `${cc.misses} misses for ${entry.files.length} patched file(s), ${cc.hits} hits` : 'off'}; ${tallyText(tally(entry.verified))}`,
      ratio: times(ratio),
      verdict: verdict(onlyPatchedFiles),
      ...(onlyPatchedFiles ? {} : { note: 'the verification compiled C files the patch did not change' }),
    };
  } finally {
    await removeDir(cacheDir, ctx);
  }
}

async function fixAllOnSample(ctx: BenchContext): Promise<Row> {
  const cacheDir = await makeCacheDir('fix-all', 'shared');
  const reportDir = path.join(cacheDir, 'report');
  try {
    const cases = caseNames(sampleRecipes(ctx.quick ? ['1', '5'] : null));
    const run = await runVitest({ cacheDir, reportDir, maxWorkers: 2, cases });
    ctx.log(`  sample run (${cases.length} cases, user's compile cache): ${secs(run.wallMs)}`);
    const all = await runFixCommand(['--all', '--sample', '0'], cacheDir, reportDir);
    const verified = all.file.all?.verified ?? [];
    const t = tally(verified);
    ctx.log(
      `  fix --all: ${secs(all.wallMs)} (re-running ${secs(all.verifyMs)}); ${tallyText(t)}; patches ${all.file.all?.patches.join(', ') ?? 'none'}`,
    );
    return {
      id: '9b',
      target: '`fix --all` on the sample (figures: every verified patch together, every case re-run)',
      measured: `${secs(all.wallMs)} for ${cases.length} cases (sample run before it ${secs(run.wallMs)}); ${tallyText(t)}`,
      ratio: times(all.wallMs / run.wallMs),
      verdict: verdict(t.regressed === 0 && t.fixed > 0),
      ...(t.regressed === 0 && t.fixed > 0 ? {} : { note: 'fix --all fixed nothing or regressed a case' }),
    };
  } finally {
    await removeDir(cacheDir, ctx);
  }
}

export const fixSection: Section = {
  name: 'fix',
  title: '9. Fix: verifying a patch against compiling cold; fix --all on the sample',
  async run(ctx: BenchContext): Promise<Row[]> {
    return [await verifyAgainstCold(ctx), await fixAllOnSample(ctx)];
  },
};
