import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CookbookError, discoverChapter, discoverCookbook } from '../../src/discover/discover.ts';

let root: string;
const write = (rel: string, text = 'print(1)\n') => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'discover-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('discoverCookbook', () => {
  it('finds cases as recipe.example, chapters numerically, examples in natural file order', () => {
    write('10/zeta/example.py');
    write('2/alpha/example10.py');
    write('2/alpha/example2.py');
    write('2/alpha/example1.py');
    write('2/alpha/lib/support.py'); // deeper: a support module, not a case
    write('2/alpha/data.txt', 'x');
    write('2/beta/test.py');
    write('notes/readme.py'); // not a chapter
    const chapters = discoverCookbook(root);
    expect(chapters.map((c) => c.chapter)).toEqual(['2', '10']);
    expect(chapters[0]!.recipes.map((r) => r.recipe)).toEqual(['alpha', 'beta']);
    expect(chapters[0]!.recipes[0]!.cases.map((c) => c.name)).toEqual(['alpha.example1', 'alpha.example2', 'alpha.example10']);
    expect(chapters[1]!.recipes[0]!.cases[0]).toMatchObject({ chapter: '10', recipe: 'zeta', example: 'example', scriptPath: path.join(root, '10', 'zeta', 'example.py') });
  });

  it('filters by chapter and by case globs', () => {
    write('1/a/example.py');
    write('1/b/example.py');
    write('3/c/test.py');
    expect(discoverCookbook(root, { chapters: ['3'] }).map((c) => c.chapter)).toEqual(['3']);
    const only = discoverCookbook(root, { cases: ['b.*', 'c.test'] });
    expect(only.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => k.name)))).toEqual(['b.example', 'c.test']);
    const excluded = discoverCookbook(root, { exclude: ['a.*'] });
    expect(excluded.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => k.name)))).toEqual(['b.example', 'c.test']);
  });

  it('gives one clear error for a missing root, a file, or a tree without chapters', () => {
    expect(() => discoverCookbook(path.join(root, 'nope'))).toThrow(/does not exist\. Set COOKBOOK_DIR/);
    write('file.txt');
    expect(() => discoverCookbook(path.join(root, 'file.txt'))).toThrow(/is not a directory/);
    write('src/recipe/example.py');
    expect(() => discoverCookbook(root)).toThrow(CookbookError);
    expect(() => discoverCookbook(root)).toThrow(/no chapter folders/);
    expect(() => discoverCookbook(root, { chapters: ['4'] })).toThrow();
  });

  it('survives dangling links and unreadable entries', () => {
    write('1/a/example.py');
    fs.symlinkSync(path.join(root, 'missing'), path.join(root, '1', 'dangling'));
    fs.symlinkSync(path.join(root, 'missing.py'), path.join(root, '1', 'a', 'ghost.py'));
    const chapters = discoverCookbook(root);
    expect(chapters[0]!.recipes.map((r) => r.recipe)).toEqual(['a']);
  });

  it('returns null for a chapter the cookbook does not have', () => {
    write('1/a/example.py');
    expect(discoverChapter(root, 1)?.recipes).toHaveLength(1);
    expect(discoverChapter(root, 5)).toBeNull();
  });
});
