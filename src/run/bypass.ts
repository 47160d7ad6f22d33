// Whether a case is bypassed (BYPASS, not run), decided per case at run time from the rules
// (config/bypass-rules.ts, validated once at option resolution) and the script's imports
// (tools/import-scan.ts, one CPython per recipe).

import picomatch from 'picomatch';
import { DEFAULT_BYPASS_IMPORTS, type BypassRules } from '../config/bypass-rules.ts';
import type { ImportRef } from '../tools/import-scan.ts';

function moduleMatches(candidate: string, rule: string): boolean {
  return candidate === rule || candidate.startsWith(`${rule}.`);
}

/** Whether the rules look at imports at all (when not, no script needs scanning). */
export function checksImports(rules: BypassRules): boolean {
  return (rules.imports ?? []).length > 0 || rules.useDefaults !== false;
}

const matcherCache = new Map<string, (name: string) => boolean>();
function caseMatcher(pattern: string): (name: string) => boolean {
  let m = matcherCache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    matcherCache.set(pattern, m);
  }
  return m;
}

/**
 * Why the case must be bypassed, or undefined to run it. Case rules first (`case matches
 * 'network_*.*' (bypass rule)`), then the script's imports in source order (`imports subprocess
 * (default bypass rule)`; for a submodule or `from` import the rule's module is named too:
 * `imports multiprocessing.pool (default bypass rule: multiprocessing)`). A user's `imports` rule
 * wins over a default one for the same import.
 */
export function bypassReason(
  caseName: string,
  imports: readonly ImportRef[],
  rules: BypassRules = {},
): string | undefined {
  for (const pattern of rules.cases ?? []) {
    if (pattern === caseName || caseMatcher(pattern)(caseName)) return `case matches '${pattern}' (bypass rule)`;
  }
  const user = rules.imports ?? [];
  const defaults = rules.useDefaults === false ? [] : Object.keys(DEFAULT_BYPASS_IMPORTS);
  if (user.length === 0 && defaults.length === 0) return undefined;

  for (const ref of imports) {
    for (const candidate of [ref.module, ...ref.names]) {
      const u = user.find((r) => moduleMatches(candidate, r));
      const d = u ? undefined : defaults.find((r) => moduleMatches(candidate, r));
      const rule = u ?? d;
      if (!rule) continue;
      const kind = u ? 'bypass rule' : 'default bypass rule';
      const named = rule === candidate ? kind : `${kind}: ${rule}`;
      const via = ref.kind === 'dynamic' ? ' dynamically' : '';
      return `imports ${candidate}${via} (${named})`;
    }
  }
  return undefined;
}
