import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import writeFileAtomic from 'write-file-atomic';
import type { ChapterFolder } from '../discover/discover.ts';

/** Where the plugin writes the test files of chapters that have none of their own (under vitest's root). */
const GENERATED_CHAPTERS_DIR = path.join('.vitest-py2wasm', 'chapters');

const CHAPTER_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'chapter.ts');

/** One folder per cookbook root, so runs of two cookbooks from one project never share files. */
export function generatedChaptersDir(vitestRoot: string, cookbookRoot: string): string {
  const hash = crypto.createHash('sha256').update(path.resolve(cookbookRoot)).digest('hex').slice(0, 12);
  const slug = path
    .basename(path.resolve(cookbookRoot))
    .replace(/[^\w.-]/g, '_')
    .slice(0, 40);
  return path.join(vitestRoot, GENERATED_CHAPTERS_DIR, `${slug}-${hash}`);
}

/** Names, in each cookbook's folder, the cookbook root it was written for. */
const MARKER = 'cookbook.json';

/** A folder without a marker (written before there were markers) is left this long: one being made has none yet. */
const UNMARKED_GRACE_MS = 60 * 60_000;

/**
 * A test file per chapter folder, `chapter-<folder>.test.ts` calling defineCookbookChapter, so every
 * chapter of the tree runs and `vitest --shard` splits by chapter. Returns the files' paths.
 */
export function writeChapterFiles(dir: string, cookbookRoot: string, chapters: readonly ChapterFolder[]): string[] {
  const importPath = chapterModuleFrom(dir);
  const files = new Map(
    chapters.map((c) => [
      `chapter-${c.folder}.test.ts`,
      [
        `// Written by vitest-py2wasm for chapter folder ${c.folder}/ of the cookbook: do not edit (it is rewritten at every run).`,
        `import { defineCookbookChapter } from '${importPath}';`,
        '',
        `defineCookbookChapter('${c.chapter}');`,
        '',
      ].join('\n'),
    ]),
  );
  return writeGeneratedFiles(dir, cookbookRoot, files);
}

/** The import specifier of chapter.ts from a generated folder. */
export function chapterModuleFrom(dir: string): string {
  const importPath = path.relative(dir, CHAPTER_MODULE).split(path.sep).join('/');
  return importPath.startsWith('.') ? importPath : `./${importPath}`;
}

/**
 * Writes the test files (name -> text) of one cookbook's folder and removes every other file of it
 * (a chapter gone from the tree, the files of the other layout), keeping the marker. Returns their paths.
 */
export function writeGeneratedFiles(dir: string, cookbookRoot: string, files: ReadonlyMap<string, string>): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const marker = `${JSON.stringify({ root: path.resolve(cookbookRoot) })}\n`;
  if (readOrEmpty(path.join(dir, MARKER)) !== marker) writeFileAtomic.sync(path.join(dir, MARKER), marker);
  for (const name of fs.readdirSync(dir))
    if (!files.has(name) && name !== MARKER) fs.rmSync(path.join(dir, name), { force: true });
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    // unchanged content is not rewritten: a rewrite would re-trigger watch mode
    if (readOrEmpty(file) !== text) writeFileAtomic.sync(file, text);
  }
  return [...files.keys()].map((name) => path.join(dir, name));
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Removes the folders of cookbooks that no longer exist (each cookbook root run from this project
 * gets one; a test's temporary cookbook would leave its folder forever). A cookbook that exists
 * keeps its folder, so a run of another cookbook at the same time is never pulled from under it.
 * Returns the folders removed.
 */
export function pruneChapterFolders(vitestRoot: string, now = Date.now()): string[] {
  const parent = path.join(vitestRoot, GENERATED_CHAPTERS_DIR);
  const removed: string[] = [];
  for (const name of readdirOrEmpty(parent)) {
    const dir = path.join(parent, name);
    const root = markedRoot(dir);
    const gone = root === undefined ? now - mtimeOrNow(dir, now) > UNMARKED_GRACE_MS : !isDirectory(root);
    if (!gone) continue;
    fs.rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

function markedRoot(dir: string): string | undefined {
  try {
    const { root } = JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8')) as { root?: unknown };
    return typeof root === 'string' ? root : undefined;
  } catch {
    return undefined;
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function mtimeOrNow(p: string, now: number): number {
  return fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? now;
}
