// Text helpers of failure classification: one normalized line per failure (a group label), and the
// most telling line of a compile log. Lenient: fields of imported records may be absent or odd.

import { stdlibRelativePath } from '../normalize/rules/traceback-paths.ts';

/** An absolute path into an interpreter's stdlib, as messages quote it. */
const STDLIB_PATH_RE = /\/[^\s'"()<>,]*\/lib\/python\d+\.\d+\/[^\s'"()<>,:]+/g;

/** Labels longer than this are cut (with an ellipsis) so one huge message cannot swamp a report. */
const MAX_LABEL_LENGTH = 240;

/**
 * Removes what makes identical failures look different: addresses (`0x...`), line numbers of traceback
 * frames (`File "...", line N`), `file.c:12:3` positions, node's `(node:PID)`, the per-binary hash in
 * `wasm://wasm/output.wasm-<hash>`, wasm function indices, where the stdlib is installed
 * (`<prefix>/lib/python3.11/x.py` -> `x.py`), temporary directory names, colour codes and
 * runs of white space. Errno numbers, quoted names and other message text are kept.
 */
export function normalizeMessage(text: string): string {
  return (
    text
      // colours only: any other sequence a case printed stays in the label, shown escaped where it is printed
      // eslint-disable-next-line no-control-regex -- an SGR colour sequence starts with ESC
      .replace(/\x1b\[[0-9;]*m/g, '')
      .replace(/0x[0-9a-fA-F]+/g, '0x…')
      .replace(/(, line )\d+/g, '$1N')
      .replace(/(\.(?:c|h|cc|cpp|cxx|py|pyx|inc)):\d+(?::\d+)?/g, '$1:N')
      .replace(/\(node:\d+\)/g, '(node:PID)')
      .replace(/(wasm:\/\/wasm\/[\w.$]+)-[0-9a-f]{6,}/g, '$1')
      .replace(/wasm-function\[\d+\]/g, 'wasm-function[N]')
      .replace(STDLIB_PATH_RE, (p) => stdlibRelativePath(p) ?? p) // as the comparison's traceback-paths rule does
      .replace(/(\/(?:tmp|var\/folders|private\/var)\/)[^\s'"/:,)]+/g, '$1…')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/** normalizeMessage, cut to MAX_LABEL_LENGTH. */
export function label(text: string): string {
  const n = normalizeMessage(text);
  return n.length > MAX_LABEL_LENGTH ? `${n.slice(0, MAX_LABEL_LENGTH - 1)}…` : n;
}

export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { text?: unknown }).text === 'string') {
    return (value as { text: string }).text;
  }
  return '';
}

export function linesOf(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The last non-empty line of the first text that has one. */
export function lastLine(...texts: string[]): string | undefined {
  for (const t of texts) {
    const line = linesOf(t)
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1);
    if (line) return line;
  }
  return undefined;
}

export function firstLine(...texts: string[]): string | undefined {
  for (const t of texts) {
    for (const line of linesOf(t)) if (line.trim()) return line.trim();
  }
  return undefined;
}

const ERRORISH = /(?:^|\s)FATAL:|\berror:|\bError:|^Nuitka[\w-]*:\s*ERROR\b|:ERROR:/;
/** Wrap-up lines that follow the real error; used only when nothing more specific is there. */
const GENERIC_ERROR =
  /linker command failed|Failed unexpectedly in Scons C backend compilation|compilation terminated|Error \d+$|make: \*\*\*/;

/** The most telling error line of a compile log: the last error-ish line, preferring specific ones over wrap-ups. */
export function compileErrorLine(log: string): string | undefined {
  const errorish = linesOf(log)
    .map((l) => l.trim())
    .filter((l) => l && ERRORISH.test(l) && !/warning:/i.test(l));
  const specific = errorish.filter((l) => !GENERIC_ERROR.test(l));
  return specific.at(-1) ?? errorish.at(-1);
}
