// What a C function type becomes in wasm32: the signature a call_indirect checks. Two C types that
// differ (a `struct Nuitka_FunctionObject *` parameter where `PyObject *` is expected) may lower to
// the same signature, and only a different signature traps. Input: clang's canonical type spelling
// (the `aka` of its diagnostics), e.g. `struct _object *(*)(struct _object *, void *)`.

export type WasmKind = 'i32' | 'i64' | 'f32' | 'f64';

export interface CFunctionType {
  /** The return type's spelling. */
  result: string;
  /** The parameters' type spellings; empty for `(void)` and `()`. */
  params: string[];
  variadic: boolean;
}

export interface WasmSignature {
  params: WasmKind[];
  results: WasmKind[];
}

/** Splits `R (P1, P2)` or `R (*)(P1, P2)` at its top-level parameter list. */
export function parseFunctionType(spelling: string): CFunctionType {
  const text = spelling.trim();
  if (!text.endsWith(')')) throw new Error(`not a function type: ${spelling}`);
  let depth = 0;
  let open = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) {
      open = i;
      break;
    }
  }
  if (open < 0) throw new Error(`unbalanced function type: ${spelling}`);
  const result = text
    .slice(0, open)
    .replace(/\(\s*\*\s*\)\s*$/, '')
    .trim();
  const params = splitTopLevel(text.slice(open + 1, -1));
  const variadic = params.at(-1) === '...';
  const named = variadic ? params.slice(0, -1) : params;
  return { result, params: named.length === 1 && named[0] === 'void' ? [] : named, variadic };
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = list.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** The wasm values one C value of this (canonical) type is passed as; [] for void. */
export function lowerType(spelling: string): WasmKind[] {
  const t = spelling.replace(/\b(const|volatile|restrict|__restrict)\b/g, '').trim();
  if (/[*[(]/.test(t)) return ['i32']; // pointers, arrays, function pointers: 32-bit addresses
  if (t === 'void') return [];
  if (/^(unsigned |signed )?long double$/.test(t)) return ['i64', 'i64'];
  if (/\b__int128\b/.test(t)) return ['i64', 'i64'];
  if (/\blong long\b/.test(t)) return ['i64'];
  if (t === 'double') return ['f64'];
  if (t === 'float') return ['f32'];
  return ['i32']; // int, long (32-bit in wasm32), char, short, _Bool, enums; structs by value go by address
}

const isAggregate = (t: string) => /^(struct|union) /.test(t.trim()) && !/[*[(]/.test(t);

/** The wasm signature of a C function type (an aggregate result is returned through a leading pointer). */
export function lowerFunctionType(type: CFunctionType): WasmSignature {
  const sret = isAggregate(type.result);
  return {
    params: [...(sret ? (['i32'] as WasmKind[]) : []), ...type.params.flatMap(lowerType)],
    results: sret ? [] : lowerType(type.result),
  };
}

/** `(i32, i32) -> i32`, as the indirect-call diagnosis writes signatures. */
export function formatSignature(sig: WasmSignature): string {
  return `(${sig.params.join(', ')}) -> ${sig.results.length ? sig.results.join(', ') : 'nil'}`;
}

export function sameSignature(a: WasmSignature, b: WasmSignature): boolean {
  return formatSignature(a) === formatSignature(b);
}
