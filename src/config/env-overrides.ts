import { show } from './checks.ts';
import type { CookbookOptions } from './cookbook-options.ts';
import { ConfigError } from './errors.ts';
import { optionEntries } from './option-table.ts';
import { optionProblem } from './validate.ts';

/**
 * The one precedence of every option: its environment variable when set and not empty, else the
 * value in vitest.config.ts, else its default. The environment wins so that one run can point at
 * another tool or cookbook without editing the config.
 */
export const PRECEDENCE =
  'an environment variable that is set and not empty wins over the option in vitest.config.ts, which wins over the default';

export interface EnvOverrides {
  /** The config's options with every set variable's value in place (a new object; the input is untouched). */
  options: CookbookOptions;
  /** Option name (`tools.python`) -> the variable that set it. */
  setBy: Map<string, string>;
}

/** A bad value of a variable: the message names the variable, its value and what is wrong. */
export const envProblem = (variable: string, value: string, problem: string): ConfigError =>
  new ConfigError(`environment variable ${variable} is ${show(value)}: ${problem}`);

/**
 * Reads each option's variable through the option table: its reader turns the text into a value
 * and the option's own check judges it, as it judges the config's. A bad value throws ConfigError.
 */
export function applyEnv(options: CookbookOptions, env: NodeJS.ProcessEnv): EnvOverrides {
  const merged: Record<string, unknown> = { ...options };
  const setBy = new Map<string, string>();
  for (const { name, path, row } of optionEntries()) {
    const variable = row.env?.name;
    const text = variable ? env[variable] : undefined;
    if (!row.env || !variable || text === undefined || text === '') continue;
    const read = row.env.reader.read(text);
    if ('problem' in read) throw envProblem(variable, text, read.problem);
    const problem = row.check(read.value);
    if (problem) throw envProblem(variable, text, optionProblem(name, problem));
    const [key, sub] = path as [string, string?];
    if (sub === undefined) merged[key] = read.value;
    else merged[key] = { ...(merged[key] as object | undefined), [sub]: read.value };
    setBy.set(name, variable);
  }
  return { options: merged, setBy };
}
