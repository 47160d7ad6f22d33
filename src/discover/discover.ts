import fs from 'node:fs';
import picomatch from 'picomatch';
import { caseKey } from '../records.ts';
import { folderKind, readEntries, unreadableFileReason, type Entry } from './entries.ts';

export interface CookbookCase {
  chapter: string;
  recipe: string;
  example: string;
  /** `recipe.example`, the case name the old manual workflow used */
  name: string;
  /** The case's name in its chapter that no other case has (see caseKey): its vitest test name. */
  key: string;
  scriptPath: string;
  recipeDir: string;
}

export interface CookbookRecipe {
  chapter: string;
  recipe: string;
  dir: string;
  /** In file order: a writer example runs before the reader that follows it. */
  cases: CookbookCase[];
}

export interface CookbookChapter {
  chapter: string;
  dir: string;
  recipes: CookbookRecipe[];
  /** Entries that look like cases (or recipes) but cannot be run: each still gets a record. */
  broken: BrokenEntry[];
}

/** A case (example `*` for a whole recipe) that cannot be read: why, and where. */
export interface BrokenEntry {
  chapter: string;
  recipe: string;
  example: string;
  /** `recipe.example`; undecodable bytes of a name shown as `\xNN` */
  name: string;
  /** Unique in the chapter, as CookbookCase's. */
  key: string;
  path: string;
  reason: string;
}

/** A numbered folder of the root: `01/` and `1/` are both chapter `1`. */
export interface ChapterFolder {
  chapter: string;
  /** The folder's own name, e.g. `01` */
  folder: string;
  dir: string;
}

export interface DiscoverFilters {
  chapters?: string[] | null;
  cases?: string[] | null;
  exclude?: string[];
}

export class CookbookError extends Error {
  override name = 'CookbookError';
}

const CHAPTER_RE = /^\d+$/;
const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' }).compare;

function readRoot(dir: string): Entry[] {
  try {
    return readEntries(dir);
  } catch (error) {
    throw new CookbookError((error as Error).message);
  }
}

/**
 * The chapter folders of a cookbook, numerically. Throws CookbookError for a missing root, a tree
 * without chapters, or two folders with one number (naming both).
 */
export function listChapterFolders(root: string): ChapterFolder[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new CookbookError(
      `cookbook root ${root} does not exist. Set COOKBOOK_DIR (or the plugin's \`root\` option) to a folder laid out as <root>/<chapter>/<recipe>/<example>.py, e.g. python-cookbook's src/.`,
    );
  }
  if (!stat.isDirectory()) throw new CookbookError(`cookbook root ${root} is not a directory`);
  const folders = readRoot(root)
    .filter((e) => e.utf8 && CHAPTER_RE.test(e.name) && folderKind(e) === 'folder')
    .map((e) => ({ chapter: String(Number(e.name)), folder: e.name, dir: e.path }))
    .sort((a, b) => Number(a.chapter) - Number(b.chapter) || naturalOrder(a.folder, b.folder));
  if (folders.length === 0) {
    throw new CookbookError(
      `no chapter folders in ${root}: expected numbered folders laid out as <root>/<chapter>/<recipe>/<example>.py (python-cookbook: point at its src/ folder)`,
    );
  }
  for (let i = 1; i < folders.length; i++) {
    const [a, b] = [folders[i - 1]!, folders[i]!];
    if (a.chapter === b.chapter) {
      throw new CookbookError(
        `chapter folders ${a.folder}/ and ${b.folder}/ of ${root} are both chapter ${a.chapter}: rename or remove one`,
      );
    }
  }
  return folders;
}

/**
 * Reads `<root>/<chapter>/<recipe>/<example>.py`. Chapters are the numbered folders, sorted
 * numerically; every `.py` directly inside a recipe folder is a case, deeper ones are support modules.
 * A recipe or case that cannot be read (a name that is not UTF-8, a link loop) is listed in `broken`,
 * and the rest of the tree is read on.
 * Synchronous on purpose: vitest collects tests synchronously from the chapter files.
 */
export function discoverCookbook(root: string, filters: DiscoverFilters = {}): CookbookChapter[] {
  const folders = listChapterFolders(root);
  const chapterFilter = filters.chapters ? new Set(filters.chapters.map((c) => String(Number(c)))) : null;
  const include = filters.cases?.length ? picomatch(filters.cases) : null;
  const exclude = filters.exclude?.length ? picomatch(filters.exclude) : null;
  // a case is named by `recipe.example` or by its key (`recipe/example.py` where the recipe has a dot)
  const selected = (...names: string[]) =>
    (!include || names.some((n) => include(n))) && !(exclude && names.some((n) => exclude(n)));

  const chapters: CookbookChapter[] = [];
  for (const { chapter, dir: chapterDir } of folders) {
    if (chapterFilter && !chapterFilter.has(chapter)) continue;
    const found: CookbookChapter = { chapter, dir: chapterDir, recipes: [], broken: [] };
    const brokenRecipe = (recipe: string, where: string, reason: string) => {
      if (selected(`${recipe}.*`))
        found.broken.push({
          chapter,
          recipe,
          example: '*',
          name: `${recipe}.*`,
          key: caseKey(recipe, '*'),
          path: where,
          reason,
        });
    };
    for (const entry of readRoot(chapterDir).sort((a, b) => naturalOrder(a.name, b.name))) {
      if (entry.name.startsWith('.') || entry.name === '__pycache__') continue;
      const kind = folderKind(entry);
      if (kind === 'not-folder') continue;
      if (kind === 'loop') {
        brokenRecipe(entry.name, entry.path, `recipe folder ${entry.path} is a symbolic link loop`);
        continue;
      }
      if (!entry.utf8) {
        brokenRecipe(
          entry.name,
          entry.path,
          `recipe folder name "${entry.name}" in ${chapterDir} is not valid UTF-8 (bytes shown as \\xNN): rename it to run its cases`,
        );
        continue;
      }
      const recipe = readRecipe(chapter, entry, selected, found.broken);
      if (recipe) found.recipes.push(recipe);
    }
    chapters.push(found);
  }
  if (chapterFilter) {
    const present = new Set(chapters.map((c) => c.chapter));
    const missing = [...chapterFilter].filter((c) => !present.has(c));
    if (missing.length) throw new CookbookError(`chapter ${missing.join(', ')} not found in ${root}`);
  }
  return chapters;
}

function readRecipe(
  chapter: string,
  recipeEntry: Entry,
  selected: (...names: string[]) => boolean,
  broken: BrokenEntry[],
): CookbookRecipe | undefined {
  const recipe = recipeEntry.name;
  const recipeDir = recipeEntry.path;
  let entries: Entry[];
  try {
    entries = readEntries(recipeDir);
  } catch (error) {
    if (selected(`${recipe}.*`))
      broken.push({
        chapter,
        recipe,
        example: '*',
        name: `${recipe}.*`,
        key: caseKey(recipe, '*'),
        path: recipeDir,
        reason: (error as Error).message,
      });
    return undefined;
  }
  const cases: CookbookCase[] = [];
  for (const entry of entries.sort((a, b) => naturalOrder(a.name, b.name))) {
    const { dirent } = entry;
    if (!(dirent.isFile() || dirent.isSymbolicLink()) || !entry.name.endsWith('.py') || entry.name.length <= 3)
      continue;
    const example = entry.name.slice(0, -3);
    const name = `${recipe}.${example}`;
    const key = caseKey(recipe, example);
    if (!selected(name, key)) continue;
    const reason = entry.utf8
      ? unreadableFileReason(entry)
      : `file name "${entry.name}" in ${recipeDir} is not valid UTF-8 (bytes shown as \\xNN): rename it to run it`;
    if (reason) broken.push({ chapter, recipe, example, name, key, path: entry.path, reason });
    else cases.push({ chapter, recipe, example, name, key, scriptPath: entry.path, recipeDir });
  }
  return cases.length > 0 ? { chapter, recipe, dir: recipeDir, cases } : undefined;
}

/** One chapter, for `defineCookbookChapter(n)`; null when the cookbook has no such chapter. */
export function discoverChapter(
  root: string,
  chapter: string | number,
  filters: Omit<DiscoverFilters, 'chapters'> = {},
): CookbookChapter | null {
  const wanted = String(Number(chapter));
  return discoverCookbook(root, filters).find((c) => c.chapter === wanted) ?? null;
}
