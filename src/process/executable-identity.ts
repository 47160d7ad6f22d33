import { statKey } from './files.ts';
import { resolveExecutable } from './which.ts';

/**
 * A tool as a cache key knows it: where its executable resolves, its size and mtime, and its
 * arguments. A rebuilt iwasm at the same path, reporting the same version, is another tool.
 */
export async function executableIdentity(command: readonly string[] | null | undefined): Promise<string> {
  const exe = command?.[0] ? resolveExecutable(command[0]) : null;
  if (!exe) return 'none';
  return `${exe}\0${command!.slice(1).join(' ')}\0${await statKey(exe)}`;
}
