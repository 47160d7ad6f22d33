import { execa } from 'execa';

export class GitError extends Error {
  override name = 'GitError';
  constructor(
    readonly command: string[],
    readonly exitCode: number | undefined,
    readonly output: string,
  ) {
    super(
      `git ${command.join(' ')} failed (exit ${exitCode ?? '?'}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

/** Runs git in a checkout and returns its stdout; throws a GitError with the output on failure. */
export async function git(
  cwd: string,
  args: string[],
  opts: { allowFail?: boolean; env?: Record<string, string> } = {},
): Promise<{ stdout: string; exitCode: number }> {
  const result = await execa('git', args, {
    cwd,
    reject: false,
    all: true,
    stdin: 'ignore',
    ...(opts.env ? { env: opts.env } : {}),
  });
  if (result.exitCode !== 0 && !opts.allowFail) throw new GitError(args, result.exitCode, result.all ?? '');
  return { stdout: String(result.stdout ?? '').trim(), exitCode: result.exitCode ?? -1 };
}

/** Where a checkout stands, to put it back there afterwards. */
export interface CheckoutPosition {
  head: string;
  /** The branch checked out, or undefined for a detached HEAD. */
  branch?: string;
}

export async function checkoutPosition(cwd: string): Promise<CheckoutPosition> {
  const head = (await git(cwd, ['rev-parse', 'HEAD'])).stdout;
  const branch = (await git(cwd, ['symbolic-ref', '-q', '--short', 'HEAD'], { allowFail: true })).stdout;
  return branch ? { head, branch } : { head };
}

/** Refuses a checkout with changes to tracked files or a bisect already under way: neither would survive the bisection. */
export async function assertReadyToBisect(cwd: string): Promise<void> {
  const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree'], { allowFail: true });
  if (inside.stdout !== 'true')
    throw new GitError(['rev-parse', '--is-inside-work-tree'], inside.exitCode, `${cwd} is not a git checkout`);
  const dirty = (await git(cwd, ['status', '--porcelain', '--untracked-files=no'])).stdout;
  if (dirty)
    throw new GitError(
      ['status'],
      0,
      `${cwd} has uncommitted changes to tracked files; commit or stash them first:\n${dirty}`,
    );
  const bisecting = await git(cwd, ['bisect', 'log'], { allowFail: true });
  if (bisecting.exitCode === 0)
    throw new GitError(
      ['bisect', 'log'],
      0,
      `a git bisect is already under way in ${cwd}; finish it or run git bisect reset`,
    );
}

export async function commitSubject(cwd: string, rev: string): Promise<string> {
  return (await git(cwd, ['log', '-1', '--format=%s', rev])).stdout;
}

export async function resolveRev(cwd: string, rev: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--verify', `${rev}^{commit}`])).stdout;
}
