import { CookbookError, discoverCookbook, type CookbookCase, type CookbookRecipe } from '../discover/discover.ts';

/**
 * The case a command names: `recipe.example` or its key (`recipe/example.py` where the recipe's name
 * has a dot), with `chapter/` in front where that is ambiguous.
 */
export function findCase(root: string, name: string): { recipe: CookbookRecipe; kase: CookbookCase } {
  const chapterMatch = /^(\d+)\/(.+)$/.exec(name);
  const [chapter, caseName] = chapterMatch ? [chapterMatch[1]!, chapterMatch[2]!] : [undefined, name];
  const found: Array<{ recipe: CookbookRecipe; kase: CookbookCase }> = [];
  for (const ch of discoverCookbook(root, chapter ? { chapters: [chapter] } : {})) {
    for (const recipe of ch.recipes)
      for (const kase of recipe.cases)
        if (kase.name === caseName || kase.key === caseName) found.push({ recipe, kase });
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new CookbookError(`no case ${name} in ${root} (a case is named recipe.example, e.g. decorators.example1)`);
  throw new CookbookError(
    `${name} names several cases (${found.map((f) => `${f.kase.chapter}/${f.kase.key}`).join(', ')}): name one of them so`,
  );
}
