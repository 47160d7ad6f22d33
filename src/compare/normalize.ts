// Output normalization: what is rewritten in CPython's and the wasm's stdout before they are compared.
//
// Built from Nuitka's own test runner (nuitka/tools/testing/OutputComparison.py, `makeDiffable`):
// object addresses, compiled_* type names, timings, thread ids, module reprs, traceback paths, temp
// file names and local ports are the substitutions Nuitka makes when it compares a compiled program
// with CPython. Added for py2wasm: the run directory (`<scratch>`), the wasm's `./x.py` paths, the
// wasm file name, set order (string hashing is randomised in both), traceback source lines (the wasm
// has no source file) and, opt-in, the WASI platform/version values. Every rule is documented in
// RULES.md.
//
// Every rule is a pure function of the text and is applied to both sides, so equal outputs stay equal:
// normalization can hide a difference, never create one.

export interface NormalizeContext {
  /**
   * Absolute directories the programs ran in (CPython's scratch copy, the wasm's run directory, ...).
   * Each is replaced by `<scratch>`. Entries shorter than 2 characters (`/`, `.`) are ignored.
   */
  scratchDirs: string[];
  /** File name of the case's script, e.g. `example1.py`. */
  scriptName: string;
  /** File name of the wasm in its run directory, when it is not `<stem of scriptName>.wasm`. */
  wasmName?: string;
}

export interface NormalizationRule {
  name: string;
  /** One line: what it rewrites and why. Shown by the CLI and in RULES.md. */
  description: string;
  /** Built-in rules with `false` run only when named in `enable` or `only`. */
  defaultEnabled: boolean;
  source: 'builtin' | 'user';
  apply(text: string, ctx: NormalizeContext): string;
}

/** A user rule: serialisable, so it can travel to vitest workers as JSON. */
export interface UserRule {
  name: string;
  /** JavaScript regular expression source. */
  pattern: string;
  /** RegExp flags; default `gm`. `g` is always added. */
  flags?: string;
  /** Replacement string, `$1`/`$<name>` references allowed (String.prototype.replace syntax). */
  replacement: string;
  description?: string;
}

export interface NormalizationConfig {
  /** Rule names (built-in or extra) not to apply. */
  disable?: string[];
  /** Opt-in built-in rules (defaultEnabled: false) to apply as well. */
  enable?: string[];
  /** When set, exactly these built-in rules are applied (in built-in order), default or not. Extras still apply. */
  only?: string[];
  /** User rules, applied after the built-in ones, in the given order. */
  extra?: UserRule[];
}

export interface NormalizeResult {
  text: string;
  /** Names of the rules that changed the text, in application order. */
  fired: string[];
}

export class NormalizationConfigError extends Error {
  override name = 'NormalizationConfigError';
}

// ---------------------------------------------------------------------------------------------
// helpers

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function usableScratchDirs(ctx: NormalizeContext): string[] {
  const dirs = new Set<string>();
  for (const raw of ctx.scratchDirs) {
    const d = raw.replace(/[/\\]+$/, '');
    if (d.length >= 2) dirs.add(d);
  }
  // Longest first: a run dir nested in another scratch dir is replaced whole.
  return [...dirs].sort((a, b) => b.length - a.length);
}

function scriptStem(scriptName: string): string {
  const base = scriptName.replace(/^.*[/\\]/, '');
  return base.endsWith('.py') ? base.slice(0, -3) : base;
}

// ---------------------------------------------------------------------------------------------
// canonical order of printed sets (and, opt-in, dicts)

const NUMBER_RE = /-?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?j?|inf|nan)(?![\w.])/y;
const KEYWORD_RE = /(?:None|True|False|Ellipsis)(?!\w)/y;

function parseQuoted(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') j += 2;
    else if (c === q) return j + 1;
    else if (c === '\n') return -1;
    else j += 1;
  }
  return -1;
}

/** End index of the simple literal repr starting at `i` (string, bytes, number, None/True/False, tuple of those), or -1. */
function parseSimpleLiteral(s: string, i: number, depth = 0): number {
  const c = s[i];
  if (c === undefined) return -1;
  if (c === "'" || c === '"') return parseQuoted(s, i);
  if ((c === 'b' || c === 'B') && (s[i + 1] === "'" || s[i + 1] === '"')) return parseQuoted(s, i + 1);
  if (c === '(') {
    if (depth > 20) return -1;
    if (s[i + 1] === ')') return i + 2;
    let j = i + 1;
    for (;;) {
      const e = parseSimpleLiteral(s, j, depth + 1);
      if (e < 0) return -1;
      if (s[e] === ')') return e + 1;
      if (s[e] === ',' && s[e + 1] === ')') return e + 2;
      if (s[e] === ',' && s[e + 1] === ' ') j = e + 2;
      else return -1;
    }
  }
  NUMBER_RE.lastIndex = i;
  if (NUMBER_RE.test(s)) return NUMBER_RE.lastIndex;
  KEYWORD_RE.lastIndex = i;
  if (KEYWORD_RE.test(s)) return KEYWORD_RE.lastIndex;
  return -1;
}

/**
 * Parses `{e1, e2, ...}` at `i` (s[i] === '{'). With `pairs`, elements are `k: v`. Returns the element
 * texts and the index after `}`, or undefined when it is not such a display.
 */
function parseBraceDisplay(s: string, i: number, pairs: boolean): { items: string[]; end: number } | undefined {
  const items: string[] = [];
  let j = i + 1;
  for (;;) {
    let e = parseSimpleLiteral(s, j);
    if (e < 0) return undefined;
    if (pairs) {
      if (s[e] !== ':' || s[e + 1] !== ' ') return undefined;
      e = parseSimpleLiteral(s, e + 2);
      if (e < 0) return undefined;
    }
    items.push(s.slice(j, e));
    if (s[e] === '}') return { items, end: e + 1 };
    if (s[e] === ',' && s[e + 1] === ' ') j = e + 2;
    else return undefined;
  }
}

function sortBraceDisplays(text: string, pairs: boolean): string {
  if (!text.includes('{')) return text;
  const out: string[] = [];
  let last = 0;
  let i = text.indexOf('{');
  while (i >= 0) {
    const parsed = parseBraceDisplay(text, i, pairs);
    if (parsed && parsed.items.length > 1) {
      const sorted = [...parsed.items].sort();
      out.push(text.slice(last, i), '{', sorted.join(', '), '}');
      last = parsed.end;
      i = text.indexOf('{', parsed.end);
    } else {
      i = text.indexOf('{', i + 1);
    }
  }
  if (last === 0) return text;
  out.push(text.slice(last));
  return out.join('');
}

// ---------------------------------------------------------------------------------------------
// tracebacks

const TRACEBACK_FILE_RE = /^(\s*)File "[^"\n]*", line \d+/;
const CARET_LINE_RE = /^\s*[~^]+\s*$/;

function canonicalTracebackPath(p: string, ctx: NormalizeContext): string {
  for (const dir of usableScratchDirs(ctx)) {
    if (p.startsWith(`${dir}/`)) return p.slice(dir.length + 1);
  }
  if (p.startsWith('<scratch>/')) return p.slice('<scratch>/'.length);
  const lib = /^.*?\/lib\/python\d+\.\d+\/(?:(?:site|dist)-packages\/)?(.+)$/.exec(p);
  if (lib) return lib[1]!;
  if (p.startsWith('<')) return p; // <string>, <frozen importlib._bootstrap>, <stdin>
  return p.replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
}

function dropTracebackSource(text: string): string {
  if (!text.includes('File "')) return text;
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    out.push(line);
    const m = TRACEBACK_FILE_RE.exec(line);
    if (!m) continue;
    const indent = m[1]!.length;
    let j = i + 1;
    // One source line, deeper indented than the frame line...
    const next = lines[j];
    if (next !== undefined && next.trim() !== '' && !TRACEBACK_FILE_RE.test(next) && /^\s*/.exec(next)![0].length > indent) j += 1;
    // ...then caret lines (CPython 3.11) or the empty lines py2wasm prints in their place
    // (never the last element: it carries the text's final newline).
    while (j < lines.length - 1 && (lines[j] === '' || CARET_LINE_RE.test(lines[j]!))) j += 1;
    i = j - 1;
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// the built-in rules

const TIME_UNIT = String.raw`(?:s|secs?|seconds?|ms|msecs?|milliseconds?|us|usecs?|µs|microseconds?|ns|nsecs?|nanoseconds?)`;
const FLOAT = String.raw`(?:\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)`;

function builtin(
  name: string,
  description: string,
  apply: (text: string, ctx: NormalizeContext) => string,
  defaultEnabled = true,
): NormalizationRule {
  return Object.freeze({ name, description, defaultEnabled, source: 'builtin' as const, apply });
}

export const BUILTIN_RULES: readonly NormalizationRule[] = Object.freeze([
  builtin('line-endings', 'CRLF and stray CR before a newline become LF (Nuitka strips a trailing \\r per line).', (t) =>
    t.includes('\r') ? t.replace(/\r+\n/g, '\n') : t,
  ),

  builtin(
    'object-address',
    'Object addresses in reprs, `at 0x7f6d89ece850` (CPython) / `at 0x11cc3a0` (wasm), become `at 0xADDR` (Nuitka: instance_re).',
    (t) => t.replace(/\bat 0x[0-9a-fA-F]+\b/g, 'at 0xADDR'),
  ),

  builtin(
    'compiled-types',
    "Nuitka's type names `compiled_function`, `compiled_method`, `compiled_generator`, `compiled_coroutine`, `compiled_async_generator`, `compiled_cell`, `compiled_frame`, `compiled_module` (and their `_*` helper types) lose the `compiled_` prefix (Nuitka: compiled_types_re).",
    (t) =>
      t.includes('compiled_')
        ? t.replace(/\bcompiled_(?=(?:function|method|generator|coroutine|async_generator|aiter_wrapper|module|frame|cell)(?:_\w+)?\b)/g, '')
        : t,
  ),

  builtin(
    'thread-ident',
    'Thread identifiers: `Thread 0x...` (faulthandler) and `started 140234...` in Thread reprs (Nuitka: thread_re).',
    (t) => t.replace(/\b([Tt]hread) 0x[0-9a-fA-F]+/g, '$1 0xTHREAD').replace(/\b(started(?: daemon)?) \d+\b/g, '$1 <ident>'),
  ),

  builtin(
    'timing',
    'Measured durations: `Ran N tests in 0.003s`, a float followed by a time unit (`0.25 s`, `12.5ms`, `25.3 usec per loop`), integer counts of ms/us/ns, and a float after took/elapsed/duration/delta/time/timing/runtime (`delta: 2.5e-05`) become `<T>` (Nuitka: timing_re, ran_tests_re).',
    (t) =>
      t
        .replace(/^(Ran \d+ tests? in )-?\d+\.\d+s$/gm, '$1<T>s')
        .replace(new RegExp(String.raw`(?<![\w.])-?${FLOAT}(?=\s?${TIME_UNIT}\b)`, 'g'), '<T>')
        .replace(/(?<![\w.])\d+(?=\s?(?:ms|msecs?|milliseconds?|us|usecs?|µs|microseconds?|ns|nsecs?|nanoseconds?)\b)/g, '<T>')
        .replace(new RegExp(String.raw`\b(took|elapsed|duration|delta|time|timing|runtime)(\s*[:=]?\s*)-?${FLOAT}(?![\w.])`, 'gi'), '$1$2<T>'),
  ),

  builtin(
    'timestamp',
    'Wall-clock values: ISO date-times with microseconds (`2024-05-01 12:34:56.789012`, what `datetime.now()` prints), `datetime.datetime(...)` reprs with 7 fields, and epoch floats `time.time()` prints (`1714567890.123456`) become `<timestamp>`/`<epoch>`.',
    (t) =>
      t
        .replace(/\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d{6}(?:[+-]\d\d:\d\d)?/g, '<timestamp>')
        .replace(/\bdatetime\.datetime\(\d{4}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,2}, \d{1,6}(?=[,)])/g, 'datetime.datetime(<timestamp>')
        .replace(/(?<![\w.])1[5-9]\d{8}\.\d+(?![\w.])/g, '<epoch>'),
  ),

  builtin(
    'traceback-paths',
    'Paths in traceback frames (`File "...", line N`) become module-relative: the scratch dir, `./` (wasm), `/lib/python3.11/` and `site-packages/` prefixes are dropped, so `File "/abs/scratch/x.py"` and `File "./x.py"`, `.../lib/python3.11/threading.py` and `./threading.py` read alike (Nuitka: traceback_re).',
    (t, ctx) =>
      t.includes('File "')
        ? t.replace(/(\bFile ")([^"\n]+)(", line \d+)/g, (_m, a: string, p: string, b: string) => `${a}${canonicalTracebackPath(p, ctx)}${b}`)
        : t,
  ),

  builtin(
    'traceback-source',
    'Drops what follows a traceback frame line: the source line, CPython 3.11 caret lines (`^^^^`, `~~~^^`) and the empty lines py2wasm prints instead; a py2wasm binary has no source to show (Nuitka drops caret lines too).',
    dropTracebackSource,
  ),

  builtin(
    'scratch-dir',
    'Each directory of `ctx.scratchDirs` (where CPython and the wasm ran) becomes `<scratch>`, e.g. `__file__` and `os.getcwd()` under CPython (Nuitka: tempfile_re for its own temp dirs).',
    (t, ctx) => {
      let out = t;
      for (const dir of usableScratchDirs(ctx)) {
        if (!out.includes(dir)) continue;
        out = out.replace(new RegExp(`${escapeRegExp(dir)}(?![\\w.-])`, 'g'), '<scratch>');
      }
      return out;
    },
  ),

  builtin(
    'wasm-relative-path',
    'A path starting with `./` at a word start (`./files.py`, `./helper.py`: the wasm\'s `__file__`) becomes `<scratch>/...`, matching the absolute path CPython prints once `scratch-dir` replaced it.',
    (t) => (t.includes('./') ? t.replace(/(^|[\s'"(\[=,:])\.\/(?=[\w.-])/gm, '$1<scratch>/') : t),
  ),

  builtin(
    'script-name',
    'The wasm file name (`<stem>.wasm`, or ctx.wasmName) becomes the script name: `sys.argv[0]` and directory listings show `hello.wasm` where CPython shows `hello.py`.',
    (t, ctx) => {
      const wasm = ctx.wasmName ? ctx.wasmName.replace(/^.*[/\\]/, '') : `${scriptStem(ctx.scriptName)}.wasm`;
      const script = ctx.scriptName.replace(/^.*[/\\]/, '');
      if (!wasm || !t.includes(wasm)) return t;
      return t.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(wasm)}(?![\\w.-])`, 'g'), script);
    },
  ),

  builtin(
    'module-repr',
    "Module reprs `<module 'x' from '/path/x.py'>` and `<module 'x' (frozen)>` become `<module 'x' from '<path>'>`: CPython's frozen/absolute modules are embedded `./x.py` modules in the wasm (Nuitka: module_repr_re and the frozen-module list).",
    (t) => (t.includes('<module ') ? t.replace(/(<module '[^'\n]*' )(?:from '[^'\n]*'|\(frozen\))>/g, "$1from '<path>'>") : t),
  ),

  builtin(
    'did-you-mean',
    "Removes CPython's `. Did you mean: 'x'?` suggestion from NameError/AttributeError messages; compiled code raises them without the attributes the suggestion needs (Nuitka: did_you_mean_re).",
    (t) => (t.includes('Did you mean') ? t.replace(/\. Did you mean: '[^'\n]*'\?/g, '') : t),
  ),

  builtin(
    'tempfile-names',
    "`tempfile`'s random names (`tmp` + 8 of [a-z0-9_]) become `tmpXXXXXXXX` (Nuitka: tempfile_re).",
    (t) => (t.includes('tmp') ? t.replace(/(?<![A-Za-z0-9])tmp[a-z0-9_]{8}(?![A-Za-z0-9_])/g, 'tmpXXXXXXXX') : t),
  ),

  builtin('local-port', 'Local port numbers `127.0.0.1:54321` / `localhost:54321` become `:<port>` (Nuitka: local_port_re).', (t) =>
    t.replace(/\b(127\.0\.0\.1|localhost)(['"]?, ?|:)\d{2,5}\b/g, '$1$2<port>'),
  ),

  builtin(
    'set-order',
    "A printed set or frozenset `{e1, e2, ...}` whose elements are all simple literals (str/bytes reprs, numbers, None/True/False, tuples of those) gets its elements sorted. String hashing is randomised, so set order changes run to run in CPython and in the wasm. A dict (`k: v`) never matches; sets nested in dicts and lists are sorted in place.",
    (t) => sortBraceDisplays(t, false),
  ),

  // ---- opt-in rules: off unless named in `enable` / `only` ----

  builtin(
    'dict-order',
    'OPT-IN. A printed dict whose keys and values are all simple literals gets its items sorted. Dicts keep insertion order, so this only helps for dicts built by iterating a set; it would hide a real ordering bug.',
    (t) => sortBraceDisplays(t, true),
    false,
  ),

  builtin(
    'sys-platform',
    "OPT-IN. The word `wasi` becomes `linux`. `sys.platform` read at run time (`getattr(sys, 'platform')`) is `wasi` in the wasm while Nuitka folds a literal `sys.platform` to the build host's `linux`; code branching on it behaves differently, so by default this stays a difference.",
    (t) => (t.includes('wasi') ? t.replace(/\bwasi\b/g, 'linux') : t),
    false,
  ),

  builtin(
    'python-version',
    "OPT-IN. Python patch versions are hidden: `3.11.7` -> `3.11.x`, `(3, 11, 7)` -> `(3, 11, x)`, `micro=7` -> `micro=x`. py2wasm's libpython is 3.11.8, read at run time; the reference CPython may be another 3.11.",
    (t) =>
      t
        .replace(/\b3\.(\d{1,2})\.\d{1,2}(?![\d.])/g, '3.$1.x')
        .replace(/\(3, (\d{1,2}), \d{1,2}\)/g, '(3, $1, x)')
        .replace(/(major=3, minor=\d{1,2}, micro=)\d{1,2}/g, '$1x'),
    false,
  ),

  builtin(
    'hex-id',
    'OPT-IN. Any bare hex number of 6 or more digits (`0x7f6d89ece850`, `hex(id(x))`) becomes `0xADDR`. Off by default: it also hides real hex output.',
    (t) => t.replace(/\b0x[0-9a-fA-F]{6,16}\b/g, '0xADDR'),
    false,
  ),
]);

const BUILTIN_BY_NAME = new Map(BUILTIN_RULES.map((r) => [r.name, r]));

// ---------------------------------------------------------------------------------------------
// configuration

const RULE_NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

function userRule(u: UserRule, index: number): NormalizationRule {
  if (!u || typeof u !== 'object') throw new NormalizationConfigError(`extra[${index}] is not an object`);
  const { name, pattern, replacement } = u;
  if (typeof name !== 'string' || !RULE_NAME_RE.test(name)) {
    throw new NormalizationConfigError(`extra[${index}]: name must match ${RULE_NAME_RE} (got ${JSON.stringify(name)})`);
  }
  if (typeof pattern !== 'string' || pattern === '') throw new NormalizationConfigError(`extra rule '${name}': pattern must be a non-empty string`);
  if (typeof replacement !== 'string') throw new NormalizationConfigError(`extra rule '${name}': replacement must be a string`);
  let flags = u.flags ?? 'gm';
  if (typeof flags !== 'string') throw new NormalizationConfigError(`extra rule '${name}': flags must be a string`);
  if (!flags.includes('g')) flags += 'g';
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new NormalizationConfigError(`extra rule '${name}': ${(error as Error).message}`);
  }
  const description = u.description ?? `user rule: /${pattern}/${flags} -> ${JSON.stringify(replacement)}`;
  return Object.freeze({
    name,
    description,
    defaultEnabled: true,
    source: 'user' as const,
    apply: (text: string) => text.replace(new RegExp(pattern, flags), replacement),
  });
}

/**
 * The rules to apply, in order: built-in rules (the default-enabled ones plus `enable`, or exactly
 * `only`), minus `disable`, then the user's `extra` rules. Unknown names and invalid rules throw a
 * NormalizationConfigError, so a typo in a config never silently compares raw output.
 */
export function resolveRules(config: NormalizationConfig = {}): NormalizationRule[] {
  const extras = (config.extra ?? []).map(userRule);
  const seen = new Set<string>();
  for (const r of extras) {
    if (BUILTIN_BY_NAME.has(r.name)) throw new NormalizationConfigError(`extra rule '${r.name}' has the name of a built-in rule`);
    if (seen.has(r.name)) throw new NormalizationConfigError(`extra rule '${r.name}' is defined twice`);
    seen.add(r.name);
  }
  const known = (names: string[] | undefined, key: string, allowExtras: boolean): Set<string> => {
    const set = new Set<string>();
    for (const n of names ?? []) {
      if (!BUILTIN_BY_NAME.has(n) && !(allowExtras && seen.has(n))) {
        throw new NormalizationConfigError(
          `unknown normalization rule '${n}' in ${key} (built-in: ${BUILTIN_RULES.map((r) => r.name).join(', ')})`,
        );
      }
      set.add(n);
    }
    return set;
  };
  const disable = known(config.disable, 'disable', true);
  const enable = known(config.enable, 'enable', false);
  const only = config.only ? known(config.only, 'only', false) : undefined;

  const builtins = BUILTIN_RULES.filter((r) => (only ? only.has(r.name) : r.defaultEnabled || enable.has(r.name)));
  return [...builtins, ...extras].filter((r) => !disable.has(r.name));
}

/** Applies `rules` in order; `fired` names those that changed the text. */
export function normalize(text: string, rules: readonly NormalizationRule[], ctx: NormalizeContext): NormalizeResult {
  const fired: string[] = [];
  let current = text;
  for (const rule of rules) {
    const next = rule.apply(current, ctx);
    if (next !== current) {
      fired.push(rule.name);
      current = next;
    }
  }
  return { text: current, fired };
}
