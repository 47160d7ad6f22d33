import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readWasmSections } from '../parse/wasm-sections.ts';
import { withAnyFileLock } from '../process/file-lock.ts';
import type { CompileOutcome } from '../types.ts';
import { withCompileCore, type CompileCores } from '../process/compile-cores.ts';
import { runProcess } from '../process/run.ts';
import { phaseClock } from './py2wasm-phases.ts';

export interface Py2wasmCompileRequest {
  py2wasm: string[];
  /** Equivalent py2wasm commands with build folders of their own (see py2wasm-slots.ts): a compile takes a free one. */
  slots?: string[][];
  /** Absolute path of the script, inside a scratch copy of its recipe (sibling modules beside it). */
  scriptPath: string;
  outWasm: string;
  timeoutMs: number;
  /** Folder for the per-stem locks that keep two compiles of `example.py` apart. */
  lockDir: string;
  env?: Record<string, string | undefined>;
  /** `env` is the whole environment, not additions to the host's. */
  replaceEnv?: boolean;
  signal?: AbortSignal;
  logTailBytes?: number;
  /**
   * One compile per core across processes, with Scons' jobs matched to the cores free (Nuitka's
   * `--jobs`, appended to the script, which must be a scratch copy, as a `# nuitka-project:` line:
   * the wasm is byte-identical). Without it py2wasm runs Scons with a job per core of the machine.
   */
  cores?: CompileCores;
}

/**
 * py2wasm builds in a fixed folder inside its own install (`nuitka/__py2wasm/<stem>.build`),
 * so two compiles of scripts with the same stem collide. A lock per (install, stem) serializes
 * those, across vitest workers and concurrent runs, while different stems still build in parallel.
 */
export async function compileWithPy2wasm(req: Py2wasmCompileRequest): Promise<CompileOutcome> {
  const stem = path.basename(req.scriptPath, '.py');
  const installs = req.slots?.length ? req.slots : [req.py2wasm];
  const lockfilePaths = installs.map((install) =>
    path.join(
      req.lockDir,
      `${crypto.createHash('sha256').update(install.join('\0')).digest('hex').slice(0, 12)}-${stem}.lock`,
    ),
  );
  return withAnyFileLock({ lockfilePaths, signal: req.signal }, (slot) =>
    req.cores
      ? withCompileCore(req.cores, req.signal, (jobs) => compileIn(req, installs[slot]!, jobs))
      : compileIn(req, installs[slot]!),
  );
}

/** One py2wasm run in a build folder of its own (`install`). */
async function compileIn(req: Py2wasmCompileRequest, install: string[], jobs?: number): Promise<CompileOutcome> {
  const command = [...install, req.scriptPath, '-o', req.outWasm];
  if (jobs !== undefined) await fs.appendFile(req.scriptPath, `\n# nuitka-project: --jobs=${jobs}\n`);
  const started = performance.now();
  const clock = phaseClock(started);
  await fs.rm(req.outWasm, { force: true });
  const outcome = await runProcess(command, {
    cwd: path.dirname(req.scriptPath),
    timeoutMs: req.timeoutMs,
    env: req.env ?? {},
    extendEnv: !req.replaceEnv,
    capture: { headBytes: 16 << 10, tailBytes: req.logTailBytes ?? 32 << 10 },
    onOutput: (_stream, chunk) => clock.push(chunk),
    signal: req.signal,
  });
  const phases = clock.phases();
  // the compile ran in a scratch copy: say `./x` so identical failures read (and group) alike
  const scratch = path.dirname(req.scriptPath);
  const log = [outcome.stdout.text, outcome.stderr.text]
    .filter(Boolean)
    .join('\n')
    .replaceAll(`${scratch}/`, './')
    .replaceAll(scratch, '.');
  const wasmSize = await fs.stat(req.outWasm).then(
    (s) => s.size,
    () => undefined,
  );
  const exited0 = outcome.exitCode === 0 && !outcome.timedOut && wasmSize !== undefined && wasmSize > 0;
  const invalidWasm = exited0 ? await wasmFileProblem(req.outWasm) : undefined;
  const ok = exited0 && !invalidWasm;
  return {
    compiler: 'py2wasm',
    cached: false,
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    durationMs: Math.round(performance.now() - started),
    logTail: tailLines(log, 60),
    command,
    ...(ok ? { wasmPath: req.outWasm, wasmSize } : {}),
    ...(invalidWasm ? { invalidWasm } : {}),
    ...(!ok && clock.reachedBackend() ? { failedInBackend: true } : {}),
    ...(outcome.spawnError ? { spawnError: outcome.spawnError } : {}),
    ...(phases ? { phases } : {}),
    ...(jobs !== undefined ? { sconsJobs: jobs } : {}),
  };
}

/** Why a file py2wasm wrote is not a whole wasm module (wrong magic or version, truncated), or undefined. */
async function wasmFileProblem(file: string): Promise<string | undefined> {
  try {
    readWasmSections(await fs.readFile(file));
    return undefined;
  } catch (error) {
    return `${path.basename(file)} (${await fs.stat(file).then(
      (s) => s.size,
      () => 0,
    )} bytes) is not a usable wasm module: ${(error as Error).message}`;
  }
}

function tailLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}
