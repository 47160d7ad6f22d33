import type { ResolvedRuntimeTemplate } from '../../config/runtimes.ts';
import { OUTPUT_PARSERS } from './output.ts';
import { runRuntimeCommand, toRuntimeRun, type WasmRunRequest, type WasmRuntime } from './runtime.ts';

/** WAMR's interpreter stack the old run gave iwasm (`--stack-size=134217728`). */
const DEFAULT_STACK_SIZE = 134_217_728;

/** One command-line element (or group) filled in; repeated elements yield one copy per entry. */
function expandPart(part: string | string[], req: WasmRunRequest): string[] {
  const group = Array.isArray(part) ? part : [part];
  const joined = group.join('\0');
  const fill = (text: string, extra: Record<string, string> = {}) =>
    text.replace(
      /\{(wasm|dir|stackSize|env|guest|host)\}/g,
      (whole, key: string) =>
        ({ wasm: req.wasmFile, dir: req.cwd, stackSize: String(req.stackSize ?? DEFAULT_STACK_SIZE), ...extra })[key] ??
        whole,
    );
  if (group.length === 1 && group[0] === '{args}') return [...(req.args ?? [])];
  if (joined.includes('{env}'))
    return Object.entries(req.env ?? {}).flatMap(([k, v]) => group.map((p) => fill(p, { env: `${k}=${v}` })));
  if (/\{(guest|host)\}/.test(joined))
    return (req.mapDirs ?? []).flatMap((m) => group.map((p) => fill(p, { guest: m.guest, host: m.host })));
  return group.map((p) => fill(p));
}

/** The command line a template gives for one run. Pure. */
export function expandCommand(command: ResolvedRuntimeTemplate['command'], req: WasmRunRequest): string[] {
  return command.flatMap((part) => expandPart(part, req));
}

/** A runtime from a command template: the built-in ones and every `runtimes:` entry of the config. */
export function templateRuntime(name: string, template: ResolvedRuntimeTemplate): WasmRuntime {
  const commandFor = (req: WasmRunRequest) => expandCommand(template.command, req);
  const processEnv = template.processEnv
    ? Object.fromEntries(Object.entries(template.processEnv).map(([k, v]) => [k, v ?? undefined]))
    : undefined;
  return {
    name,
    template,
    commandFor,
    async run(req) {
      const outcome = await runRuntimeCommand(commandFor(req), req, processEnv);
      return toRuntimeRun(name, outcome, OUTPUT_PARSERS[template.output](outcome, template));
    },
  };
}
