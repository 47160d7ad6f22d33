import leven from 'leven';
import { show } from './checks.ts';
import type { CookbookOptions } from './cookbook-options.ts';
import { ConfigError } from './errors.ts';
import { isOptionRow, OPTION_TABLE, type OptionGroup, type OptionRow } from './option-table.ts';

/** The known key nearest to a misspelt one, if it is near enough to be the one meant. */
function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = leven(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** `timeouts.wasmMs must be ...`; a problem about a part (`[0] ...`, `.A ...`) follows the name directly. */
export const optionProblem = (name: string, problem: string): string =>
  `${name}${/^[[.]/.test(problem) ? '' : ' '}${problem}`;

type Shape = Record<string, OptionRow | OptionGroup>;

function check(value: unknown, shape: Shape, where: string, warn: (message: string) => void): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${where || 'options'} must be an object, not ${show(value)}`);
  }
  for (const [key, v] of Object.entries(value)) {
    const name = where ? `${where}.${key}` : key;
    const entry = shape[key];
    if (!entry) {
      const near = closestKey(key, Object.keys(shape));
      warn(
        `unknown option ${name}${near ? `: did you mean ${where ? `${where}.` : ''}${near}?` : ` (known: ${Object.keys(shape).join(', ')})`}`,
      );
      continue;
    }
    if (v === undefined) continue;
    if (isOptionRow(entry)) {
      const problem = entry.check(v);
      if (problem) throw new ConfigError(optionProblem(name, problem));
    } else check(v, entry, name, warn);
  }
}

/**
 * Checks the options of vitest.config.ts once, before anything runs, against the option table: a
 * wrong type or an out-of-range value is a ConfigError naming the option and the value; an unknown
 * key is a warning naming the closest known one (a typo must not silently fall back to a default).
 */
export function validateOptions(options: unknown, warn: (message: string) => void): asserts options is CookbookOptions {
  check(options, OPTION_TABLE, '', warn);
}
