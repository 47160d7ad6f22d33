import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { ensureDebianPackages, ensureZstd, resetAptListsUpdated } from '../../src/toolchain/apt-install.ts';
import { ToolchainError } from '../../src/toolchain/types.ts';

// The decision a fresh machine's first run takes about missing Debian packages, with a double of
// apt-get (test/doubles/apt-get-recorder.sh) that records its arguments, on a fake root.
const APT_DOUBLE = path.join(PROJECT_ROOT, 'test', 'doubles', 'apt-get-recorder.sh');

let root: string;
let bin: string;
const calls = async () =>
  (await fs.readFile(path.join(bin, 'apt-get.calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
const check = (over: Partial<Parameters<typeof ensureDebianPackages>[0]> = {}) => {
  const lines: string[] = [];
  const run = ensureDebianPackages({
    root,
    needSdk: false,
    pathEnv: bin,
    isRoot: true,
    onProgress: (l) => lines.push(l),
    ...over,
  });
  return { run, lines };
};

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'apt-install-'));
  bin = path.join(root, 'bin');
  await fs.mkdir(bin);
  // present, so patchelf is the one package these tests find missing
  await fs.writeFile(path.join(bin, 'zstd'), '', { mode: 0o755 });
  resetAptListsUpdated();
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

const withAptDouble = () =>
  fs.copyFile(APT_DOUBLE, path.join(bin, 'apt-get')).then(() => fs.chmod(path.join(bin, 'apt-get'), 0o755));

describe('missing Debian packages on a fresh machine', () => {
  it('as root with apt-get: runs apt-get update once, then apt-get install -y, showing each command and its output', async () => {
    await withAptDouble();
    const { run, lines } = check();
    await run;
    expect(await calls()).toEqual(['update', 'install -y patchelf']);
    expect(lines).toContain('$ apt-get update');
    expect(lines).toContain('$ apt-get install -y patchelf');
    expect(lines).toContain('apt: Setting up patchelf ...');
    expect(lines.indexOf('$ apt-get update')).toBeLessThan(lines.indexOf('$ apt-get install -y patchelf'));
    // now present: a second check installs nothing
    await check().run;
    expect(await calls()).toEqual(['update', 'install -y patchelf']);
  });

  it('updates the package lists only once per process', async () => {
    await withAptDouble();
    await check().run;
    await fs.rm(path.join(bin, 'patchelf'));
    await check().run;
    expect(await calls()).toEqual(['update', 'install -y patchelf', 'install -y patchelf']);
  });

  it('not root: installs nothing and names the one command to run', async () => {
    await withAptDouble();
    const { run } = check({ isRoot: false });
    await expect(run).rejects.toThrow(ToolchainError);
    await expect(check({ isRoot: false }).run).rejects.toThrow(
      /Install them with:\n {2}sudo apt-get install -y patchelf\n\(not root/,
    );
    expect(await calls()).toEqual([]);
  });

  it('root without apt-get on PATH: names the command', async () => {
    await expect(check().run).rejects.toThrow(/Install them with:\n {2}apt-get install -y patchelf$/);
  });

  it("installs the compile cache's zstd for a toolchain set up before it was needed, and nothing when it is there", async () => {
    await withAptDouble();
    await fs.rm(path.join(bin, 'zstd'));
    const lines: string[] = [];
    await ensureZstd({ pathEnv: bin, isRoot: true, onProgress: (l) => lines.push(l) });
    expect(await calls()).toEqual(['update', 'install -y zstd']);
    expect(lines).toContain('$ apt-get install -y zstd');
    await ensureZstd({ pathEnv: bin, isRoot: true });
    expect(await calls()).toEqual(['update', 'install -y zstd']);
    await fs.rm(path.join(bin, 'zstd'));
    await expect(ensureZstd({ pathEnv: bin, isRoot: false })).rejects.toThrow(/sudo apt-get install -y zstd/);
  });

  it('a failing apt-get stops setup with its command, exit code and output', async () => {
    await withAptDouble();
    process.env.APT_DOUBLE_FAIL = 'install';
    try {
      await expect(check().run).rejects.toThrow(
        /apt-get install -y patchelf failed: exit code 100[^]*E: Unable to locate package/,
      );
    } finally {
      delete process.env.APT_DOUBLE_FAIL;
    }
  });
});
