// The C rewrite: each function that a failing cast calls with more arguments than it declares gets
// the missing trailing parameters of its call type (a getter's `void *data`, a METH_NOARGS method's
// `PyObject *unused`), in its definition and every prototype, its body kept; its direct calls pass
// NULL (or 0) for them. Edits are byte offsets from clang's AST: nothing is matched by text.
import type { AstFacts, FunctionDeclFact } from './ast-facts.ts';
import type { CastSite } from './cast-sites.ts';
import { lowerType, parseFunctionType } from './lowering.ts';

export interface TextEdit {
  file: string;
  offset: number;
  /** Bytes replaced at `offset`. */
  remove: number;
  insert: string;
}

export interface RewritePlan {
  edits: TextEdit[];
  /** Functions given new parameters, with what was added. */
  changed: Array<{ callee: string; added: string[] }>;
  /** Failing sites' functions left alone, and why. */
  skipped: Array<{ callee: string; why: string }>;
}

/** A canonical type as a reader writes it. */
const readable = (type: string) => type.replace(/\bstruct _object \*/g, 'PyObject *').trim();

function paramSpelling(type: string, taken: Set<string>, index: number): string {
  const t = readable(type);
  let name = t === 'void *' ? 'data' : t === 'PyObject *' ? 'unused' : `arg${index}`;
  while (taken.has(name)) name = `${name}_`;
  taken.add(name);
  return `${t}${t.endsWith('*') ? '' : ' '}${name}`;
}

/** What a function needs appended to match a call type, or why it cannot be matched by appending. */
function appended(site: CastSite): { types: string[] } | { why: string } {
  const fn = parseFunctionType(site.from);
  const call = site.callType!;
  if (fn.variadic || call.variadic) return { why: 'a variadic type' };
  const kinds = (ts: string[]) => ts.flatMap(lowerType).join(', ') || 'nothing';
  if (kinds([fn.result]) !== kinds([call.result]))
    return { why: `it returns ${kinds([fn.result])} where the call expects ${kinds([call.result])}` };
  if (fn.params.length > call.params.length)
    return { why: `it declares more parameters (${fn.params.length}) than the call passes (${call.params.length})` };
  if (kinds(fn.params) !== kinds(call.params.slice(0, fn.params.length)))
    return {
      why: `its parameters lower to other wasm types than the call's (${site.fromSignature} vs ${site.callSignature})`,
    };
  return { types: call.params.slice(fn.params.length) };
}

/**
 * `textOf(file)` gives a file's bytes (to find a parameter list's parentheses); `rel(file)` says
 * how to name a file in a message.
 */
export function planRewrite(
  sites: CastSite[],
  facts: AstFacts,
  textOf: (file: string) => Buffer,
  rel: (file: string) => string,
): RewritePlan {
  const plan: RewritePlan = { edits: [], changed: [], skipped: [] };
  const byCallee = new Map<string, CastSite[]>();
  for (const s of sites.filter((s) => s.traps && s.callee))
    byCallee.set(s.callee!, [...(byCallee.get(s.callee!) ?? []), s]);
  for (const [callee, calleeSites] of byCallee) {
    const skip = (why: string) => plan.skipped.push({ callee, why });
    const needs = calleeSites.map(appended);
    const why = needs.find((n) => 'why' in n);
    if (why && 'why' in why) {
      skip(why.why);
      continue;
    }
    const lists = new Set(needs.map((n) => ('types' in n ? n.types.join(', ') : '')));
    if (lists.size > 1) {
      skip(`it is cast to types that want different parameters (${[...lists].join(' / ')})`);
      continue;
    }
    const decls = uniqueDecls(facts.functions.filter((f) => f.name === callee));
    const calls = facts.calls.filter((c) => c.callee === callee);
    const refs = facts.refs.filter((r) => r.callee === callee);
    const at = (p: { file: string; offset: number }) => `${rel(p.file)} (byte ${p.offset})`;
    if (!decls.some((d) => d.isDefinition)) skip('it is not defined in the package');
    else if (decls.some((d) => d.macro)) skip(`it is declared by a macro at ${at(decls.find((d) => d.macro)!)}`);
    else if (calls.some((c) => c.macro)) skip(`it is called from a macro at ${at(calls.find((c) => c.macro)!)}`);
    else if (refs.length) skip(`its address is used without a cast at ${at(refs[0]!)}: a new type would not fit there`);
    else {
      const types = (needs[0] as { types: string[] }).types;
      const taken = new Set(decls.find((d) => d.isDefinition)!.paramNames);
      const firstIndex = parseFunctionType(calleeSites[0]!.from).params.length;
      const added = types.map((t, i) => paramSpelling(t, taken, firstIndex + i));
      for (const d of decls) plan.edits.push(paramEdit(d, added, textOf(d.file)));
      for (const c of calls) {
        const values = types.map((t) => (lowerType(t)[0] === 'i32' && /[*[(]/.test(t) ? 'NULL' : '0'));
        plan.edits.push({
          file: c.file,
          offset: c.rparen,
          remove: 0,
          insert: `${c.args ? ', ' : ''}${values.join(', ')}`,
        });
      }
      plan.changed.push({ callee, added });
    }
  }
  return plan;
}

/** The same declaration seen from several translation units once. */
function uniqueDecls(decls: FunctionDeclFact[]): FunctionDeclFact[] {
  return [...new Map(decls.map((d) => [`${d.file}\0${d.offset}`, d])).values()];
}

function paramEdit(d: FunctionDeclFact, added: string[], text: Buffer): TextEdit {
  const list = added.join(', ');
  if (d.paramEnds.length) return { file: d.file, offset: d.paramEnds.at(-1)!, remove: 0, insert: `, ${list}` };
  // `f()` or `f(void)`: the list between the parentheses after the name
  const open = text.indexOf('(', d.nameEnd);
  const close = text.indexOf(')', open);
  const inside = text.subarray(open + 1, close).toString('utf8');
  if (open < 0 || close < 0 || !/^\s*(void)?\s*$/.test(inside)) throw new Error(`no parameter list after ${d.name}`);
  return { file: d.file, offset: open + 1, remove: close - open - 1, insert: list };
}

/** A file's text with edits applied (edits at distinct places; applied from the end). */
export function applyEdits(text: Buffer, edits: TextEdit[]): Buffer {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset))
    out = Buffer.concat([out.subarray(0, e.offset), Buffer.from(e.insert), out.subarray(e.offset + e.remove)]);
  return out;
}
