// A small parser for the reprs Python prints of simple literals (str/bytes, numbers, None/True/False,
// tuples of those) and for set and dict displays made of them, so `set-order` / `dict-order` can
// sort what string hashing shuffles without touching anything it cannot read.

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

/** Sorts the elements of every printed set (`pairs`: dict) display whose elements are all simple literals. */
export function sortBraceDisplays(text: string, pairs: boolean): string {
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
