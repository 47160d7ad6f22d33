import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CookbookError, discoverChapter, discoverCookbook, listChapterFolders } from '../../src/discover/discover.ts';

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
    expect(chapters[0]!.recipes[0]!.cases.map((c) => c.name)).toEqual([
      'alpha.example1',
      'alpha.example2',
      'alpha.example10',
    ]);
    expect(chapters[1]!.recipes[0]!.cases[0]).toMatchObject({
      chapter: '10',
      recipe: 'zeta',
      example: 'example',
      scriptPath: path.join(root, '10', 'zeta', 'example.py'),
    });
  });

  it('filters by chapter and by case globs', () => {
    write('1/a/example.py');
    write('1/b/example.py');
    write('3/c/test.py');
    expect(discoverCookbook(root, { chapters: ['3'] }).map((c) => c.chapter)).toEqual(['3']);
    const only = discoverCookbook(root, { cases: ['b.*', 'c.test'] });
    expect(only.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => k.name)))).toEqual(['b.example', 'c.test']);
    const excluded = discoverCookbook(root, { exclude: ['a.*'] });
    expect(excluded.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => k.name)))).toEqual([
      'b.example',
      'c.test',
    ]);
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

  it('lists every chapter folder, 0 and 16 included, and names both folders of a duplicate number', () => {
    write('0/a/example.py');
    write('16/b/example.py');
    write('3/c/example.py');
    expect(listChapterFolders(root).map((c) => c.chapter)).toEqual(['0', '3', '16']);
    expect(discoverCookbook(root).map((c) => c.chapter)).toEqual(['0', '3', '16']);
    write('03/d/example.py');
    expect(() => discoverCookbook(root)).toThrow(/chapter folders 03\/ and 3\/ of .* are both chapter 3/);
  });

  it('keeps a case that cannot be read as a broken entry, with the reason: loop, folder, link to nothing', () => {
    write('1/a/example.py');
    fs.symlinkSync('loop.py', path.join(root, '1', 'a', 'loop.py'));
    fs.mkdirSync(path.join(root, '1', 'a', 'sub'));
    fs.symlinkSync('sub', path.join(root, '1', 'a', 'folder.py'));
    fs.symlinkSync(path.join(root, 'missing.py'), path.join(root, '1', 'a', 'ghost.py'));
    const [chapter] = discoverCookbook(root);
    expect(chapter!.recipes[0]!.cases.map((c) => c.name)).toEqual(['a.example']);
    const reasons = Object.fromEntries(chapter!.broken.map((b) => [b.name, b.reason]));
    expect(reasons['a.loop']).toMatch(/loop\.py is a symbolic link loop/);
    expect(reasons['a.folder']).toMatch(/folder\.py is a folder/);
    expect(reasons['a.ghost']).toMatch(/ghost\.py is a symbolic link to nothing/);
  });

  it('reports a recipe folder or a case whose name is not UTF-8 and reads the rest of the tree', () => {
    write('1/good/example.py');
    write('2/other/example.py');
    const bad = Buffer.concat([Buffer.from(path.join(root, '1') + path.sep), Buffer.from([0x63, 0x61, 0x66, 0xe9])]);
    fs.mkdirSync(bad);
    fs.writeFileSync(Buffer.concat([bad, Buffer.from('/example.py')]), 'print(1)\n');
    fs.writeFileSync(
      Buffer.concat([Buffer.from(path.join(root, '2', 'other') + path.sep), Buffer.from([0xff]), Buffer.from('.py')]),
      'print(2)\n',
    );
    // a link to a recipe folder, its name not UTF-8: followed by its bytes, so reported too
    fs.symlinkSync('good', Buffer.concat([Buffer.from(path.join(root, '1') + path.sep), Buffer.from([0x6c, 0xfe])]));
    const chapters = discoverCookbook(root);
    expect(chapters.flatMap((c) => c.recipes.flatMap((r) => r.cases.map((k) => k.name)))).toEqual([
      'good.example',
      'other.example',
    ]);
    const broken = chapters.map((c) => c.broken.map((b) => `${b.name}: ${b.reason}`));
    expect(broken[0]).toHaveLength(2);
    expect(broken[0]![0]).toMatch(/^caf\\xe9\.\*: recipe folder name "caf\\xe9" .* is not valid UTF-8/);
    expect(broken[0]![1]).toMatch(/^l\\xfe\.\*: recipe folder name "l\\xfe" .* is not valid UTF-8/);
    expect(broken[1]).toHaveLength(1);
    expect(broken[1]![0]).toMatch(/^other\.\\xff: file name "\\xff\.py" .* is not valid UTF-8/);
  });

  it('returns null for a chapter the cookbook does not have', () => {
    write('1/a/example.py');
    expect(discoverChapter(root, 1)?.recipes).toHaveLength(1);
    expect(discoverChapter(root, 5)).toBeNull();
  });
});
