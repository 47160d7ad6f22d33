// A cookbook as units to spread: each recipe whole, each entry that cannot be read on its own.
import type { CookbookChapter } from '../discover/discover.ts';
import { caseIdOf } from '../records.ts';
import { unmeasuredCost } from './costs.ts';
import type { ShardUnit } from './plan.ts';

export interface CookbookUnit extends ShardUnit {
  chapter: string;
  /** A recipe folder: its cases run in file order in one scratch copy (`scope: 'recipe'`), so they stay together. */
  recipe?: string;
  /** The key of a broken entry (it only gets a harness error record: cost 0). */
  broken?: string;
  /** Cases the earlier run did not have, costed at the median of those it had. */
  unmeasured: number;
}

/** The units of the selected chapters, in the cookbook's order, each with its cases' cost (`costs` by case id). */
export function cookbookUnits(
  chapters: readonly CookbookChapter[],
  costs: ReadonlyMap<string, number> = new Map(),
): CookbookUnit[] {
  const fallback = unmeasuredCost(costs);
  const units: CookbookUnit[] = [];
  for (const c of chapters) {
    for (const r of c.recipes) {
      const ids = r.cases.map((k) => caseIdOf(k.chapter, k.key));
      const measured = ids.filter((id) => costs.has(id));
      const cost = measured.reduce((sum, id) => sum + costs.get(id)!, 0) + (ids.length - measured.length) * fallback;
      units.push({
        id: `${c.chapter}/${r.recipe}`,
        chapter: c.chapter,
        recipe: r.recipe,
        cost,
        unmeasured: ids.length - measured.length,
      });
    }
    for (const b of c.broken)
      units.push({ id: `${c.chapter}/${b.key}\0broken`, chapter: c.chapter, broken: b.key, cost: 0, unmeasured: 0 });
  }
  return units;
}
