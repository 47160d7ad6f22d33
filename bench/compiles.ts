// Target 6: compiles. Cold sample runs (fresh compile, compiler and CPython caches) with and
// without the compiler cache; a re-run after an edit of a py2wasm C source, with and without it;
// 1 worker against 2 on a cold run, and how busy the CPUs were; each compile's phases.
// The py2wasm is an editable copy of the user's install (a link farm whose
// build/static_src/CompiledFunctionType.c is a file of its own), found through PYTHONPATH, so an
// edit changes only this copy's fingerprint. Order: A cold 2 workers without, B cold 2 workers
// with, C cold 1 worker with, then on B's folder: edit + D without, edit + E with, F warm.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  compilerCacheFor,
  compilerCacheStats,
  zeroCompilerCacheStats,
  type CompilerCacheStats,
} from '../src/tools/compiler-cache.ts';
import { detectToolchain } from '../src/toolchain/index.ts';
import { resolveExecutable } from '../src/process/which.ts';
import type { CaseRecord } from '../src/types.ts';
import {
  caseNames,
  compileStats,
  loadNote,
  makeCacheDir,
  median,
  removeDir,
  runVitest,
  sampleRecipes,
  secs,
  times,
  userCacheDir,
  verdict,
  withCpu,
  type BenchContext,
  type Row,
  type Section,
  type VitestRun,
} from './common.ts';

const EDITED = ['build', 'static_src', 'CompiledFunctionType.c'] as const;

/** A copy of the nuitka package made of links, but for the one C file the bench edits. */
async function editableCopy(packageDir: string, dest: string): Promise<{ pythonPath: string; file: string }> {
  const site = path.join(dest, 'site');
  const mirror = async (from: string, to: string, depth: number): Promise<void> => {
    await fs.mkdir(to, { recursive: true });
    for (const name of await fs.readdir(from)) {
      if (name === '__py2wasm' || name === '__pycache__') continue;
      const source = path.join(from, name);
      if (name === EDITED[depth] && depth < EDITED.length - 1) await mirror(source, path.join(to, name), depth + 1);
      else if (name === EDITED[depth]) await fs.copyFile(source, path.join(to, name));
      else await fs.symlink(source, path.join(to, name));
    }
  };
  await mirror(packageDir, path.join(site, 'nuitka'), 0);
  return { pythonPath: site, file: path.join(site, 'nuitka', ...EDITED) };
}

interface Measured {
  run: VitestRun;
  cpuMs: number;
  ccache?: CompilerCacheStats;
}

function compiled(records: CaseRecord[]): CaseRecord[] {
  return records.filter((r) => r.compile && !r.compile.cached && r.compile.phases);
}

export const compilesSection: Section = {
  name: 'compiles',
  title: '6. Compiles: compiler cache, a py2wasm C edit, 2 workers on 2 cores, phases',
  async run(ctx: BenchContext): Promise<Row[]> {
    const toolchain = await detectToolchain(userCacheDir());
    const ccache = resolveExecutable('ccache');
    if (!toolchain || !ccache)
      throw new Error(`needs the py2wasm toolchain (npx vitest-py2wasm setup) and ccache (apt-get install -y ccache)`);
    const names = caseNames(sampleRecipes(ctx.quick ? ['1', '5'] : null));
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'vitest-py2wasm-bench-compiles-'));
    const copy = await editableCopy(toolchain.nuitkaPackageDir, work);
    const env = { PY2WASM: toolchain.py2wasm[0]!, WASI_SDK_DIR: toolchain.wasiSdkDir, PYTHONPATH: copy.pythonPath };
    ctx.log(
      `  ${names.length} cases; py2wasm: an editable copy of ${toolchain.nuitkaPackageDir} (PYTHONPATH), Nuitka cache warm`,
    );
    const dirs: string[] = [];
    const measure = async (
      label: string,
      cacheDir: string,
      o: { workers: number; compilerCache: boolean },
    ): Promise<Measured> => {
      const objects = compilerCacheFor(cacheDir, 4 * 1024 ** 3, ccache);
      if (o.compilerCache) await zeroCompilerCacheStats(objects).catch(() => undefined);
      ctx.log(`  ${label}: running (${await loadNote()}) ...`);
      const { value: run, cpuMs } = await withCpu(() =>
        runVitest({
          cacheDir,
          reportDir: path.join(cacheDir, 'report'),
          maxWorkers: o.workers,
          cases: names,
          env: { ...env, PY2WASM_COMPILER_CACHE: o.compilerCache ? '1' : '0' },
        }),
      );
      const stats = o.compilerCache ? await compilerCacheStats(objects) : undefined;
      const s = compileStats(run.records);
      ctx.log(
        `  ${label}: ${secs(run.wallMs)} wall, CPU ${secs(cpuMs)} (${((cpuMs / (run.wallMs * os.availableParallelism())) * 100).toFixed(0)} % of ${os.availableParallelism()} cores), ${s.attempted - s.cached} compiled${stats ? `, ccache ${stats.hits} hits / ${stats.misses} misses` : ''}`,
      );
      return { run, cpuMs, ...(stats ? { ccache: stats } : {}) };
    };
    try {
      const fresh = async (label: string) => {
        const dir = await makeCacheDir(label, 'fresh');
        dirs.push(dir);
        return dir;
      };
      const a = await measure('A cold, 2 workers, no compiler cache', await fresh('a'), {
        workers: 2,
        compilerCache: false,
      });
      const bDir = await fresh('b');
      const b = await measure('B cold, 2 workers, compiler cache', bDir, { workers: 2, compilerCache: true });
      const c = await measure('C cold, 1 worker, compiler cache', await fresh('c'), {
        workers: 1,
        compilerCache: true,
      });
      const edit = async (n: number) => fs.appendFile(copy.file, `\n/* bench edit ${n} */\n`);
      await edit(1);
      const d = await measure('D after a C edit, no compiler cache', bDir, { workers: 2, compilerCache: false });
      await edit(2);
      const e = await measure('E after a C edit, compiler cache', bDir, { workers: 2, compilerCache: true });
      const f = await measure('F warm, nothing changed, 1 worker', bDir, { workers: 1, compilerCache: true });
      const caseSum = f.run.records.reduce((n, r) => n + r.durations.totalMs, 0);
      if (f.run.durationLine) ctx.log(`    vitest: ${f.run.durationLine}`);

      const phases = compiled(b.run.records).map((r) => r.compile!.phases!);
      const med = (k: 'pythonMs' | 'cMs' | 'linkMs') => secs(median(phases.map((p) => p[k])));
      const phasesA = compiled(a.run.records).map((r) => r.compile!.phases!);
      const medA = (k: 'pythonMs' | 'cMs' | 'linkMs') => secs(median(phasesA.map((p) => p[k])));
      const busy = b.cpuMs / (b.run.wallMs * os.availableParallelism());
      const coldRatio = a.run.wallMs / b.run.wallMs;
      const editRatio = d.run.wallMs / e.run.wallMs;
      const workersRatio = c.run.wallMs / b.run.wallMs;
      const loaded = `load ${os.loadavg()[0]!.toFixed(1)} at the end`;
      return [
        {
          id: '6a',
          target: 'per-compile phases (medians; no target)',
          measured: `with compiler cache (B, ${phases.length} compiles): Python ${med('pythonMs')}, C ${med('cMs')}, link ${med('linkMs')}; without (A): Python ${medA('pythonMs')}, C ${medA('cMs')}, link ${medA('linkMs')}`,
          ratio: 'n/a',
          verdict: 'PASS',
        },
        {
          id: '6b',
          target: 'cold sample run >= 1.5x faster with the compiler cache (2 workers)',
          measured: `without ${secs(a.run.wallMs)}, with ${secs(b.run.wallMs)} (ccache ${b.ccache?.hits ?? 0} hits / ${b.ccache?.misses ?? 0} misses)`,
          ratio: times(coldRatio),
          verdict: verdict(coldRatio >= 1.5),
          ...(coldRatio < 1.5
            ? {
                note: `a cold run shares few objects between scripts: each has its own constants blob, loader and module; ${loaded}`,
              }
            : {}),
        },
        {
          id: '6c',
          target: 're-run after a py2wasm C edit (CompiledFunctionType.c) >= 2x faster with the compiler cache',
          measured: `without ${secs(d.run.wallMs)}, with ${secs(e.run.wallMs)} (ccache ${e.ccache?.hits ?? 0} hits / ${e.ccache?.misses ?? 0} misses); ${compileStats(e.run.records).attempted - compileStats(e.run.records).cached} recompiled`,
          ratio: times(editRatio),
          verdict: verdict(editRatio >= 2),
          ...(editRatio < 2
            ? {
                note: `what stays per compile: Nuitka's Python-level pass, the constants blob written as C, the LTO link; ${loaded}`,
              }
            : {}),
        },
        {
          id: '6d',
          target: '2 workers >= 1.8x faster than 1 (cold, compiler cache)',
          measured: `1 worker ${secs(c.run.wallMs)}, 2 workers ${secs(b.run.wallMs)}`,
          ratio: times(workersRatio),
          verdict: verdict(workersRatio >= 1.8),
          ...(workersRatio < 1.8
            ? {
                note: `CPU busy with 1 worker ${((c.cpuMs / (c.run.wallMs * os.availableParallelism())) * 100).toFixed(0)} %, with 2 ${(busy * 100).toFixed(0)} %: the ratio cannot exceed 2 / the 1-worker busy share; ${loaded}`,
              }
            : {}),
        },
        {
          id: '6f',
          target: "warm npx vitest run (1 worker, nothing changed): wall clock <= 10 % over the cases' own time",
          measured: `${secs(f.run.wallMs)} wall, the cases ${secs(caseSum)} (no compile, no CPython: both cached); fixed ${secs(f.run.wallMs - caseSum)}`,
          ratio: `+${(((f.run.wallMs - caseSum) / Math.max(1, caseSum)) * 100).toFixed(0)} %`,
          verdict: verdict(f.run.wallMs <= caseSum * 1.1),
          ...(f.run.wallMs > caseSum * 1.1
            ? { note: `vitest's start, the doctor, the workers' imports and the report stay; ${loaded}` }
            : {}),
        },
        {
          id: '6e',
          target: 'CPU busy fraction of a cold 2-worker run (no target)',
          measured: `CPU ${secs(b.cpuMs)} over ${secs(b.run.wallMs)} x ${os.availableParallelism()} cores`,
          ratio: `${(busy * 100).toFixed(0)} %`,
          verdict: 'PASS',
        },
      ];
    } finally {
      for (const dir of dirs) await removeDir(dir, ctx);
      await removeDir(work, ctx);
    }
  },
};
