import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { defaultCacheDir, RUNNERS_DIR } from '../config/options.ts';

export const PROCESS_GUARD_SOURCE = path.join(RUNNERS_DIR, 'process-guard.c');

let pending: Promise<string | null> | undefined;

/**
 * The process guard (runners/process-guard.c): a child subreaper that kills everything a command
 * started, even what left its process group and session, when the command ends or is stopped.
 * Node cannot call prctl, so it is built once with the system C compiler into the cache folder.
 * null where it cannot be built (no C compiler, not Linux): then a timeout kills the process group and the descendants it can still see.
 */
export function processGuard(): Promise<string | null> {
  pending ??= buildProcessGuard().catch((error: Error) => {
    process.emitWarning(
      `process guard unavailable (${error.message}): a process that leaves its session may outlive its timeout`,
      { code: 'VITEST_PY2WASM_GUARD' },
    );
    return null;
  });
  return pending;
}

async function buildProcessGuard(): Promise<string | null> {
  if (process.platform !== 'linux') return null;
  const source = await fs.readFile(PROCESS_GUARD_SOURCE);
  const hash = crypto.createHash('sha256').update(source).digest('hex').slice(0, 12);
  const dir = path.join(path.resolve(process.env.PY2WASM_CACHE_DIR || defaultCacheDir()), 'bin');
  const exe = path.join(dir, `process-guard-${hash}`);
  if (
    await fs.access(exe, fs.constants.X_OK).then(
      () => true,
      () => false,
    )
  )
    return exe;
  await fs.mkdir(dir, { recursive: true });
  const staged = `${exe}.${process.pid}.tmp`;
  const tried: string[] = [];
  for (const cc of [
    ...new Set([process.env.CC, 'cc', 'gcc', 'clang', 'clang-19'].filter((c): c is string => Boolean(c))),
  ]) {
    const built = await execa(cc, ['-O2', '-o', staged, PROCESS_GUARD_SOURCE], { reject: false, stdin: 'ignore' });
    if (built.exitCode === 0) {
      // another worker may have built it at the same time: rename is atomic, both are the same
      await fs.rename(staged, exe);
      return exe;
    }
    tried.push(
      `${cc}: ${built.failed && built.exitCode === undefined ? 'not found' : String(built.stderr).trim().split('\n').at(-1)}`,
    );
  }
  await fs.rm(staged, { force: true });
  throw new Error(`no C compiler built ${PROCESS_GUARD_SOURCE} (${tried.join('; ')})`);
}

/** A command the guard could not start says so on its last stderr line: `... (errno N)`, status 127. */
export function guardExecErrno(exitCode: number | null, stderr: string): number | undefined {
  if (exitCode !== 127) return undefined;
  const m = /process-guard: cannot execute .*\(errno (\d+)\)\n?$/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}
