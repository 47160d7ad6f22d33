import path from 'node:path';
import { runProcess } from '../process/run.ts';
import { resolveExecutable } from '../process/which.ts';

/**
 * Debian's `zstd` CLI, which the compile cache stores modules with: a module encoded against
 * another (`--patch-from`) keeps only what differs, and py2wasm modules share most of their bytes
 * (libpython). Node 20's zlib has no zstd, and the npm bindings measured either cannot reach
 * the other module's bytes (no long window with a dictionary) or build native code at install time.
 */
export interface ZstdOptions {
  /**
   * The executable.
   * @default the `zstd` found on PATH
   */
  zstd?: string;
  /**
   * Compression level.
   * @default 3
   */
  level?: number;
  /** A module the input is encoded against (and must be decoded against): its plain file. */
  base?: string;
  signal?: AbortSignal;
}

export const ZSTD_DEFAULTS = { level: 3, timeoutMs: 5 * 60_000 } as const;

/** What to do about a missing `zstd`, in the words of the error. */
export const ZSTD_INSTALL_HINT = 'apt-get install -y zstd (npx vitest-py2wasm setup installs it)';

/** Without a base: a window of 2^28 bytes covers a whole module, so its repeats far apart are found too. */
const LONG_WINDOW = '--long=28';

export class ZstdMissingError extends Error {
  override name = 'ZstdMissingError';
}

/** zstd failed: the command, its exit code and what it said. */
export class ZstdError extends Error {
  override name = 'ZstdError';
  constructor(
    readonly command: string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command.join(' ')} exited ${String(exitCode)}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export function findZstd(zstd = 'zstd'): string {
  const exe = resolveExecutable(zstd);
  if (!exe)
    throw new ZstdMissingError(
      `${zstd} not found: the compile cache stores modules compressed with it; ${ZSTD_INSTALL_HINT}`,
    );
  return exe;
}

async function zstdRun(args: string[], output: string, opts: ZstdOptions): Promise<void> {
  const command = [findZstd(opts.zstd), '-q', '-f', '--no-progress', ...args, '-o', output];
  const out = await runProcess(command, {
    cwd: path.dirname(output),
    timeoutMs: ZSTD_DEFAULTS.timeoutMs,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (out.exitCode !== 0 || out.timedOut || out.spawnError)
    throw new ZstdError(
      command,
      out.exitCode,
      `${out.spawnError ?? ''}${out.timedOut ? 'timed out' : ''}\n${out.stderr.text}${out.stdout.text}`,
    );
}

/** Encodes `input` into `output` (against `opts.base` when given). */
export function zstdEncode(input: string, output: string, opts: ZstdOptions = {}): Promise<void> {
  const level = `-${opts.level ?? ZSTD_DEFAULTS.level}`;
  const against = opts.base ? [`--patch-from=${opts.base}`] : [LONG_WINDOW];
  return zstdRun([level, ...against, input], output, opts);
}

/** Decodes `input` into `output`; `opts.base` must be the module it was encoded against. */
export function zstdDecode(input: string, output: string, opts: ZstdOptions = {}): Promise<void> {
  const against = opts.base ? [`--patch-from=${opts.base}`] : [LONG_WINDOW];
  return zstdRun(['-d', ...against, input], output, opts);
}
