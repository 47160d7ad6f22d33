// How the text of an environment variable reads as an option's value. A reader only converts; the
// option's own check (checks.ts) then judges the value, as it judges one from vitest.config.ts.

export type EnvRead = { value: unknown } | { problem: string };

export interface EnvReader {
  /** How a value is written, for the docs ('' when any text goes). */
  form: string;
  read(text: string): EnvRead;
}

/** Paths, commands (one executable), names: the text itself. */
export const text: EnvReader = { form: '', read: (t) => ({ value: t }) };

/** `1`/`true` or `0`/`false`: any other word is a mistake, never a silent default. */
export const flag: EnvReader = {
  form: '`1` or `0`',
  read(t) {
    const word = t.trim().toLowerCase();
    if (word === '1' || word === 'true') return { value: true };
    if (word === '0' || word === 'false') return { value: false };
    return { problem: 'must be 1 or 0 (or true or false)' };
  },
};

/** Digits read as a number; anything else stays text, which the option's check then names. */
export const number: EnvReader = {
  form: 'a whole number',
  read: (t) => ({ value: /^\s*-?\d+(\.\d+)?\s*$/.test(t) ? Number(t) : t }),
};

/** Comma separated; blanks around items do not count. */
export const list: EnvReader = {
  form: 'comma separated',
  read(t) {
    const items = t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return items.length > 0
      ? { value: items }
      : { problem: 'lists nothing: write its items separated by commas, or leave the variable unset' };
  },
};
