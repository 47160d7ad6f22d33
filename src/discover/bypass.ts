// BYPASS rules: cases that are not run at all, by name or by what they import.
//
// The import scan is a small Python tokenizer in TypeScript rather than Python's `ast`: discovery runs
// while vitest collects tests (synchronously, once per chapter file, hundreds of scripts), so spawning
// a Python per file would be slow and would make collection depend on the interpreter; and `ast`
// rejects a file with a syntax error, which must still be scanned (CPython then reports it as a
// PY_EXECUTION_FAILURE). The tokenizer knows comments, all string forms (prefixes, triple quotes,
// escapes), brackets and line continuations, which is all an import statement needs.

import picomatch from 'picomatch';

export interface BypassRules {
  /** Case names (`recipe.example`) or globs (`network_*.*`, same syntax as the discovery filters). */
  cases?: string[];
  /**
   * Module names. A script importing one of them or a submodule (`import x`, `import x.y`,
   * `from x import y`, `from x.y import z`; `from x import y` also counts as importing `x.y`;
   * `__import__('x')` and `importlib.import_module('x')` with a literal name) is bypassed.
   */
  imports?: string[];
  /** Also apply DEFAULT_BYPASS_IMPORTS (default true). */
  useDefaults?: boolean;
}

/**
 * Modules whose scripts are bypassed by default, with the reason. The criterion: the script cannot
 * work under WASI *and* would not fail fast there or under CPython (it blocks, or acts on the host).
 *
 * `socket` is deliberately NOT here, although the old run bypassed it: inside the wasm the module
 * imports and its calls fail at once with a Python error (`socket.getaddrinfo` -> AttributeError,
 * `socket.socketpair()` -> `OSError: [Errno 58] Not supported`), which are informative
 * WASM_EXECUTION_FAILURE rows; a plain socket server that blocks in `accept()` under CPython ends as
 * PY_EXECUTION_TIMEOUT, at the cost of one timeout. Server frameworks that always block are listed.
 * Add `socket` to `imports` to get the old behaviour.
 */
export const DEFAULT_BYPASS_IMPORTS: Readonly<Record<string, string>> = Object.freeze({
  subprocess: 'spawns processes; WASI has no process creation',
  multiprocessing: 'spawns worker processes; WASI has no process creation',
  pty: 'forks a child on a pseudo-terminal',
  socketserver: 'a server waits for clients forever (CPython would only time out)',
  'http.server': 'a server waits for clients forever (CPython would only time out)',
  'xmlrpc.server': 'a server waits for clients forever (CPython would only time out)',
  'wsgiref.simple_server': 'a server waits for clients forever (CPython would only time out)',
  smtpd: 'a server waits for clients forever (CPython would only time out)',
  tkinter: 'GUI: needs a display; mainloop() blocks',
  turtle: 'GUI (tkinter): needs a display',
  idlelib: 'GUI (tkinter): needs a display',
  webbrowser: 'launches a browser process on the host',
  getpass: 'prompts on the controlling terminal',
});

export interface ImportRef {
  /** Dotted module name as written (`from x import y` gives `x`). */
  module: string;
  /** For `from x import a, b`: `x.a`, `x.b` (any may be a submodule). */
  names: string[];
  line: number;
  kind: 'import' | 'from' | 'dynamic';
}

// ---------------------------------------------------------------------------------------------
// tokenizer

interface Token {
  type: 'name' | 'op' | 'string' | 'newline' | 'number';
  value: string;
  line: number;
  /** For strings: the literal's content when it is a plain (non-f, non-bytes) string without escapes. */
  text?: string;
}

const STRING_PREFIX_RE = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/;
const NAME_START_RE = /[A-Za-z_\u00aa-\uffff]/;
const NAME_CHAR_RE = /[\w\u00aa-\uffff]/;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const n = src.length;

  const readString = (start: number, prefix: string): number => {
    // src[start] is the opening quote
    const q = src[start]!;
    const triple = src[start + 1] === q && src[start + 2] === q;
    let j = start + (triple ? 3 : 1);
    const contentStart = j;
    let hasEscape = false;
    const startLine = line;
    for (;;) {
      if (j >= n) break; // unterminated: stop at end of file
      const c = src[j]!;
      if (c === '\\') {
        hasEscape = true;
        if (src[j + 1] === '\n') line++;
        j += 2;
        continue;
      }
      if (c === '\n') {
        if (!triple) break; // unterminated single-quoted string: stop at the line end
        line++;
      }
      if (c === q && (!triple || (src[j + 1] === q && src[j + 2] === q))) {
        const content = src.slice(contentStart, j);
        const plain = !/[bBfF]/.test(prefix) && !hasEscape;
        tokens.push({ type: 'string', value: content, line: startLine, ...(plain ? { text: content } : {}) });
        return j + (triple ? 3 : 1);
      }
      j++;
    }
    tokens.push({ type: 'string', value: src.slice(contentStart, j), line: startLine });
    return j;
  };

  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      if (depth === 0) tokens.push({ type: 'newline', value: '\n', line });
      line++;
      i++;
    } else if (c === '\\' && src[i + 1] === '\n') {
      line++;
      i += 2;
    } else if (c === '\\' && src[i + 1] === '\r' && src[i + 2] === '\n') {
      line++;
      i += 3;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      i = readString(i, '');
    } else if (NAME_START_RE.test(c)) {
      let j = i + 1;
      while (j < n && NAME_CHAR_RE.test(src[j]!)) j++;
      const word = src.slice(i, j);
      if ((src[j] === '"' || src[j] === "'") && STRING_PREFIX_RE.test(word)) {
        i = readString(j, word);
      } else {
        tokens.push({ type: 'name', value: word, line });
        i = j;
      }
    } else if (/\d/.test(c) || (c === '.' && /\d/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[\w.]/.test(src[j]!)) j++;
      tokens.push({ type: 'number', value: src.slice(i, j), line });
      i = j;
    } else {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
      tokens.push({ type: 'op', value: c, line });
      i++;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// import statements

/**
 * Every import in a Python source, in source order: `import` and `from` statements (anywhere a
 * statement can start: after a newline, `;` or a `:` at bracket depth 0, so `if x: import y` and
 * `try: import y` count) and `__import__('m')` / `import_module('m')` calls with a literal name.
 * Comments and strings never count. Relative imports (`from . import x`) are skipped: they name the
 * script's own package, never a library.
 */
export function scanImports(source: string): ImportRef[] {
  const tokens = tokenize(source);
  const refs: ImportRef[] = [];
  let atStart = true;
  let depth = 0;

  const dotted = (k: number): { name: string; next: number } | undefined => {
    if (tokens[k]?.type !== 'name') return undefined;
    let name = tokens[k]!.value;
    let j = k + 1;
    while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name') {
      name += `.${tokens[j + 1]!.value}`;
      j += 2;
    }
    return { name, next: j };
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const wasStart = atStart;
    atStart = t.type === 'newline' || (t.type === 'op' && (t.value === ';' || (t.value === ':' && depth === 0)));
    if (t.type === 'op') {
      if ('([{'.includes(t.value)) depth++;
      else if (')]}'.includes(t.value) && depth > 0) depth--;
    }

    if (t.type === 'name' && (t.value === '__import__' || t.value === 'import_module')) {
      const open = tokens[k + 1];
      const arg = tokens[k + 2];
      if (open?.value === '(' && arg?.type === 'string' && arg.text !== undefined && /^[A-Za-z_][\w.]*$/.test(arg.text)) {
        refs.push({ module: arg.text, names: [], line: t.line, kind: 'dynamic' });
      }
      continue;
    }
    if (!wasStart || t.type !== 'name') continue;

    if (t.value === 'import') {
      let j = k + 1;
      for (;;) {
        const d = dotted(j);
        if (!d) break;
        refs.push({ module: d.name, names: [], line: t.line, kind: 'import' });
        j = d.next;
        if (tokens[j]?.value === 'as' && tokens[j + 1]?.type === 'name') j += 2;
        if (tokens[j]?.value !== ',') break;
        j += 1;
      }
    } else if (t.value === 'from') {
      let j = k + 1;
      let relative = false;
      while (tokens[j]?.value === '.') {
        relative = true;
        j++;
      }
      const d = dotted(j);
      if (relative || !d || tokens[d.next]?.value !== 'import') continue;
      j = d.next + 1;
      if (tokens[j]?.value === '(') j++;
      const names: string[] = [];
      while (tokens[j]?.type === 'name') {
        names.push(`${d.name}.${tokens[j]!.value}`);
        j++;
        if (tokens[j]?.value === 'as' && tokens[j + 1]?.type === 'name') j += 2;
        if (tokens[j]?.value !== ',') break;
        j++;
      }
      refs.push({ module: d.name, names, line: t.line, kind: 'from' });
    }
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------
// rules

const MODULE_RE = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

export class BypassConfigError extends Error {
  override name = 'BypassConfigError';
}

function moduleMatches(candidate: string, rule: string): boolean {
  return candidate === rule || candidate.startsWith(`${rule}.`);
}

/** Checks a BypassRules value (it may come from a user's JSON config); throws BypassConfigError. */
export function validateBypassRules(rules: BypassRules): void {
  if (rules.cases !== undefined && (!Array.isArray(rules.cases) || rules.cases.some((c) => typeof c !== 'string' || c === ''))) {
    throw new BypassConfigError('bypass.cases must be a list of case names or globs');
  }
  if (rules.imports !== undefined) {
    if (!Array.isArray(rules.imports)) throw new BypassConfigError('bypass.imports must be a list of module names');
    for (const m of rules.imports) {
      if (typeof m !== 'string' || !MODULE_RE.test(m)) throw new BypassConfigError(`bypass.imports: ${JSON.stringify(m)} is not a module name`);
    }
  }
  if (rules.useDefaults !== undefined && typeof rules.useDefaults !== 'boolean') {
    throw new BypassConfigError('bypass.useDefaults must be true or false');
  }
}

const matcherCache = new Map<string, (name: string) => boolean>();
function caseMatcher(pattern: string): (name: string) => boolean {
  let m = matcherCache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    matcherCache.set(pattern, m);
  }
  return m;
}

/**
 * Why the case must be bypassed, or undefined to run it. Case rules first (`case matches
 * 'network_*.*' (bypass rule)`), then the script's imports in source order (`imports subprocess
 * (default bypass rule)`; for a submodule or `from` import the rule's module is named too:
 * `imports multiprocessing.pool (default bypass rule: multiprocessing)`). A user's `imports` rule
 * wins over a default one for the same import.
 */
export function bypassReason(caseName: string, source: string, rules: BypassRules = {}): string | undefined {
  validateBypassRules(rules);
  for (const pattern of rules.cases ?? []) {
    if (pattern === caseName || caseMatcher(pattern)(caseName)) return `case matches '${pattern}' (bypass rule)`;
  }
  const user = rules.imports ?? [];
  const defaults = rules.useDefaults === false ? [] : Object.keys(DEFAULT_BYPASS_IMPORTS);
  if (user.length === 0 && defaults.length === 0) return undefined;

  for (const ref of scanImports(source)) {
    for (const candidate of [ref.module, ...ref.names]) {
      const u = user.find((r) => moduleMatches(candidate, r));
      const d = u ? undefined : defaults.find((r) => moduleMatches(candidate, r));
      const rule = u ?? d;
      if (!rule) continue;
      const kind = u ? 'bypass rule' : 'default bypass rule';
      const named = rule === candidate ? kind : `${kind}: ${rule}`;
      const via = ref.kind === 'dynamic' ? ' dynamically' : '';
      return `imports ${candidate}${via} (${named})`;
    }
  }
  return undefined;
}
