// Markdown building blocks for summary.md: escaping, code spans, tables, case lists. Pure.

/** Escapes a GitHub-markdown table cell: backslashes, pipes, HTML brackets; newlines become `<br>`. */
export function escapeTableCell(text: string): string {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** Escapes plain text for a markdown paragraph (one line). */
export function escapeMarkdownText(text: string): string {
  return String(text)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]<>|~#]/g, '\\$&');
}

/** An inline code span that survives backticks inside the text. */
export function codeSpan(text: string): string {
  const t = String(text).replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ') && t.trim()) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

export function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => escapeTableCell(String(c))).join(' | ')} |`;
  const sep = `|${header.map((_, i) => (align?.[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** Case lists longer than this go into a collapsed `<details>` block. */
const INLINE_CASES = 8;

export function caseList(cases: readonly string[], indent: string): string {
  const joined = cases.map(codeSpan).join(', ');
  if (cases.length <= INLINE_CASES) return `${indent}${joined}`;
  return [
    `${indent}<details><summary>${cases.length} cases</summary>`,
    '',
    `${indent}${joined}`,
    '',
    `${indent}</details>`,
  ].join('\n');
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
