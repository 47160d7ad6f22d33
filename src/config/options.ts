// CookbookOptions (cookbook-options.ts) and the environment resolved into ResolvedOptions, checked
// once; the project's own paths; target names.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordTargetOf } from '../records/target.ts';
import { KNOWN_COMPILERS, type CaptureLimits, type TargetSpec } from '../types.ts';
import { validateBypassOptions } from './bypass-rules.ts';
import type { DiagnoseMode, IwasmMode, ScratchScope } from './choices.ts';
import { DEFAULTS, type CommandSpec, type CookbookOptions, type NormalizationOptions } from './cookbook-options.ts';
import { applyEnv, envProblem } from './env-overrides.ts';
import { ConfigError } from './errors.ts';
import { resolveRuntimeTemplates, type ResolvedRuntimeTemplate } from './runtimes.ts';
import { resolveWamr, variantOfRuntime, type ResolvedWamr } from './wamr.ts';
import { validateOptions } from './validate.ts';

export interface ResolvedTools {
  python: string[];
  py2wasm: string[] | null;
  iwasm: string[] | null;
  iwasmDebug: string[] | null;
  iwasmDebugMode: IwasmMode;
  node: string[];
  wasmtime: string[] | null;
  symbolizer: string[];
  wasiPythonDir: string | null;
  wasiSdkDir: string | null;
}

export interface ResolvedOptions {
  root: string;
  /** true when no cookbook was given and the sample cookbook is used */
  isSample: boolean;
  chapters: string[] | null;
  cases: string[] | null;
  exclude: string[];
  targets: TargetSpec[];
  /** whether targets came from the user (explicit) or were chosen by default */
  targetsExplicit: boolean;
  tools: ResolvedTools;
  timeouts: { pythonMs: number; compileMs: number; wasmMs: number; debugWasmMs: number };
  cacheDir: string;
  cacheMaxBytes: number;
  reportDir: string;
  scope: ScratchScope;
  bypass: { cases: string[]; imports: string[]; useDefaults: boolean };
  normalize: Required<Omit<NormalizationOptions, 'only'>> & { only: string[] | null };
  capture: CaptureLimits;
  autoSetup: boolean;
  py2wasmSpec: string;
  strictTools: boolean;
  baseline: boolean;
  baselineDir: string | null;
  compileSlots: number;
  /** 0: a test file per chapter */
  shardFiles: number;
  /** null: the report folder's results.json */
  shardDurations: string | null;
  watchDirs: string[];
  /** configured runtimes by name (built-ins not included) */
  runtimes: Record<string, ResolvedRuntimeTemplate>;
  wamr: ResolvedWamr | null;
  diagnose: DiagnoseMode;
  diagnoseBudgetMs: number;
  compilerCache: boolean;
  wasmRunCache: boolean;
  rerunCpythonOnDifference: boolean;
  /** null: off */
  pythonCache: { exclude: string[] } | null;
  env: Record<string, string>;
}

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE_COOKBOOK = path.join(PROJECT_ROOT, 'cookbook-tests', 'sample');
export const RUNNERS_DIR = path.join(PROJECT_ROOT, 'runners');

export { KNOWN_COMPILERS };
export const KNOWN_RUNTIMES = ['iwasm', 'node', 'wasmtime'] as const;

export { ConfigError };

/** `compiler+runtime` (read by recordTargetOf); the runtime is a built-in, `iwasm:<variant>` or one of `configured`. */
export function parseTarget(name: string, configured: readonly string[] = []): TargetSpec {
  const target = recordTargetOf(name.trim());
  const knownRuntime = (r: string | undefined) =>
    r !== undefined &&
    (KNOWN_RUNTIMES.includes(r as (typeof KNOWN_RUNTIMES)[number]) ||
      configured.includes(r) ||
      variantOfRuntime(r) !== undefined);
  if (target.compiler === undefined || !knownRuntime(target.runtime)) {
    throw new ConfigError(
      `unknown target "${name}": write compiler+runtime with compiler one of ${KNOWN_COMPILERS.join(', ')} and runtime one of ${[...KNOWN_RUNTIMES, ...configured].join(', ')} or iwasm:<variant> (e.g. py2wasm+iwasm)`,
    );
  }
  return target;
}

/** Outside the clone, so a fresh clone (and CI) reuses the toolchain and compiled wasm. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'vitest-py2wasm');
}

function toCommand(spec: CommandSpec | undefined): string[] | null {
  if (spec === undefined || spec === '') return null;
  const cmd = Array.isArray(spec) ? spec : [spec];
  return cmd.length > 0 ? [...cmd] : null;
}

const warnOnStderr = (message: string) => process.stderr.write(`vitest-py2wasm: ${message}\n`);

/** Runs `resolve`; a ConfigError it throws about a value a variable set names that variable. */
function blamingEnv<T>(setBy: Map<string, string>, name: string, env: NodeJS.ProcessEnv, resolve: () => T): T {
  const variable = setBy.get(name);
  if (!variable) return resolve();
  try {
    return resolve();
  } catch (error) {
    if (error instanceof ConfigError) throw envProblem(variable, env[variable] ?? '', error.message);
    throw error;
  }
}

/** The report folder the options name, resolved against `base` (the vitest root, for the plugin). */
export function reportDirOf(options: CookbookOptions, base: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(base, applyEnv(options, env).options.reportDir ?? DEFAULTS.reportDir);
}

/**
 * Options from vitest.config.ts, checked once (validate.ts), with the environment read through the
 * option table (env-overrides.ts: one precedence for every option, PRECEDENCE). Pure: env is passed in.
 */
export function resolveOptions(
  config: CookbookOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  warn: (message: string) => void = warnOnStderr,
): ResolvedOptions {
  validateOptions(config, warn);
  const { options, setBy } = applyEnv(config, env);
  const root = options.root ? path.resolve(cwd, options.root) : SAMPLE_COOKBOOK;
  const cacheDir = path.resolve(cwd, options.cacheDir || defaultCacheDir(env));
  const tools = options.tools ?? {};
  const iwasm = toCommand(tools.iwasm);
  const runtimes = resolveRuntimeTemplates(options.runtimes, KNOWN_RUNTIMES);
  const wamr = resolveWamr(options.wamr, cwd);
  const defaultTargets = iwasm
    ? ['py2wasm+iwasm']
    : wamr
      ? wamr.variants.map((v) => `py2wasm+iwasm:${v}`)
      : ['py2wasm+node'];
  const targets = blamingEnv(setBy, 'targets', env, () =>
    (options.targets ?? defaultTargets).map((t) => parseTarget(t, Object.keys(runtimes))),
  );
  // a variant named by a target is built even when `wamr.variants` leaves it out
  if (wamr)
    wamr.variants = [...new Set([...wamr.variants, ...targets.flatMap((t) => variantOfRuntime(t.runtime) ?? [])])];
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new ConfigError(`target ${t.name} is listed twice`);
    seen.add(t.name);
  }
  if (options.bypass !== undefined) validateBypassOptions(options.bypass);
  const pythonCache = options.pythonCache ?? DEFAULTS.pythonCache;
  return {
    root,
    isSample: !options.root,
    // `01` and `1` name one chapter, as the folders `01/` and `1/` do
    chapters: options.chapters?.map((c) => String(Number(c))) ?? null,
    cases: options.cases ?? null,
    exclude: options.exclude ?? [],
    targets,
    targetsExplicit: options.targets !== undefined,
    tools: {
      python: toCommand(tools.python) ?? [...DEFAULTS.tools.python],
      py2wasm: toCommand(tools.py2wasm),
      iwasm,
      iwasmDebug: toCommand(tools.iwasmDebug),
      iwasmDebugMode: tools.iwasmDebugMode ?? DEFAULTS.tools.iwasmDebugMode,
      node: toCommand(tools.node) ?? [process.execPath],
      wasmtime: toCommand(tools.wasmtime),
      symbolizer: toCommand(tools.symbolizer) ?? [...DEFAULTS.tools.symbolizer],
      wasiPythonDir: tools.wasiPythonDir || null,
      wasiSdkDir: tools.wasiSdkDir || null,
    },
    timeouts: { ...DEFAULTS.timeouts, ...options.timeouts },
    cacheDir,
    cacheMaxBytes: options.cacheMaxBytes ?? DEFAULTS.cacheMaxBytes,
    reportDir: path.resolve(cwd, options.reportDir || DEFAULTS.reportDir),
    scope: options.scope ?? DEFAULTS.scope,
    bypass: {
      cases: options.bypass?.cases ?? [],
      imports: options.bypass?.imports ?? [],
      useDefaults: options.bypass?.useDefaults ?? DEFAULTS.bypass.useDefaults,
    },
    normalize: {
      disable: options.normalize?.disable ?? [],
      enable: options.normalize?.enable ?? [],
      extra: options.normalize?.extra ?? [],
      only: options.normalize?.only ?? null,
    },
    capture: { ...DEFAULTS.capture, ...options.capture },
    autoSetup: options.autoSetup ?? DEFAULTS.autoSetup,
    py2wasmSpec: options.py2wasmSpec || DEFAULTS.py2wasmSpec,
    strictTools: options.strictTools ?? env.CI === 'true',
    baseline: options.baseline ?? DEFAULTS.baseline,
    baselineDir: options.baselineDir ? path.resolve(cwd, options.baselineDir) : null,
    compileSlots: options.compileSlots ?? DEFAULTS.compileSlots,
    shardFiles: options.shardFiles ?? DEFAULTS.shardFiles,
    shardDurations: options.shardDurations ? path.resolve(cwd, options.shardDurations) : null,
    watchDirs: (options.watchDirs ?? []).map((d) => path.resolve(cwd, d)),
    runtimes,
    wamr,
    diagnose: options.diagnose ?? DEFAULTS.diagnose,
    diagnoseBudgetMs: options.diagnoseBudgetMs ?? DEFAULTS.diagnoseBudgetMs,
    compilerCache: options.compilerCache ?? DEFAULTS.compilerCache,
    wasmRunCache: options.wasmRunCache ?? DEFAULTS.wasmRunCache,
    rerunCpythonOnDifference: options.rerunCpythonOnDifference ?? DEFAULTS.rerunCpythonOnDifference,
    // PY2WASM_PYTHON_CACHE=1 turns the cache on and keeps the config's exclusions
    pythonCache:
      pythonCache === false
        ? null
        : { exclude: (typeof config.pythonCache === 'object' ? config.pythonCache.exclude : undefined) ?? [] },
    env: { ...options.env },
  };
}
