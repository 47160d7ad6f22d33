// Output normalization: what is rewritten in CPython's and the wasm's stdout before they are compared.
//
// Built from Nuitka's own test runner (nuitka/tools/testing/OutputComparison.py, `makeDiffable`):
// object addresses, compiled_* type names, timings, thread ids, module reprs, traceback paths, temp
// file names and local ports are the substitutions Nuitka makes when it compares a compiled program
// with CPython. Added for py2wasm: the run directory (`<scratch>`), the wasm's `./x.py` paths, the
// wasm file name, set order (string hashing is randomised in both), traceback source lines (the wasm
// has no source file) and, opt-in, the WASI platform/version values. One file per rule in rules/;
// RULES.md is generated from them (`npm run rules-doc`). This file: the configuration (which rules,
// user rules) and applying them.
//
// Every rule is a pure function of the text and is applied to both sides, so equal outputs stay equal:
// normalization can hide a difference, never create one.

import type { NormalizationOptions, UserNormalizationRule } from '../config/cookbook-options.ts';
import type { ResolvedOptions } from '../config/options.ts';
import { BUILTIN_RULES } from './rules/index.ts';
import type { NormalizationRule, NormalizeContext } from './rule.ts';

export { BUILTIN_RULES } from './rules/index.ts';
export type { BuiltinRule, NormalizationRule, NormalizeContext } from './rule.ts';

export interface NormalizeResult {
  text: string;
  /** Names of the rules that changed the text, in application order. */
  fired: string[];
}

export class NormalizationConfigError extends Error {
  override name = 'NormalizationConfigError';
}

const BUILTIN_BY_NAME = new Map(BUILTIN_RULES.map((r) => [r.name, r]));

const RULE_NAME_RE = /^[A-Za-z0-9][\w.-]*$/;

function userRule(u: UserNormalizationRule, index: number): NormalizationRule {
  if (!u || typeof u !== 'object') throw new NormalizationConfigError(`extra[${index}] is not an object`);
  const { name, pattern, replacement } = u;
  if (typeof name !== 'string' || !RULE_NAME_RE.test(name)) {
    throw new NormalizationConfigError(
      `extra[${index}]: name must match ${RULE_NAME_RE} (got ${JSON.stringify(name)})`,
    );
  }
  if (typeof pattern !== 'string' || pattern === '')
    throw new NormalizationConfigError(`extra rule '${name}': pattern must be a non-empty string`);
  if (typeof replacement !== 'string')
    throw new NormalizationConfigError(`extra rule '${name}': replacement must be a string`);
  let flags = u.flags ?? 'gm';
  if (typeof flags !== 'string') throw new NormalizationConfigError(`extra rule '${name}': flags must be a string`);
  if (!flags.includes('g')) flags += 'g';
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    throw new NormalizationConfigError(`extra rule '${name}': ${(error as Error).message}`);
  }
  const description = u.description ?? `user rule: /${pattern}/${flags} -> ${JSON.stringify(replacement)}`;
  return Object.freeze({
    name,
    description,
    defaultEnabled: true,
    source: 'user' as const,
    fingerprint: JSON.stringify([pattern, flags, replacement]),
    apply: (text: string) => text.replace(new RegExp(pattern, flags), replacement),
  });
}

/**
 * The rules to apply, in order: built-in rules (the default-enabled ones plus `enable`, or exactly
 * `only`), minus `disable`, then the user's `extra` rules. Unknown names and invalid rules throw a
 * NormalizationConfigError, so a typo in a config never silently compares raw output.
 */
export function resolveRules(config: NormalizationOptions = {}): NormalizationRule[] {
  const extras = (config.extra ?? []).map(userRule);
  const seen = new Set<string>();
  for (const r of extras) {
    if (BUILTIN_BY_NAME.has(r.name))
      throw new NormalizationConfigError(`extra rule '${r.name}' has the name of a built-in rule`);
    if (seen.has(r.name)) throw new NormalizationConfigError(`extra rule '${r.name}' is defined twice`);
    seen.add(r.name);
  }
  const known = (names: string[] | undefined, key: string, allowExtras: boolean): Set<string> => {
    const set = new Set<string>();
    for (const n of names ?? []) {
      if (!BUILTIN_BY_NAME.has(n) && !(allowExtras && seen.has(n))) {
        throw new NormalizationConfigError(
          `unknown normalization rule '${n}' in ${key} (built-in: ${BUILTIN_RULES.map((r) => r.name).join(', ')})`,
        );
      }
      set.add(n);
    }
    return set;
  };
  const disable = known(config.disable, 'disable', true);
  const enable = known(config.enable, 'enable', false);
  const only = config.only ? known(config.only, 'only', false) : undefined;

  const builtins = BUILTIN_RULES.filter((r) => (only ? only.has(r.name) : r.defaultEnabled || enable.has(r.name)));
  return [...builtins, ...extras].filter((r) => !disable.has(r.name));
}

/** Applies `rules` in order; `fired` names those that changed the text. */
export function normalize(text: string, rules: readonly NormalizationRule[], ctx: NormalizeContext): NormalizeResult {
  const fired: string[] = [];
  let current = text;
  for (const rule of rules) {
    const next = rule.apply(current, ctx);
    if (next !== current) {
      fired.push(rule.name);
      current = next;
    }
  }
  return { text: current, fired };
}

/** The normalization rules the options ask for: what every comparison of a case's outputs uses. */
export function normalizationRules(o: ResolvedOptions): NormalizationRule[] {
  return resolveRules({
    disable: o.normalize.disable,
    enable: o.normalize.enable,
    extra: o.normalize.extra,
    ...(o.normalize.only ? { only: o.normalize.only } : {}),
  });
}
