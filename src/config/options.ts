// CookbookOptions (cookbook-options.ts) and the environment resolved into ResolvedOptions, checked
// once; the project's own paths; target names.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaptureLimits, TargetSpec } from '../types.ts';
import { validateBypassOptions } from './bypass-rules.ts';
import { DEFAULTS, type CommandSpec, type CookbookOptions, type NormalizationOptions } from './cookbook-options.ts';
import { ConfigError } from './errors.ts';
import { resolveRuntimeTemplates, type ResolvedRuntimeTemplate } from './runtimes.ts';
import { resolveWamr, variantOfRuntime, type ResolvedWamr } from './wamr.ts';
import { validateOptions } from './validate.ts';

export interface ResolvedTools {
  python: string[];
  py2wasm: string[] | null;
  iwasm: string[] | null;
  iwasmDebug: string[] | null;
  iwasmDebugMode: 'interp' | 'fast-interp' | 'aot';
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
  scope: 'recipe' | 'case';
  bypass: { cases: string[]; imports: string[]; useDefaults: boolean };
  normalize: Required<Omit<NormalizationOptions, 'only'>> & { only: string[] | null };
  capture: CaptureLimits;
  autoSetup: boolean;
  py2wasmSpec: string;
  strictTools: boolean;
  baseline: boolean;
  baselineDir: string | null;
  compileSlots: number;
  watchDirs: string[];
  /** configured runtimes by name (built-ins not included) */
  runtimes: Record<string, ResolvedRuntimeTemplate>;
  wamr: ResolvedWamr | null;
  diagnose: 'group' | 'case' | 'off';
  diagnoseBudgetMs: number;
  compilerCache: boolean;
  /** null: off */
  pythonCache: { exclude: string[] } | null;
  env: Record<string, string>;
}

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLE_COOKBOOK = path.join(PROJECT_ROOT, 'cookbook-tests', 'sample');
export const RUNNERS_DIR = path.join(PROJECT_ROOT, 'runners');

export const KNOWN_COMPILERS = ['py2wasm', 'wasi-python'] as const;
export const KNOWN_RUNTIMES = ['iwasm', 'node', 'wasmtime'] as const;

export { ConfigError };

/** `compiler+runtime`; the runtime is a built-in, `iwasm:<variant>` or one of `configured`. */
export function parseTarget(name: string, configured: readonly string[] = []): TargetSpec {
  const [compiler, runtime, ...rest] = name.trim().split('+');
  const knownRuntime = (r: string | undefined) =>
    r !== undefined &&
    (KNOWN_RUNTIMES.includes(r as (typeof KNOWN_RUNTIMES)[number]) ||
      configured.includes(r) ||
      variantOfRuntime(r) !== undefined);
  if (
    rest.length > 0 ||
    !KNOWN_COMPILERS.includes(compiler as (typeof KNOWN_COMPILERS)[number]) ||
    !knownRuntime(runtime)
  ) {
    throw new ConfigError(
      `unknown target "${name}": write compiler+runtime with compiler one of ${KNOWN_COMPILERS.join(', ')} and runtime one of ${[...KNOWN_RUNTIMES, ...configured].join(', ')} or iwasm:<variant> (e.g. py2wasm+iwasm)`,
    );
  }
  return { name: `${compiler}+${runtime}`, compiler: compiler as TargetSpec['compiler'], runtime: runtime! };
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

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive whole number, not ${value}`);
  return n;
}

function list(value: string | undefined): string[] | null {
  if (!value) return null;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

const warnOnStderr = (message: string) => process.stderr.write(`vitest-py2wasm: ${message}\n`);

/**
 * Options from vitest.config.ts, checked once (see validate.ts), merged with environment variables
 * (env wins, so a user can point one run at another tool without editing the config). Pure: env is passed in.
 */
export function resolveOptions(
  options: CookbookOptions = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  warn: (message: string) => void = warnOnStderr,
): ResolvedOptions {
  validateOptions(options, warn);
  const rootInput = env.COOKBOOK_DIR || options.root;
  const root = rootInput ? path.resolve(cwd, rootInput) : SAMPLE_COOKBOOK;
  const cacheDir = path.resolve(cwd, env.PY2WASM_CACHE_DIR || options.cacheDir || defaultCacheDir(env));
  const tools = options.tools ?? {};
  const iwasm = toCommand(env.IWASM || tools.iwasm);
  const targetNames = list(env.PY2WASM_TARGETS) ?? options.targets ?? null;
  const runtimes = resolveRuntimeTemplates(options.runtimes, KNOWN_RUNTIMES);
  const wamr = resolveWamr(options.wamr, env, cwd);
  const defaultTargets = iwasm
    ? ['py2wasm+iwasm']
    : wamr
      ? wamr.variants.map((v) => `py2wasm+iwasm:${v}`)
      : ['py2wasm+node'];
  const targets = (targetNames ?? defaultTargets).map((t) => parseTarget(t, Object.keys(runtimes)));
  // a variant named by a target is built even when `wamr.variants` leaves it out
  if (wamr)
    wamr.variants = [...new Set([...wamr.variants, ...targets.flatMap((t) => variantOfRuntime(t.runtime) ?? [])])];
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new ConfigError(`target ${t.name} is listed twice`);
    seen.add(t.name);
  }
  if (options.bypass !== undefined) validateBypassOptions(options.bypass);
  const iwasmDebugMode =
    (env.IWASM_DEBUG_MODE as ResolvedTools['iwasmDebugMode'] | undefined) ||
    tools.iwasmDebugMode ||
    DEFAULTS.tools.iwasmDebugMode;
  if (!['interp', 'fast-interp', 'aot'].includes(iwasmDebugMode)) {
    throw new ConfigError(`IWASM_DEBUG_MODE must be interp, fast-interp or aot, not ${iwasmDebugMode}`);
  }
  const diagnose = (env.PY2WASM_DIAGNOSE || options.diagnose || DEFAULTS.diagnose) as ResolvedOptions['diagnose'];
  if (!['group', 'case', 'off'].includes(diagnose))
    throw new ConfigError(`diagnose (PY2WASM_DIAGNOSE) must be group, case or off, not ${diagnose}`);
  return {
    root,
    isSample: !rootInput,
    chapters: list(env.COOKBOOK_CHAPTERS) ?? options.chapters?.map(String) ?? null,
    cases: list(env.COOKBOOK_CASES) ?? options.cases ?? null,
    exclude: options.exclude ?? [],
    targets,
    targetsExplicit: targetNames !== null,
    tools: {
      python: toCommand(env.PYTHON || tools.python) ?? [...DEFAULTS.tools.python],
      py2wasm: toCommand(env.PY2WASM || tools.py2wasm),
      iwasm,
      iwasmDebug: toCommand(env.IWASM_DEBUG || tools.iwasmDebug),
      iwasmDebugMode,
      node: toCommand(env.NODE_WASI || tools.node) ?? [process.execPath],
      wasmtime: toCommand(env.WASMTIME || tools.wasmtime),
      symbolizer: toCommand(env.LLVM_SYMBOLIZER || tools.symbolizer) ?? [...DEFAULTS.tools.symbolizer],
      wasiPythonDir: env.WASI_PYTHON_DIR || tools.wasiPythonDir || null,
      wasiSdkDir: env.WASI_SDK_DIR || tools.wasiSdkDir || null,
    },
    timeouts: { ...DEFAULTS.timeouts, ...options.timeouts },
    cacheDir,
    cacheMaxBytes: options.cacheMaxBytes ?? DEFAULTS.cacheMaxBytes,
    reportDir: path.resolve(cwd, env.PY2WASM_REPORT_DIR || options.reportDir || DEFAULTS.reportDir),
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
    autoSetup: options.autoSetup ?? (env.PY2WASM_AUTO_SETUP === '0' ? false : DEFAULTS.autoSetup),
    py2wasmSpec: env.PY2WASM_SPEC || options.py2wasmSpec || DEFAULTS.py2wasmSpec,
    strictTools: options.strictTools ?? env.CI === 'true',
    baseline: env.PY2WASM_BASELINE ? env.PY2WASM_BASELINE === '1' : (options.baseline ?? DEFAULTS.baseline),
    baselineDir:
      env.PY2WASM_BASELINE_DIR || options.baselineDir
        ? path.resolve(cwd, (env.PY2WASM_BASELINE_DIR || options.baselineDir)!)
        : null,
    compileSlots:
      positiveInt(env.PY2WASM_COMPILE_SLOTS, 'PY2WASM_COMPILE_SLOTS') ?? options.compileSlots ?? DEFAULTS.compileSlots,
    watchDirs: (list(env.PY2WASM_WATCH_DIRS) ?? options.watchDirs ?? []).map((d) => path.resolve(cwd, d)),
    runtimes,
    wamr,
    diagnose,
    diagnoseBudgetMs:
      positiveInt(env.PY2WASM_DIAGNOSE_BUDGET_MS, 'PY2WASM_DIAGNOSE_BUDGET_MS') ??
      options.diagnoseBudgetMs ??
      DEFAULTS.diagnoseBudgetMs,
    compilerCache: env.PY2WASM_COMPILER_CACHE
      ? env.PY2WASM_COMPILER_CACHE !== '0'
      : (options.compilerCache ?? DEFAULTS.compilerCache),
    pythonCache:
      env.PY2WASM_PYTHON_CACHE === '0' || (options.pythonCache ?? DEFAULTS.pythonCache) === false
        ? null
        : { exclude: (typeof options.pythonCache === 'object' ? options.pythonCache.exclude : undefined) ?? [] },
    env: { ...options.env },
  };
}
