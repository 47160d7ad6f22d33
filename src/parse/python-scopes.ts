// The functions and classes around a line of a Python source, read from indentation: each `def` /
// `class` header above the line and less indented than it encloses it. Enough for the enclosing
// function of a traced statement (a `--trace-execution` owner names where a variable lives, which
// is not always where the statement runs). Lines inside brackets or strings may mislead it.

const HEADER_RE = /^(\s*)(?:async\s+def|def|class)\s+([A-Za-z_]\w*)/;

const indentOf = (line: string) => line.length - line.trimStart().length;

/** Names of the enclosing defs and classes of 1-based `lineNo`, outermost first: `['Shape', 'area']`. */
export function enclosingScopes(source: string, lineNo: number): string[] {
  const lines = source.split('\n');
  const target = lines[lineNo - 1];
  if (target === undefined || !target.trim()) return [];
  let indent = indentOf(target);
  const scopes: string[] = [];
  for (let i = lineNo - 2; i >= 0 && indent > 0; i--) {
    const line = lines[i]!;
    const text = line.trim();
    if (!text || text.startsWith('#')) continue;
    const lineIndent = indentOf(line);
    if (lineIndent >= indent) continue;
    const header = HEADER_RE.exec(line);
    if (header) scopes.unshift(header[2]!);
    indent = lineIndent;
  }
  return scopes;
}
