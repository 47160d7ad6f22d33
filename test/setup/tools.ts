// Global setup of the project's own tests (`npm test`): on a fresh machine, set up everything the
// tool-dependent tests need, the same way the main command sets up its toolchain (root with
// apt-get installs, each command shown; otherwise the run stops naming the one command to run),
// so that the tests run for real instead of skipping.
import fs from 'node:fs/promises';
import which from 'which';
import { defaultCacheDir } from '../../src/config/options.ts';
import { installMissingPackages } from '../../src/toolchain/apt-install.ts';
import type { MissingPackage } from '../../src/toolchain/debian.ts';
import { ensureToolchain } from '../../src/toolchain/index.ts';
import { wamrCrate } from '../helpers/wamr-checkout.ts';

/** What the tests use beyond the toolchain: the package, and the command or file that shows it is there. */
const TEST_PACKAGES: ReadonlyArray<{ pkg: string; command?: string; file?: string }> = [
  { pkg: 'wabt', command: 'wasm-validate' }, // the indirect-call walker is checked against wasm-objdump
  { pkg: 'cmake', command: 'cmake' }, // WAMR variants are built with cmake
  { pkg: 'build-essential', command: 'make' },
  { pkg: 'git', command: 'git' },
  { pkg: 'chromium', file: process.env.CHROMIUM_PATH || '/usr/bin/chromium' }, // the HTML report in a browser
];

async function missingTestPackages(): Promise<MissingPackage[]> {
  const missing: MissingPackage[] = [];
  for (const { pkg, command, file } of TEST_PACKAGES) {
    const found = command
      ? await which(command, { nothrow: true })
      : await fs.access(file!).then(
          () => true,
          () => false,
        );
    if (!found) missing.push({ pkg, lookedFor: command ? `${command} on PATH` : file! });
  }
  return missing;
}

export default async function setup(): Promise<void> {
  const say = (line: string) => process.stderr.write(`  test setup: ${line}\n`);
  await installMissingPackages(await missingTestPackages(), { onProgress: say }, missingTestPackages);
  // the toolchain the tests find in the default cache folder, verified once (a hello-world compile)
  await ensureToolchain({ cacheDir: defaultCacheDir(), verify: true, onProgress: say });
  // the WAMR tree of the WAMR tests (crates.io wamr-sys 0.1.1), fetched with cargo once
  if (!(await wamrCrate())) throw new Error('cargo is not on PATH: the WAMR tests need it to fetch wamr-sys 0.1.1');
}
