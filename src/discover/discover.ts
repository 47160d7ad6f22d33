import fs from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';

export interface CookbookCase {
  chapter: string;
  recipe: string;
  example: string;
  /** `recipe.example`, the seed's case name */
  name: string;
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

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new CookbookError(`cannot read ${dir}: ${(error as Error).message}`);
  }
}

function isDirectory(dirent: fs.Dirent, parent: string): boolean {
  if (dirent.isDirectory()) return true;
  if (!dirent.isSymbolicLink()) return false;
  try {
    return fs.statSync(path.join(parent, dirent.name)).isDirectory();
  } catch {
    return false; // dangling link
  }
}

/**
 * Reads `<root>/<chapter>/<recipe>/<example>.py`. Chapters are the numbered folders, sorted
 * numerically; every `.py` directly inside a recipe folder is a case, deeper ones are support modules.
 * Synchronous on purpose: vitest collects tests synchronously from the chapter files.
 */
export function discoverCookbook(root: string, filters: DiscoverFilters = {}): CookbookChapter[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(root);
  } catch {
    throw new CookbookError(
      `cookbook root ${root} does not exist. Set COOKBOOK_DIR (or the plugin's \`root\` option) to a folder laid out as <root>/<chapter>/<recipe>/<example>.py, e.g. python-cookbook's src/.`,
    );
  }
  if (!stat.isDirectory()) throw new CookbookError(`cookbook root ${root} is not a directory`);

  const chapterDirs = readDir(root).filter((d) => isDirectory(d, root) && CHAPTER_RE.test(d.name));
  if (chapterDirs.length === 0) {
    throw new CookbookError(
      `no chapter folders in ${root}: expected numbered folders laid out as <root>/<chapter>/<recipe>/<example>.py (python-cookbook: point at its src/ folder)`,
    );
  }
  const chapterFilter = filters.chapters ? new Set(filters.chapters.map((c) => String(Number(c)))) : null;
  const include = filters.cases?.length ? picomatch(filters.cases) : null;
  const exclude = filters.exclude?.length ? picomatch(filters.exclude) : null;

  const chapters: CookbookChapter[] = [];
  for (const chapterEntry of chapterDirs.sort((a, b) => Number(a.name) - Number(b.name))) {
    const chapter = String(Number(chapterEntry.name));
    if (chapterFilter && !chapterFilter.has(chapter)) continue;
    const chapterDir = path.join(root, chapterEntry.name);
    const recipes: CookbookRecipe[] = [];
    for (const recipeEntry of readDir(chapterDir).filter((d) => isDirectory(d, chapterDir)).sort((a, b) => naturalOrder(a.name, b.name))) {
      if (recipeEntry.name.startsWith('.') || recipeEntry.name === '__pycache__') continue;
      const recipeDir = path.join(chapterDir, recipeEntry.name);
      const cases = readDir(recipeDir)
        .filter((d) => (d.isFile() || d.isSymbolicLink()) && d.name.endsWith('.py') && d.name.length > 3)
        .map((d) => d.name)
        .sort(naturalOrder)
        .map((file): CookbookCase => {
          const example = file.slice(0, -3);
          return {
            chapter,
            recipe: recipeEntry.name,
            example,
            name: `${recipeEntry.name}.${example}`,
            scriptPath: path.join(recipeDir, file),
            recipeDir,
          };
        })
        .filter((c) => (!include || include(c.name)) && !(exclude && exclude(c.name)));
      if (cases.length > 0) recipes.push({ chapter, recipe: recipeEntry.name, dir: recipeDir, cases });
    }
    chapters.push({ chapter, dir: chapterDir, recipes });
  }
  if (chapterFilter) {
    const found = new Set(chapters.map((c) => c.chapter));
    const missing = [...chapterFilter].filter((c) => !found.has(c));
    if (missing.length) throw new CookbookError(`chapter ${missing.join(', ')} not found in ${root}`);
  }
  return chapters;
}

/** One chapter, for `defineCookbookChapter(n)`; null when the cookbook has no such chapter. */
export function discoverChapter(root: string, chapter: string | number, filters: Omit<DiscoverFilters, 'chapters'> = {}): CookbookChapter | null {
  const wanted = String(Number(chapter));
  return discoverCookbook(root, filters).find((c) => c.chapter === wanted) ?? null;
}
