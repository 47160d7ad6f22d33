import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveExecutable } from '../../src/process/which.ts';
import { CacheArchiveError, exportCache, importCache } from '../../src/run/cache-archive.ts';
import { CompileCache } from '../../src/run/compile-cache.ts';
import { compileOutcome } from '../helpers/compile-outcome.ts';
import { skipWithout } from '../helpers/needs.ts';

// A whole cache (zstd-stored modules, a compile failure, CPython results, a cached stack) carried
// through `cache export` and `cache import` with the real zstd and a real tar file.
let work: string;
const module1 = crypto.randomBytes(60_000);
const module2 = Buffer.concat([module1.subarray(0, 30_000), crypto.randomBytes(500), module1.subarray(30_000)]);

const outcome = compileOutcome;
const writes = (content: Buffer) => async (out: string) => {
  await fs.writeFile(out, content);
  return outcome({ wasmPath: out, wasmSize: content.length });
};
const mustHit = () => Promise.reject(new Error('must be a hit'));

async function filledCache(dir: string): Promise<void> {
  const cache = new CompileCache(path.join(dir, 'compile'), 1e9);
  await cache.getOrCompile('aa11', writes(module1), 'tc');
  await cache.getOrCompile('bb22', writes(module2), 'tc');
  await cache.getOrCompile('cc33', () => Promise.resolve(outcome({ exitCode: 1, logTail: 'FATAL: no' })), 'tc');
  await fs.mkdir(path.join(dir, 'python', 'ab'), { recursive: true });
  await fs.writeFile(path.join(dir, 'python', 'ab', 'ab99.json'), '{"version":1}');
  await fs.mkdir(path.join(dir, 'diagnose', 'stacks', 'cd'), { recursive: true });
  await fs.writeFile(path.join(dir, 'diagnose', 'stacks', 'cd', 'cd99.json'), '{"frames":[]}');
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  return out.sort();
}

describe.skipIf(skipWithout(resolveExecutable('zstd') ? [] : ['zstd']))('cache export / import', () => {
  let archive: string;
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'cache-archive-'));
    await filledCache(path.join(work, 'source'));
    archive = path.join(work, 'out', 'cache.tar');
    const summary = await exportCache(archive, { cacheDir: path.join(work, 'source') });
    expect(summary.files).toBeGreaterThanOrEqual(7);
  });
  afterAll(() => fs.rm(work, { recursive: true, force: true }));

  it('carries every entry: hits without compiling, modules byte-identical, CPython results and stacks as they were', async () => {
    const target = path.join(work, 'fresh');
    await importCache(archive, { cacheDir: target });
    const cache = new CompileCache(path.join(target, 'compile'), 1e9);
    const one = await cache.getOrCompile('aa11', mustHit, 'tc');
    const two = await cache.getOrCompile('bb22', mustHit, 'tc');
    expect((await fs.readFile(one.wasmPath!)).equals(module1)).toBe(true);
    expect((await fs.readFile(two.wasmPath!)).equals(module2)).toBe(true);
    expect((await cache.getOrCompile('cc33', mustHit, 'tc')).meta.outcome.logTail).toBe('FATAL: no');
    expect(await fs.readFile(path.join(target, 'python', 'ab', 'ab99.json'), 'utf8')).toBe('{"version":1}');
    expect(await fs.readFile(path.join(target, 'diagnose', 'stacks', 'cd', 'cd99.json'), 'utf8')).toBe('{"frames":[]}');
    // no plain copy travels: only what is stored
    expect((await tree(path.join(work, 'source'))).filter((f) => f.startsWith('compile/plain/')).length).toBe(2);
  });

  it('merges into a cache that has entries of its own, keeping them', async () => {
    const target = path.join(work, 'merged');
    const cache = new CompileCache(path.join(target, 'compile'), 1e9);
    const own = crypto.randomBytes(5000);
    await cache.getOrCompile('dd44', writes(own), 'other');
    const summary = await importCache(archive, { cacheDir: target });
    expect(summary.kept).toBe(0);
    expect((await fs.readFile((await cache.getOrCompile('dd44', mustHit, 'other')).wasmPath!)).equals(own)).toBe(true);
    expect((await cache.getOrCompile('bb22', mustHit, 'tc')).hit).toBe(true);
    // a second import changes nothing
    expect((await importCache(archive, { cacheDir: target })).kept).toBe(summary.files);
  });

  it('refuses a cut archive with a clear error and leaves the cache as it was', async () => {
    const cut = path.join(work, 'cut.tar');
    const whole = await fs.readFile(archive);
    await fs.writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const target = path.join(work, 'after-cut');
    await fs.mkdir(target);
    await expect(importCache(cut, { cacheDir: target })).rejects.toThrow(CacheArchiveError);
    await expect(importCache(cut, { cacheDir: target })).rejects.toThrow(
      /cut\.tar is (not a whole cache archive|damaged)/,
    );
    expect((await tree(target)).filter((f) => !f.startsWith('compile/tmp'))).toEqual([]);
    expect(await fs.readdir(path.join(target, 'compile', 'tmp'))).toEqual([]);
  });

  it('refuses a file that is no cache archive, naming it', async () => {
    const other = path.join(work, 'notes.txt');
    await fs.writeFile(other, 'hello\n'.repeat(1000));
    await expect(importCache(other, { cacheDir: path.join(work, 'x') })).rejects.toThrow(/notes\.txt is not a/);
  });
});
