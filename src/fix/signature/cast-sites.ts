// Every cast clang warned about, joined with the AST's cast of a function at the same place, judged
// by the signature it is called with in wasm: the cast's type, except for PyCFunction, whose
// real call type depends on the METH_* flags of its PyMethodDef (CPython calls a METH_NOARGS
// method as `meth(self, NULL)`, a METH_VARARGS|METH_KEYWORDS one with three arguments, ...).
import type { CastFact } from './ast-facts.ts';
import type { CastWarning, UnitSweep } from './clang-sweep.ts';
import { formatSignature, lowerFunctionType, parseFunctionType, type CFunctionType } from './lowering.ts';

export interface CastSite {
  /** The file, its line and column (of the cast's parenthesis). */
  file: string;
  line: number;
  col: number;
  from: string;
  to: string;
  /** The function cast; undefined for a cast of a function pointer value (not judged here). */
  callee?: string;
  /** The type the function is called with through this cast. */
  callType?: CFunctionType;
  fromSignature?: string;
  callSignature?: string;
  /** Whether the call traps in wasm (the lowered signatures differ); undefined when not judged. */
  traps?: boolean;
  /** Why it was judged as it was, or not judged. */
  note?: string;
}

const PYOBJECT = 'struct _object *';
const SSIZE = 'long';
const METH = { VARARGS: 0x1, KEYWORDS: 0x2, NOARGS: 0x4, O: 0x8, FASTCALL: 0x80, METHOD: 0x200 };

/** How CPython 3.11 calls a PyMethodDef's `ml_meth`, by its flags (Objects/methodobject.c, descrobject.c). */
export function methodCallType(flags: number): { type: CFunctionType; how: string } | undefined {
  const t = (...params: string[]): CFunctionType => ({ result: PYOBJECT, params, variadic: false });
  const f = flags & (METH.VARARGS | METH.KEYWORDS | METH.NOARGS | METH.O | METH.FASTCALL | METH.METHOD);
  if (f === METH.NOARGS) return { type: t(PYOBJECT, PYOBJECT), how: 'METH_NOARGS: called as meth(self, NULL)' };
  if (f === METH.O) return { type: t(PYOBJECT, PYOBJECT), how: 'METH_O: called as meth(self, arg)' };
  if (f === METH.VARARGS) return { type: t(PYOBJECT, PYOBJECT), how: 'METH_VARARGS: called as meth(self, args)' };
  if (f === (METH.VARARGS | METH.KEYWORDS))
    return { type: t(PYOBJECT, PYOBJECT, PYOBJECT), how: 'METH_VARARGS|METH_KEYWORDS: meth(self, args, kwargs)' };
  if (f === METH.FASTCALL)
    return { type: t(PYOBJECT, `${PYOBJECT}const *`, SSIZE), how: 'METH_FASTCALL: meth(self, args, nargs)' };
  if (f === (METH.FASTCALL | METH.KEYWORDS))
    return {
      type: t(PYOBJECT, `${PYOBJECT}const *`, SSIZE, PYOBJECT),
      how: 'METH_FASTCALL|METH_KEYWORDS: meth(self, args, nargs, kwnames)',
    };
  return undefined;
}

/** Byte offset of a 1-based line and column in a file's text. */
export type OffsetOf = (file: string, line: number, col: number) => number | undefined;

export function castSites(units: UnitSweep[], offsetOf: OffsetOf): CastSite[] {
  const casts = new Map<string, CastFact>();
  for (const u of units) for (const c of u.facts.casts) casts.set(`${c.file}\0${c.offset}`, c);
  const seen = new Set<string>();
  const sites: CastSite[] = [];
  for (const w of units.flatMap((u) => u.warnings)) {
    const key = `${w.file}:${w.line}:${w.col}`;
    if (seen.has(key)) continue; // a header's cast, warned about in each unit that includes it
    seen.add(key);
    const offset = offsetOf(w.file, w.line, w.col);
    sites.push(judge(w, offset === undefined ? undefined : casts.get(`${w.file}\0${offset}`)));
  }
  return sites;
}

function judge(w: CastWarning, cast: CastFact | undefined): CastSite {
  const site: CastSite = { file: w.file, line: w.line, col: w.col, from: w.from, to: w.to };
  if (!cast)
    return { ...site, note: 'a cast of a function pointer value, not of a function: its callee is not known here' };
  site.callee = cast.callee;
  let callType = parseFunctionType(w.toCanonical);
  if (w.to === 'PyCFunction') {
    const method = cast.methodFlags === undefined ? undefined : methodCallType(cast.methodFlags);
    if (method) {
      callType = method.type;
      site.note = method.how;
    } else site.note = 'a PyCFunction whose METH_* flags are not known here: judged by the PyCFunction type';
  }
  const fromSig = lowerFunctionType(parseFunctionType(w.from));
  const callSig = lowerFunctionType(callType);
  return {
    ...site,
    callType,
    fromSignature: formatSignature(fromSig),
    callSignature: formatSignature(callSig),
    traps: formatSignature(fromSig) !== formatSignature(callSig),
  };
}
