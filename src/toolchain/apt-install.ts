import which from 'which';
import {
  aptInstallLine,
  findMissingDebianPackages,
  missingPackagesMessage,
  type DebianCheckOptions,
  type MissingPackage,
} from './debian.ts';
import { runChecked } from './exec.ts';
import { ToolchainError } from './types.ts';

export interface EnsureDebianOptions extends DebianCheckOptions {
  /** Whether this process may install packages. Default: running as root. */
  isRoot?: boolean;
  /** Each line apt prints, and the commands as they start. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** `apt-get update` runs once per process: a second install in the same run reuses its lists. */
let listsUpdated = false;

/**
 * Makes sure the Debian packages the toolchain needs are there. Missing ones are installed when this
 * process runs as root and apt-get is on PATH (containers, CI images): `apt-get update` once, then
 * `apt-get install -y ...`, each command and its output shown. Otherwise a ToolchainError names the one
 * command to run.
 */
export async function ensureDebianPackages(opts: EnsureDebianOptions): Promise<void> {
  await installMissingPackages(await findMissingDebianPackages(opts), opts, () => findMissingDebianPackages(opts));
}

/**
 * The compile cache's `zstd` (Debian package `zstd`), installed the same way: for a toolchain set
 * up before the cache needed it, whose setup is not run again.
 */
export async function ensureZstd(opts: Omit<EnsureDebianOptions, 'needSdk'> = {}): Promise<void> {
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  const missing = async (): Promise<MissingPackage[]> =>
    (await which('zstd', { path: pathEnv, nothrow: true })) ? [] : [{ pkg: 'zstd', lookedFor: 'zstd on PATH' }];
  await installMissingPackages(await missing(), opts, missing);
}

/**
 * Installs `missing` the same way (root with apt-get: installed, each command shown; otherwise a
 * ToolchainError naming the one command to run), then checks with `recheck` that nothing is still missing.
 */
export async function installMissingPackages(
  missing: readonly MissingPackage[],
  opts: Omit<EnsureDebianOptions, 'needSdk'>,
  recheck: () => Promise<MissingPackage[]>,
): Promise<void> {
  if (missing.length === 0) return;
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  const isRoot = opts.isRoot ?? process.getuid?.() === 0;
  const aptGet = isRoot ? ((await which('apt-get', { path: pathEnv, nothrow: true })) ?? undefined) : undefined;
  if (!aptGet)
    throw new ToolchainError(
      `${missingPackagesMessage(missing, isRoot ? '' : 'sudo ')}${isRoot ? '' : '\n(not root: this run cannot install them itself)'}`,
    );
  await installWithApt(aptGet, missing, opts);
  const still = await recheck();
  if (still.length > 0)
    throw new ToolchainError(
      `apt-get installed ${packagesOf(missing).join(' ')} but ${still.map((m) => m.lookedFor).join(', ')} is still missing`,
    );
}

async function installWithApt(
  aptGet: string,
  missing: readonly MissingPackage[],
  opts: Omit<EnsureDebianOptions, 'needSdk'>,
): Promise<void> {
  const say = (line: string) => opts.onProgress?.(line);
  const run = async (args: string[]) => {
    say(`$ apt-get ${args.join(' ')}`);
    let partial = '';
    await runChecked([aptGet, ...args], {
      what: `apt-get ${args.join(' ')}`,
      cwd: '/',
      timeoutMs: 30 * 60_000,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      signal: opts.signal,
      onOutput: (_stream, chunk) => {
        const lines = (partial + chunk.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines) if (l.trim()) say(`apt: ${l.trim()}`);
      },
    });
  };
  if (!listsUpdated) {
    await run(['update']);
    listsUpdated = true;
  }
  await run(aptInstallLine(packagesOf(missing)).split(' ').slice(1));
}

function packagesOf(missing: readonly MissingPackage[]): string[] {
  return [...new Set(missing.map((m) => m.pkg))];
}

/** For tests: forget that the lists were updated. */
export function resetAptListsUpdated(): void {
  listsUpdated = false;
}
