// What a normalization rule is, and the helpers the built-in rules share. One rule = one file in
// rules/ made with defineRule; its fields also write its row of RULES.md.

export interface NormalizeContext {
  /**
   * Absolute directories the programs ran in (CPython's scratch copy, the wasm's run directory, ...).
   * Each is replaced by `<scratch>`. Entries shorter than 2 characters (`/`, `.`) are ignored.
   */
  scratchDirs: string[];
  /** File name of the case's script, e.g. `example1.py`. */
  scriptName: string;
  /** File name of the wasm in its run directory, when it is not `<stem of scriptName>.wasm`. */
  wasmName?: string;
}

export interface NormalizationRule {
  name: string;
  /** One line: what it rewrites and why. Shown by the CLI. */
  description: string;
  /** Built-in rules with `false` run only when named in `enable` or `only`. */
  defaultEnabled: boolean;
  source: 'builtin' | 'user';
  apply(text: string, ctx: NormalizeContext): string;
  /** What makes the rule what it is, for digests kept across runs (default: the source of `apply`). */
  fingerprint?: string;
}

/** A built-in rule: its RULES.md row comes from `rewrites` and `why`. */
export interface BuiltinRule extends NormalizationRule {
  source: 'builtin';
  /** RULES.md: what it rewrites, with examples (Markdown). */
  rewrites: string;
  /** RULES.md: why and where it comes from; for an opt-in rule, why it is off by default (Markdown). */
  why: string;
}

export interface RuleDefinition {
  name: string;
  description: string;
  rewrites: string;
  why: string;
  /** Off unless named in `enable` or `only` (default true). */
  defaultEnabled?: boolean;
  apply(text: string, ctx: NormalizeContext): string;
}

export function defineRule(def: RuleDefinition): BuiltinRule {
  return Object.freeze({ ...def, defaultEnabled: def.defaultEnabled ?? true, source: 'builtin' as const });
}

/** The context's scratch directories worth replacing, longest first (a run dir nested in another is replaced whole). */
export function usableScratchDirs(ctx: NormalizeContext): string[] {
  const dirs = new Set<string>();
  for (const raw of ctx.scratchDirs) {
    const d = raw.replace(/[/\\]+$/, '');
    if (d.length >= 2) dirs.add(d);
  }
  return [...dirs].sort((a, b) => b.length - a.length);
}

export function scriptStem(scriptName: string): string {
  const base = scriptName.replace(/^.*[/\\]/, '');
  return base.endsWith('.py') ? base.slice(0, -3) : base;
}
