// Lines a `--trace-execution` build of Nuitka prints for every statement it runs:
// `Execute: example1.py:11 <Node 'STATEMENT_ASSIGNMENT_VARIABLE_GENERIC' with {..., 'owner': '__main__$$$function__1_counted'}>`
import { pythonNameOfCodeName, type PythonCodeName } from './nuitka-names.ts';

export interface ExecutedStatement {
  /** As Nuitka printed it: relative to the compiled script's folder. */
  file: string;
  line: number;
  /** Nuitka's node kind, `STATEMENT_ASSIGNMENT_VARIABLE_GENERIC` */
  node: string;
  /** Nuitka's code name of the scope the statement belongs to, when the node says. */
  owner?: string;
  /** The scope in Python terms, from `owner` or, for a frame node, its `co_name` (module then unknown: ''). */
  scope?: PythonCodeName;
}

// Not anchored: a program line printed without its newline may stand in front.
// Nodes without details (`<Node 'STATEMENT_LOOP'>`) have no `with {...}`.
const EXECUTE_RE = /Execute: (.+?):(\d+) <Node '([A-Za-z0-9_]+)'(?: with (\{.*\}))?>\s*$/;
const OWNER_RE = /'owner': '([^']+)'/;
const CO_NAME_RE = /'co_name': '([^']+)'/;

export function parseExecuteLine(text: string): ExecutedStatement | undefined {
  const m = EXECUTE_RE.exec(text);
  if (!m) return undefined;
  const details = m[4] ?? '';
  const owner = OWNER_RE.exec(details)?.[1];
  // a frame node (entering a function or the module) names its code object instead
  const coName = CO_NAME_RE.exec(details)?.[1];
  const scope = owner
    ? pythonNameOfCodeName(owner)
    : coName && coName !== '<module>'
      ? { module: '', qualname: coName }
      : undefined;
  return { file: m[1]!, line: Number(m[2]), node: m[3]!, ...(owner ? { owner } : {}), ...(scope ? { scope } : {}) };
}

/** The last `limit` statements of a trace (oldest first); the text may be a bounded capture's tail. */
export function lastExecuted(text: string, limit: number): ExecutedStatement[] {
  const out: ExecutedStatement[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && out.length < limit; i--) {
    if (!lines[i]!.includes('Execute: ')) continue;
    const s = parseExecuteLine(lines[i]!);
    if (s) out.push(s);
  }
  return out.reverse();
}
