// Every option of vitest.config.ts in one table: how its value is checked and which environment
// variable sets it (how that text reads). validate.ts checks the config against it, env-overrides.ts
// reads the environment through it, scripts/options-doc.ts writes docs/configuration.md from it
// (with each option's JSDoc and @default from cookbook-options.ts). Defaults are DEFAULTS there.
import type { CaptureLimits } from '../types.ts';
import type { BypassRules } from './bypass-rules.ts';
import {
  boolean,
  byteCount,
  chapterNumbers,
  command,
  namesFrom,
  object,
  oneOf,
  onOffOrExclude,
  string,
  stringRecord,
  strings,
  timeout,
  userRules,
  wholeNumber,
  type Check,
} from './checks.ts';
import { DIAGNOSE_MODES, IWASM_MODES, SCRATCH_SCOPES } from './choices.ts';
import type { CookbookOptions, NormalizationOptions, TimeoutOptions, ToolCommandsOptions } from './cookbook-options.ts';
import { flag, list, number, text, type EnvReader } from './env-values.ts';
import { WAMR_VARIANTS, type WamrOptions } from './wamr.ts';

export interface OptionRow {
  /** Judges a value, from vitest.config.ts or read from the environment. */
  check: Check;
  /** The environment variable that sets the option, and how its text reads as a value. */
  env?: { name: string; reader: EnvReader };
}

/** The options of a nested object (`tools`, `timeouts`, ...). */
export type OptionGroup = Record<string, OptionRow>;

const row = (check: Check, env?: string, reader: EnvReader = text): OptionRow =>
  env ? { check, env: { name: env, reader } } : { check };

export const isOptionRow = (entry: OptionRow | OptionGroup): entry is OptionRow =>
  typeof (entry as OptionRow).check === 'function';

// Each group is typed against its options interface: a new option does not compile until it is here.
const TOOLS = {
  python: row(command, 'PYTHON'),
  py2wasm: row(command, 'PY2WASM'),
  iwasm: row(command, 'IWASM'),
  iwasmDebug: row(command, 'IWASM_DEBUG'),
  iwasmDebugMode: row(oneOf(IWASM_MODES), 'IWASM_DEBUG_MODE'),
  node: row(command, 'NODE_WASI'),
  wasmtime: row(command, 'WASMTIME'),
  symbolizer: row(command, 'LLVM_SYMBOLIZER'),
  wasiPythonDir: row(string, 'WASI_PYTHON_DIR'),
  wasiSdkDir: row(string, 'WASI_SDK_DIR'),
} satisfies Record<keyof ToolCommandsOptions, OptionRow>;

const TIMEOUTS = {
  pythonMs: row(timeout),
  compileMs: row(timeout),
  wasmMs: row(timeout),
  debugWasmMs: row(timeout),
} satisfies Record<keyof TimeoutOptions, OptionRow>;

const BYPASS = {
  cases: row(strings),
  imports: row(strings),
  useDefaults: row(boolean),
} satisfies Record<keyof BypassRules, OptionRow>;

const NORMALIZE = {
  disable: row(strings),
  enable: row(strings),
  only: row(strings),
  extra: row(userRules),
} satisfies Record<keyof NormalizationOptions, OptionRow>;

const CAPTURE = {
  headBytes: row(byteCount),
  tailBytes: row(byteCount),
} satisfies Record<keyof CaptureLimits, OptionRow>;

const WAMR = {
  checkout: row(string, 'WAMR_DIR'),
  variants: row(namesFrom('WAMR variant', WAMR_VARIANTS), 'WAMR_VARIANTS', list),
  cmakeArgs: row(strings),
  jobs: row(wholeNumber(1)),
} satisfies Record<keyof WamrOptions, OptionRow>;

/** In the order of CookbookOptions, which is the order of the docs page. */
export const OPTION_TABLE = {
  root: row(string, 'COOKBOOK_DIR'),
  chapters: row(chapterNumbers, 'COOKBOOK_CHAPTERS', list),
  cases: row(strings, 'COOKBOOK_CASES', list),
  exclude: row(strings),
  targets: row(strings, 'PY2WASM_TARGETS', list),
  tools: TOOLS,
  timeouts: TIMEOUTS,
  cacheDir: row(string, 'PY2WASM_CACHE_DIR'),
  cacheMaxBytes: row(byteCount),
  reportDir: row(string, 'PY2WASM_REPORT_DIR'),
  scope: row(oneOf(SCRATCH_SCOPES)),
  bypass: BYPASS,
  normalize: NORMALIZE,
  capture: CAPTURE,
  autoSetup: row(boolean, 'PY2WASM_AUTO_SETUP', flag),
  py2wasmSpec: row(string, 'PY2WASM_SPEC'),
  strictTools: row(boolean),
  baseline: row(boolean, 'PY2WASM_BASELINE', flag),
  baselineDir: row(string, 'PY2WASM_BASELINE_DIR'),
  compileSlots: row(wholeNumber(1), 'PY2WASM_COMPILE_SLOTS', number),
  shardFiles: row(wholeNumber(0), 'PY2WASM_SHARD_FILES', number),
  shardDurations: row(string, 'PY2WASM_SHARD_DURATIONS'),
  watchDirs: row(strings, 'PY2WASM_WATCH_DIRS', list),
  // each runtime's entries are checked by resolveRuntimeTemplates (runtimes.ts)
  runtimes: row(object),
  wamr: WAMR,
  diagnose: row(oneOf(DIAGNOSE_MODES), 'PY2WASM_DIAGNOSE'),
  diagnoseBudgetMs: row(timeout, 'PY2WASM_DIAGNOSE_BUDGET_MS', number),
  compilerCache: row(boolean, 'PY2WASM_COMPILER_CACHE', flag),
  pythonCache: row(onOffOrExclude, 'PY2WASM_PYTHON_CACHE', flag),
  wasmRunCache: row(boolean, 'PY2WASM_WASM_RUN_CACHE', flag),
  rerunCpythonOnDifference: row(boolean, 'PY2WASM_RERUN_CPYTHON', flag),
  env: row(stringRecord),
} satisfies Record<keyof CookbookOptions, OptionRow | OptionGroup>;

export interface OptionEntry {
  /** `tools.python` */
  name: string;
  path: string[];
  row: OptionRow;
}

/** The table's rows, nested ones named by their dotted path, in table order. */
export function optionEntries(table: Record<string, OptionRow | OptionGroup> = OPTION_TABLE): OptionEntry[] {
  return Object.entries(table).flatMap(([key, entry]) =>
    isOptionRow(entry)
      ? [{ name: key, path: [key], row: entry }]
      : Object.entries(entry).map(([sub, r]) => ({ name: `${key}.${sub}`, path: [key, sub], row: r })),
  );
}
