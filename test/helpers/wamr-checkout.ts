import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { globSync } from 'tinyglobby';

// A real WAMR source tree for tests: crates.io's `wamr-sys` 0.1.1 vendors wasm-micro-runtime at
// upstream commit 50f9a3e (2020-12-26), product-mini/platforms/linux included. cargo fetches the
// crate (a tar.gz) into its registry cache; the tests unpack its tree into a fresh git repository,
// so fingerprints and watch mode see real commits and edits. Nothing of it is kept in this project.
export const WAMR_CRATE = 'wamr-sys-0.1.1';

function cachedCrate(): string | undefined {
  const cargoHome = process.env.CARGO_HOME || path.join(os.homedir(), '.cargo');
  return (
    process.env.WAMR_SYS_CRATE ||
    globSync(`registry/cache/*/${WAMR_CRATE}.crate`, { cwd: cargoHome, absolute: true })[0]
  );
}

/** The `.crate` file, fetched with cargo (a throw-away manifest) when the registry cache lacks it. */
export async function wamrCrate(): Promise<string | undefined> {
  const found = cachedCrate();
  if (found) return found;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wamr-fetch-'));
  try {
    await fs.mkdir(path.join(dir, 'src'));
    await fs.writeFile(path.join(dir, 'src', 'lib.rs'), '');
    await fs.writeFile(
      path.join(dir, 'Cargo.toml'),
      '[package]\nname = "fetch-wamr"\nversion = "0.0.0"\nedition = "2018"\n\n[dependencies]\nwamr-sys = "=0.1.1"\n',
    );
    const run = await execa('cargo', ['fetch'], { cwd: dir, reject: false, all: true });
    if (run.exitCode !== 0) throw new Error(`cargo fetch of ${WAMR_CRATE} failed (${run.exitCode}):\n${run.all}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  return cachedCrate();
}

const GIT_ID = [
  '-c',
  'user.name=WAMR test',
  '-c',
  'user.email=wamr-test@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

/** A git repository holding the crate's wasm-micro-runtime tree, one commit. */
export async function makeWamrCheckout(crate: string, dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await execa('tar', ['-xzf', crate, '-C', dir, '--strip-components=2', `${WAMR_CRATE}/wasm-micro-runtime`]);
  await execa('git', ['init', '-q', dir]);
  await execa('git', ['-C', dir, 'add', '-A']);
  await execa('git', ['-C', dir, ...GIT_ID, 'commit', '-q', '-m', `wasm-micro-runtime from ${WAMR_CRATE}`]);
  return dir;
}

/** Compile a C program to wasm32-wasi as the 2020 iwasm can load it (no reference types: LLVM 19 emits them by default). */
export async function clangWasm(source: string, out: string): Promise<string> {
  await execa('clang-19', [
    '--target=wasm32-wasi',
    '--sysroot=/usr',
    '-g',
    '-O0',
    '-mno-reference-types',
    '-o',
    out,
    source,
  ]);
  return out;
}
