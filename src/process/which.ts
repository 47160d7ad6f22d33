import path from 'node:path';
import which from 'which';

/** Absolute path of an executable as the shell would find it (a name with a `/` as given), or null. */
export function resolveExecutable(name: string, envPath = process.env.PATH ?? ''): string | null {
  const found = which.sync(name, { nothrow: true, path: envPath });
  return found ? path.resolve(found) : null;
}
