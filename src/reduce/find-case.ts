import { CookbookError, discoverCookbook, type CookbookCase, type CookbookRecipe } from '../discover/discover.ts';

/** The case a command names: `recipe.example`, or `chapter/recipe.example` where that is ambiguous. */
export function findCase(root: string, name: string): { recipe: CookbookRecipe; kase: CookbookCase } {
  const [chapter, caseName] = name.includes('/') ? (name.split('/', 2) as [string, string]) : [undefined, name];
  const found: Array<{ recipe: CookbookRecipe; kase: CookbookCase }> = [];
  for (const ch of discoverCookbook(root, chapter ? { chapters: [chapter] } : {})) {
    for (const recipe of ch.recipes)
      for (const kase of recipe.cases) if (kase.name === caseName) found.push({ recipe, kase });
  }
  if (found.length === 1) return found[0]!;
  if (found.length === 0)
    throw new CookbookError(`no case ${name} in ${root} (a case is named recipe.example, e.g. decorators.example1)`);
  throw new CookbookError(
    `${name} is in several chapters (${found.map((f) => f.kase.chapter).join(', ')}): name it as chapter/${caseName}`,
  );
}
