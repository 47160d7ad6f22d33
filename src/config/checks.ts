// How an option's value is checked: each check returns what is wrong with a value, or undefined.
// The same checks judge a value from vitest.config.ts and one read from the environment.

/** Checks one value; returns what is wrong with it, or undefined. */
export type Check = (value: unknown) => string | undefined;

/** Node's timers fire at once for a delay above this (with a warning), so a longer timeout is no timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const show = (v: unknown): string =>
  typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(show).join(', ')}]` : String(v);

export const string: Check = (v) => (typeof v === 'string' ? undefined : `must be a string, not ${show(v)}`);
export const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : `must be true or false, not ${show(v)}`);
export const oneOf =
  (allowed: readonly string[]): Check =>
  (v) =>
    allowed.includes(v as string) ? undefined : `must be ${allowed.map((a) => `'${a}'`).join(', ')}, not ${show(v)}`;
export const arrayOf =
  (what: string, item: (x: unknown) => boolean): Check =>
  (v) => {
    if (typeof v === 'string') return `must be an array of ${what}, not the string ${show(v)} (write [${show(v)}])`;
    return Array.isArray(v) && v.every(item) ? undefined : `must be an array of ${what}, not ${show(v)}`;
  };
export const strings = arrayOf('strings', (x) => typeof x === 'string');
/** Chapters are numbered folders (`01/` is chapter 1): a name that is no number selects nothing. */
export const chapterNumbers = arrayOf(
  'chapter numbers',
  (x) => (typeof x === 'number' && Number.isInteger(x) && x >= 0) || (typeof x === 'string' && /^\d+$/.test(x)),
);
export const wholeNumber =
  (min: number, max = Number.MAX_SAFE_INTEGER, unit = ''): Check =>
  (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return `must be a whole number${unit}, not ${show(v)}`;
    if (v < min) return `must be at least ${min}${unit}, not ${v}`;
    if (v > max) return `must be at most ${max}${unit}${max === MAX_TIMER_MS ? " (Node's timer limit)" : ''}, not ${v}`;
    return undefined;
  };
export const timeout = wholeNumber(1, MAX_TIMER_MS, ' ms');
export const byteCount = wholeNumber(0, Number.MAX_SAFE_INTEGER, ' bytes');
export const command: Check = (v) =>
  (typeof v === 'string' && v !== '') ||
  (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x !== ''))
    ? undefined
    : `must be a command: an executable, or an array of the executable and its first arguments, not ${show(v)}`;
export const object: Check = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `must be an object, not ${show(v)}`;

export const userRules: Check = (v) => {
  if (!Array.isArray(v)) return `must be an array of rules ({ name, pattern, replacement, flags? }), not ${show(v)}`;
  const bad = v.findIndex(
    (r: { name?: unknown; pattern?: unknown; replacement?: unknown; flags?: unknown } | null) =>
      !r ||
      typeof r !== 'object' ||
      typeof r.name !== 'string' ||
      typeof r.pattern !== 'string' ||
      typeof r.replacement !== 'string' ||
      (r.flags !== undefined && typeof r.flags !== 'string'),
  );
  return bad < 0
    ? undefined
    : `[${bad}] must be { name, pattern, replacement, flags? } with string values, not ${JSON.stringify(v[bad])}`;
};

export const stringRecord: Check = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    return `must be an object of variable names to strings, not ${JSON.stringify(v)}`;
  const bad = Object.entries(v).find(([, x]) => typeof x !== 'string');
  return bad ? `.${bad[0]} must be a string, not ${JSON.stringify(bad[1])}` : undefined;
};

/** `true`, `false`, or `{ exclude: [case globs] }`. */
export const onOffOrExclude: Check = (v) => {
  if (typeof v === 'boolean') return undefined;
  const exclude = (v as { exclude?: unknown } | null)?.exclude;
  return object(v) ?? (exclude === undefined ? undefined : strings(exclude));
};

/** An array of names, each one of `allowed`: the first unknown one is named. */
export const namesFrom =
  (what: string, allowed: readonly string[]): Check =>
  (v) => {
    const problem = strings(v);
    if (problem) return problem;
    const unknown = (v as string[]).find((x) => !allowed.includes(x));
    return unknown === undefined ? undefined : `has an unknown ${what} "${unknown}": one of ${allowed.join(', ')}`;
  };
