import path from 'node:path';
import { classifyCompile, classifyPython, type Verdict } from '../classify/classify.ts';
import { runtimeDisagreement, triage } from '../classify/triage.ts';
import { storedTarget } from '../records/target.ts';
import { judgeWasmRun } from '../classify/wasm-verdict.ts';
import { normalizationRules, type NormalizationRule } from '../normalize/normalize.ts';
import { sideStdoutDigest } from '../compare/stream-digest.ts';
import type { CookbookCase, CookbookRecipe } from '../discover/discover.ts';
import { codeName } from '../records.ts';
import { ImportScanError, scanImports, type ImportRef } from '../tools/import-scan.ts';
import { wasiPythonMapping, type WasmRunRequest } from '../tools/runtimes/runtime.ts';
import {
  CaseErrorCode,
  RECORD_SCHEMA_VERSION,
  type BypassedRecord,
  type CaseRecord,
  type CompileOutcome,
  type ProcessOutcome,
  type RanRecord,
  type RunParts,
  type RuntimeRun,
  type TargetSpec,
} from '../types.ts';
import { bypassReason, checksImports } from './bypass.ts';
import { CachedPythonSide, type PythonRunContext } from './python-cache.ts';
import { CachedWasmSide } from './wasm-run-cache.ts';
import { statKey } from '../process/files.ts';
import { RecipeCompiler, type CompileVariant } from './recipe-compiler.ts';
import { guestCaseEnv, hostCaseEnv } from './case-env.ts';
import type { RunEnvironment } from './environment.ts';
import { copyRecipe, placeWasm, removeScratch } from './scratch.ts';

/** What a ran record gets beyond its verdict: the sides' outcomes and the durations so far. */
type RanParts = RunParts & Partial<Pick<RanRecord, 'durations'>>;

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/**
 * Runs the cases of one recipe. Each side (CPython, each target) works in its own scratch copy
 * of the pristine recipe. With scope 'recipe' the copy is shared by the recipe's cases, run in
 * file order, so an example that reads what an earlier sibling wrote behaves as in the old run.
 */
export class RecipeRunner {
  private readonly sides = new Map<string, Promise<string>>();
  private readonly rules: NormalizationRule[];
  private readonly python: CachedPythonSide;
  private readonly wasm: CachedWasmSide;
  private readonly compiler: RecipeCompiler;

  constructor(
    readonly env: RunEnvironment,
    private readonly recipe: CookbookRecipe,
    private readonly scratchParent: string,
  ) {
    const o = env.options;
    this.rules = normalizationRules(o);
    this.compiler = new RecipeCompiler(env, recipe, scratchParent);
    this.python = new CachedPythonSide(
      o.pythonCache && { dir: path.join(o.cacheDir, 'python'), exclude: o.pythonCache.exclude },
      recipe.dir,
      o.scope === 'recipe',
    );
    this.wasm = new CachedWasmSide(
      o.wasmRunCache ? path.join(o.cacheDir, 'wasm-runs') : null,
      recipe.dir,
      o.scope === 'recipe',
    );
  }

  private side(name: string, kase: CookbookCase): Promise<string> {
    const key = this.env.options.scope === 'case' ? `${name}/${kase.example}` : name;
    let dir = this.sides.get(key);
    if (!dir) {
      dir = copyRecipe(this.recipe.dir, this.scratchParent, `${this.recipe.chapter}-${this.recipe.recipe}-${name}`);
      this.sides.set(key, dir);
    }
    return dir;
  }

  async dispose(): Promise<void> {
    if (process.env.VITEST_PY2WASM_KEEP_SCRATCH === '1') return;
    const dirs = await Promise.allSettled([...this.sides.values()]);
    await Promise.all(dirs.flatMap((d) => (d.status === 'fulfilled' ? [removeScratch(d.value)] : [])));
    this.sides.clear();
  }

  /** One record per target. Throws MissingToolError when a target's tool is missing in strict mode. */
  async runCase(kase: CookbookCase, signal?: AbortSignal): Promise<CaseRecord[]> {
    const started = performance.now();
    const o = this.env.options;
    const base = (target: TargetSpec) => ({
      schemaVersion: RECORD_SCHEMA_VERSION,
      chapter: kase.chapter,
      recipe: kase.recipe,
      example: kase.example,
      case: kase.name,
      target: storedTarget(target),
      scriptPath: kase.scriptPath,
      tools: this.env.tools,
    });
    const totalMs = () => Math.round(performance.now() - started);
    const finish = (target: TargetSpec, verdict: Verdict, extra: RanParts): RanRecord => ({
      ...base(target),
      code: verdict.code,
      codeName: codeName(verdict.code),
      msg: verdict.msg,
      ...extra,
      durations: { ...extra.durations, totalMs: totalMs() },
    });
    const skip = (target: TargetSpec, reason: string, extra: Pick<BypassedRecord, 'python' | 'durations'>) =>
      ({
        ...base(target),
        code: CaseErrorCode.BYPASS,
        codeName: 'BYPASS',
        msg: reason,
        bypassReason: reason,
        ...extra,
        durations: { ...extra.durations, totalMs: totalMs() },
      }) satisfies BypassedRecord;

    const bypass = bypassReason(kase.name, await this.importsOf(kase), o.bypass);
    if (bypass) {
      return o.targets.map((t) => skip(t, bypass, { durations: { totalMs: 0 } }));
    }
    const unavailable = o.targets.filter((t) => this.env.missing[t.name]);
    if (unavailable.length && o.strictTools) {
      throw new MissingToolError(unavailable.map((t) => `${t.name}: ${this.env.missing[t.name]}`).join('\n'));
    }
    const skipForMissing = (target: TargetSpec, extra: Pick<BypassedRecord, 'python' | 'durations'>) =>
      skip(target, `missing tool: ${this.env.missing[target.name]}`, extra);
    // nothing can run (no CPython, or no tool of any target): do not start what cannot be compared
    if (unavailable.length === o.targets.length)
      return o.targets.map((t) => skipForMissing(t, { durations: { totalMs: 0 } }));

    const pyDir = await this.side('cpython', kase);
    const python = await this.python.run(kase, pyDir, await this.pythonContext(pyDir, kase), signal);
    const pythonMs = python.cached ? 0 : python.durationMs;
    const pyVerdict = classifyPython(python);
    if (pyVerdict) {
      this.compiler.stopPrefetched(kase);
      return o.targets.map((t) => finish(t, pyVerdict, { python, durations: { pythonMs, totalMs: 0 } }));
    }

    const records: Array<RanRecord | BypassedRecord> = [];
    for (const target of o.targets) {
      if (this.env.missing[target.name]) {
        records.push(skipForMissing(target, { python, durations: { pythonMs, totalMs: 0 } }));
        continue;
      }
      records.push(await this.runTarget(target, kase, python, pyDir, finish, signal));
    }
    const verdict = triage(records);
    const disagreement = runtimeDisagreement(records);
    return verdict
      ? records.map((r) => ({ ...r, triage: verdict, ...(disagreement ? { disagreement } : {}) }))
      : records;
  }

  private async runTarget(
    target: TargetSpec,
    kase: CookbookCase,
    python: ProcessOutcome,
    pyDir: string,
    finish: (target: TargetSpec, verdict: Verdict, extra: RanParts) => RanRecord,
    signal?: AbortSignal,
  ): Promise<RanRecord> {
    const o = this.env.options;
    const durations: RanRecord['durations'] = { pythonMs: python.cached ? 0 : python.durationMs, totalMs: 0 };
    let compile: CompileOutcome | undefined;
    const dir = await this.side(target.name, kase);
    let request: WasmRunRequest;
    let module: string | null;
    let place: (() => Promise<void>) | undefined;
    if (target.compiler === 'py2wasm') {
      compile = await this.compile(kase, signal);
      durations.compileMs = compile.cached ? 0 : compile.durationMs;
      const failed = classifyCompile(compile);
      if (failed) return finish(target, failed, { python, compile, durations });
      const wasmFile = `${kase.example}.wasm`;
      const wasmPath = compile.wasmPath!;
      place = () => placeWasm(wasmPath, path.join(dir, wasmFile));
      module = compile.wasmSha256 ?? null;
      request = { cwd: dir, wasmFile, env: guestCaseEnv(o.env), timeoutMs: o.timeouts.wasmMs, capture: o.capture };
    } else {
      const wasiPython = this.env.wasiPython!;
      const mapping = wasiPythonMapping(wasiPython.libDir);
      module = `${wasiPython.wasm}\0${await statKey(wasiPython.wasm)}`;
      request = {
        cwd: dir,
        wasmFile: wasiPython.wasm,
        args: [path.basename(kase.scriptPath)],
        ...mapping,
        env: guestCaseEnv(o.env, mapping.env),
        timeoutMs: o.timeouts.wasmMs,
        capture: o.capture,
      };
    }
    const runtime = this.env.runtimes[target.runtime]!;
    const { stdoutDigest, normalizedBy } = sideStdoutDigest(this.rules, dir, path.basename(kase.scriptPath));
    const wasm: RuntimeRun = await this.wasm.run(
      kase,
      { runtime, module, request: { ...request, stdoutDigest }, normalizedBy, ...(place ? { place } : {}) },
      signal,
    );
    durations.wasmMs = wasm.cached ? 0 : wasm.durationMs;
    const { comparison, ...verdict } = await judgeWasmRun(
      python,
      wasm,
      this.rules,
      {
        // the copies and their private parents (HOME, TMPDIR)
        scratchDirs: [pyDir, dir, path.dirname(pyDir), path.dirname(dir)],
        scriptName: path.basename(kase.scriptPath),
      },
      this.cpythonAgain(kase, signal),
    );
    return finish(target, verdict, {
      python,
      ...(compile ? { compile } : {}),
      wasm,
      ...(comparison ? { comparison } : {}),
      durations,
    });
  }

  private async pythonContext(dir: string, kase: CookbookCase): Promise<PythonRunContext> {
    const o = this.env.options;
    return {
      python: o.tools.python,
      pythonVersion: this.env.tools.python ?? '',
      env: await hostCaseEnv(dir, o.env),
      timeoutMs: o.timeouts.pythonMs,
      capture: o.capture,
      ...sideStdoutDigest(this.rules, dir, path.basename(kase.scriptPath)),
    };
  }

  private readonly secondRuns = new Map<string, Promise<ProcessOutcome>>();

  /**
   * The case's second CPython run, for a comparison that masks what CPython prints differently each
   * time; undefined when the options turn that off. Once per case (the diagnose stage's verdicts
   * reuse it), in a fresh scratch copy of its own, through the CPython cache.
   */
  cpythonAgain(kase: CookbookCase, signal?: AbortSignal): (() => Promise<ProcessOutcome>) | undefined {
    if (!this.env.options.rerunCpythonOnDifference) return undefined;
    return () => {
      let run = this.secondRuns.get(kase.name);
      if (!run) {
        run = this.side(`cpython-again.${kase.example}`, kase).then(async (dir) =>
          this.python.runAgain(kase, dir, await this.pythonContext(dir, kase), signal),
        );
        this.secondRuns.set(kase.name, run);
        // a cancelled run says nothing: asked again, it runs again
        void run.then(
          () => signal?.aborted && this.secondRuns.delete(kase.name),
          () => this.secondRuns.delete(kase.name),
        );
      }
      return run;
    };
  }

  private imports?: Promise<Map<string, ImportRef[]>>;

  /** The script's imports; the first case scans every case of the recipe at once (one CPython process). */
  private async importsOf(kase: CookbookCase): Promise<ImportRef[]> {
    const o = this.env.options;
    if (!checksImports(o.bypass)) return [];
    const scan = (files: string[]) =>
      // no CPython to start: no import is known, and every target is skipped for the missing CPython
      scanImports(o.tools.python, files, { timeoutMs: o.timeouts.pythonMs }).catch((error: unknown) => {
        if (error instanceof ImportScanError && !error.started) return new Map<string, ImportRef[]>();
        throw error;
      });
    this.imports ??= scan(this.recipe.cases.map((c) => c.scriptPath));
    const found = (await this.imports).get(kase.scriptPath);
    return found ?? (await scan([kase.scriptPath])).get(kase.scriptPath) ?? [];
  }

  /** Starts a case's compile ahead of its turn when a core is free (see RecipeCompiler.prefetch). */
  prefetchCompile(kase: CookbookCase): Promise<void> {
    return this.compiler.prefetch(kase, this.importsOf(kase));
  }

  /** The case's wasm, compiled once per option set for all py2wasm targets (see RecipeCompiler.compile). */
  compile(kase: CookbookCase, signal?: AbortSignal, variant: CompileVariant = {}): Promise<CompileOutcome> {
    return this.compiler.compile(kase, signal, variant);
  }
}
