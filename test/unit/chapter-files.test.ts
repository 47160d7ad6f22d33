import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatedChaptersDir, pruneChapterFolders, writeChapterFiles } from '../../src/vitest/chapter-files.ts';

// Real folders: the generated chapter files of several cookbooks run from one project.
let work: string;
let project: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'chapter-files-'));
  project = path.join(work, 'project');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

function cookbook(name: string): string {
  const root = path.join(work, name);
  fs.mkdirSync(path.join(root, '1'), { recursive: true });
  return root;
}

function generate(root: string): string {
  const dir = generatedChaptersDir(project, root);
  writeChapterFiles(dir, root, [{ chapter: '1', folder: '1', dir: path.join(root, '1') }]);
  return dir;
}

describe('generated chapter folders', () => {
  it('removes the folders of cookbooks that are gone and keeps those that exist', () => {
    const kept = generate(cookbook('kept'));
    const goneRoot = cookbook('gone');
    const gone = generate(goneRoot);
    fs.rmSync(goneRoot, { recursive: true });
    expect(pruneChapterFolders(project)).toEqual([gone]);
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.readdirSync(kept).sort()).toEqual(['chapter-1.test.ts', 'cookbook.json']);
  });

  it('leaves a folder without a marker while it may be being written, and removes it once stale', () => {
    const parent = path.dirname(generate(cookbook('kept')));
    const unmarked = path.join(parent, 'older-0123456789ab');
    fs.mkdirSync(unmarked);
    fs.writeFileSync(path.join(unmarked, 'chapter-1.test.ts'), '');
    expect(pruneChapterFolders(project)).toEqual([]);
    expect(pruneChapterFolders(project, Date.now() + 2 * 60 * 60_000)).toEqual([unmarked]);
  });

  it('treats an unreadable marker as none, and a project without generated folders as nothing to do', () => {
    expect(pruneChapterFolders(project)).toEqual([]);
    const dir = generate(cookbook('kept'));
    fs.writeFileSync(path.join(dir, 'cookbook.json'), '{not json');
    expect(pruneChapterFolders(project)).toEqual([]);
    expect(pruneChapterFolders(project, Date.now() + 2 * 60 * 60_000)).toEqual([dir]);
  });
});
