// What the signature fix needs from clang's JSON AST, declaration by declaration: the functions
// of the package (where each declaration's parameter list ends), the casts of a function to another
// function type (with the METH_* flags of the PyMethodDef it sits in), the direct calls of those
// functions, and their other uses. clang writes a location's `file` only when it changes from the
// location written before, so every location is read in document order to know its file.

/** A node of clang's JSON AST, as far as this reads it. */
interface Node {
  kind?: string;
  name?: string;
  loc?: Loc;
  range?: { begin: Loc; end: Loc };
  type?: { qualType?: string; desugaredQualType?: string };
  castKind?: string;
  value?: string;
  opcode?: string;
  referencedDecl?: { kind?: string; name?: string };
  inner?: Node[];
}
type BareLoc = { offset?: number; file?: string; tokLen?: number };
type Loc = BareLoc & { spellingLoc?: BareLoc; expansionLoc?: BareLoc };

export interface Place {
  file: string;
  /** Byte offset in the file. */
  offset: number;
  /** Written by a macro: not edited by hand-made text changes. */
  macro: boolean;
}

export interface FunctionDeclFact extends Place {
  name: string;
  /** Byte offset just past the function's name (its parameter list follows). */
  nameEnd: number;
  /** Byte offset just past each parameter's last token. */
  paramEnds: number[];
  paramNames: string[];
  isDefinition: boolean;
}

export interface CastFact extends Place {
  /** The function cast. */
  callee: string;
  /** The type cast to, as written (`getter`). */
  target: string;
  /** The `ml_flags` of the PyMethodDef the cast initialises, when it is one's `ml_meth`. */
  methodFlags?: number;
}

export interface CallFact extends Place {
  callee: string;
  /** Byte offset of the call's closing parenthesis. */
  rparen: number;
  args: number;
}

export interface AstFacts {
  functions: FunctionDeclFact[];
  casts: CastFact[];
  calls: CallFact[];
  /** Uses of a function other than a cast or a direct call (taking its address as it is). */
  refs: Array<Place & { callee: string }>;
}

export function emptyFacts(): AstFacts {
  return { functions: [], casts: [], calls: [], refs: [] };
}

const FILE_RE = /("includedFrom": \{\s*)?"file": ("(?:[^"\\]|\\.)*")/g;

/** Collects the facts of the declarations in files `keep` accepts, from declarations' texts in order. */
export class AstFactCollector {
  readonly facts = emptyFacts();
  /** Every file a location named: the files the translation unit read. */
  readonly files = new Set<string>();
  private lastFile = '';

  constructor(private readonly keep: (file: string) => boolean) {}

  add(declText: string): void {
    // cheap path: a declaration wholly in files not kept only moves the current file
    const mentioned = [this.lastFile];
    for (const m of declText.matchAll(FILE_RE)) if (!m[1]) mentioned.push(JSON.parse(m[2]!) as string);
    for (const f of mentioned) this.files.add(f);
    if (!mentioned.some((f) => f && this.keep(f))) {
      this.lastFile = mentioned.at(-1)!;
      return;
    }
    const decl = JSON.parse(declText) as Node;
    this.resolveFiles(decl);
    this.visit(decl, []);
  }

  /** Gives every bare location its file, reading them in the order clang wrote them. */
  private resolveFiles(node: unknown): void {
    if (Array.isArray(node)) {
      for (const n of node) this.resolveFiles(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (typeof obj.offset === 'number') {
      if (typeof obj.file === 'string') this.lastFile = obj.file;
      else obj.file = this.lastFile;
    }
    for (const [key, value] of Object.entries(obj)) if (key !== 'includedFrom') this.resolveFiles(value);
  }

  private visit(node: Node, parents: Node[]): void {
    const place = placeOf(node.loc ?? node.range?.begin);
    if (node.kind === 'FunctionDecl' && node.name && place && this.keep(place.file)) this.functionDecl(node, place);
    if (node.kind === 'CStyleCastExpr' && node.castKind === 'BitCast') this.cast(node, parents);
    if (node.kind === 'CallExpr') this.call(node);
    if (node.kind === 'DeclRefExpr' && node.referencedDecl?.kind === 'FunctionDecl' && !consumed.has(node)) {
      const at = placeOf(node.range?.begin);
      if (at && this.keep(at.file)) this.facts.refs.push({ ...at, callee: node.referencedDecl.name! });
    }
    const chain = [...parents, node];
    for (const child of node.inner ?? []) this.visit(child, chain);
  }

  private functionDecl(node: Node, place: Place): void {
    const params = (node.inner ?? []).filter((n) => n.kind === 'ParmVarDecl');
    const nameLoc = bare(node.loc);
    this.facts.functions.push({
      ...place,
      name: node.name!,
      nameEnd: (nameLoc?.offset ?? place.offset) + (nameLoc?.tokLen ?? 0),
      paramEnds: params.map((p) => {
        const end = bare(p.range?.end);
        return (end?.offset ?? 0) + (end?.tokLen ?? 0);
      }),
      paramNames: params.map((p) => p.name ?? ''),
      isDefinition: (node.inner ?? []).some((n) => n.kind === 'CompoundStmt'),
    });
  }

  private cast(node: Node, parents: Node[]): void {
    const ref = functionRef(node.inner?.[0]);
    const at = placeOf(node.range?.begin);
    if (!ref || !at) return;
    consumed.add(ref);
    if (!this.keep(at.file)) return;
    const fact: CastFact = { ...at, callee: ref.referencedDecl!.name!, target: node.type?.qualType ?? '' };
    const flags = methodFlagsOf(node, parents);
    if (flags !== undefined) fact.methodFlags = flags;
    this.facts.casts.push(fact);
  }

  private call(node: Node): void {
    const ref = functionRef(node.inner?.[0]);
    if (!ref) return;
    consumed.add(ref);
    const at = placeOf(node.range?.begin);
    const end = node.range?.end;
    if (!at || !end || !this.keep(at.file)) return;
    const rparen = bare(end)?.offset ?? 0;
    this.facts.calls.push({
      ...at,
      macro: at.macro || end.spellingLoc !== undefined,
      callee: ref.referencedDecl!.name!,
      rparen,
      args: (node.inner?.length ?? 1) - 1,
    });
  }
}

/** DeclRefExprs already read as a cast's or a call's function. */
const consumed = new WeakSet<Node>();

/** The DeclRefExpr of a function under implicit casts, parentheses and `&`. */
function functionRef(node: Node | undefined): Node | undefined {
  let n = node;
  while (
    n &&
    (n.kind === 'ImplicitCastExpr' || n.kind === 'ParenExpr' || (n.kind === 'UnaryOperator' && n.opcode === '&'))
  )
    n = n.inner?.[0];
  return n?.kind === 'DeclRefExpr' && n.referencedDecl?.kind === 'FunctionDecl' ? n : undefined;
}

/** For a cast that is the `ml_meth` of a PyMethodDef initializer: its `ml_flags`, evaluated. */
function methodFlagsOf(cast: Node, parents: Node[]): number | undefined {
  let child: Node = cast;
  for (let i = parents.length - 1; i >= 0; i--) {
    const p = parents[i]!;
    if (p.kind === 'InitListExpr') {
      const type = p.type?.desugaredQualType ?? p.type?.qualType ?? '';
      if (!/\bPyMethodDef$/.test(type) || p.inner?.indexOf(child) !== 1) return undefined;
      return evaluate(p.inner[2]);
    }
    if (p.kind !== 'ImplicitCastExpr' && p.kind !== 'ParenExpr') return undefined;
    child = p;
  }
  return undefined;
}

/** An integer constant expression of literals, `|`, `+` and parentheses (how METH_* flags are written). */
function evaluate(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  if (node.kind === 'IntegerLiteral') return Number(node.value);
  if (node.kind === 'ImplicitCastExpr' || node.kind === 'ParenExpr' || node.kind === 'ConstantExpr')
    return evaluate(node.inner?.[0]);
  if (node.kind === 'BinaryOperator' && (node.opcode === '|' || node.opcode === '+')) {
    const [a, b] = [evaluate(node.inner?.[0]), evaluate(node.inner?.[1])];
    if (a === undefined || b === undefined) return undefined;
    return node.opcode === '|' ? a | b : a + b;
  }
  return undefined;
}

const bare = (loc: Loc | undefined): BareLoc | undefined => loc?.expansionLoc ?? loc;

function placeOf(loc: Loc | undefined): Place | undefined {
  const at = bare(loc);
  if (at?.offset === undefined || !at.file) return undefined;
  return { file: at.file, offset: at.offset, macro: loc!.spellingLoc !== undefined };
}
