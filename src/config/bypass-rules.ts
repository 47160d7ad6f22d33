// BYPASS rules: cases that are not run at all, by name or by what they import. The rules and their
// validation (at option resolution); run/bypass.ts decides per case.

import { ConfigError } from './errors.ts';

export interface BypassRules {
  /**
   * Case names (`recipe.example`) or globs (`network_*.*`, same syntax as the discovery filters).
   * @default []
   */
  cases?: string[];
  /**
   * Module names. A script importing one of them or a submodule (`import x`, `import x.y`,
   * `from x import y`, `from x.y import z`; `from x import y` also counts as importing `x.y`;
   * `__import__('x')` and `importlib.import_module('x')` with a literal name) is bypassed.
   * @default [] (the built-in rules are `useDefaults`)
   */
  imports?: string[];
  /**
   * Also apply the built-in import rules (DEFAULT_BYPASS_IMPORTS).
   * @default true
   */
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

const MODULE_RE = /^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/;

export class BypassConfigError extends ConfigError {
  override name = 'BypassConfigError';
}

/**
 * Checks a BypassRules value (it may come from a user's JSON config) once, when the options are
 * resolved; throws BypassConfigError.
 */
export function validateBypassOptions(rules: BypassRules): void {
  if (!rules || typeof rules !== 'object' || Array.isArray(rules))
    throw new BypassConfigError('bypass must be an object { cases, imports, useDefaults }');
  if (
    rules.cases !== undefined &&
    (!Array.isArray(rules.cases) || rules.cases.some((c) => typeof c !== 'string' || c === ''))
  ) {
    throw new BypassConfigError('bypass.cases must be a list of case names or globs');
  }
  if (rules.imports !== undefined) {
    if (!Array.isArray(rules.imports)) throw new BypassConfigError('bypass.imports must be a list of module names');
    for (const m of rules.imports) {
      if (typeof m !== 'string' || !MODULE_RE.test(m))
        throw new BypassConfigError(`bypass.imports: ${JSON.stringify(m)} is not a module name`);
    }
  }
  if (rules.useDefaults !== undefined && typeof rules.useDefaults !== 'boolean') {
    throw new BypassConfigError('bypass.useDefaults must be true or false');
  }
}
