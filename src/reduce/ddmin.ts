// Delta debugging (Zeller's ddmin): the smallest subset of units for which a test still holds.
// Candidates of one round are judged `parallel` at a time; the first that holds, in round order,
// wins, so the result does not depend on which judge finishes first.

/** Holds when the candidate still shows the failure. Aborted judges reject. */
export type SubsetTest<T> = (kept: T[]) => Promise<boolean>;

export interface DdminOptions {
  /**
   * Candidates judged at once.
   * @default 1
   */
  parallel?: number;
  signal?: AbortSignal;
}

/**
 * Reduces `units` to a 1-minimal subset: removing any single unit of the result makes `test` fail.
 * `test(units)` itself is assumed to hold (the caller checked the starting point).
 */
export async function ddmin<T>(units: T[], test: SubsetTest<T>, opts: DdminOptions = {}): Promise<T[]> {
  const parallel = Math.max(1, opts.parallel ?? 1);
  let current = units;
  let n = 2;
  while (current.length >= 2) {
    opts.signal?.throwIfAborted();
    const chunks = split(current, Math.min(n, current.length));
    // subsets first (a big step), then complements (remove one chunk); for two chunks they coincide
    const subsets = chunks.length > 2 ? chunks : [];
    const complements = chunks.map((_, i) => chunks.filter((_, j) => j !== i).flat());
    const found = await firstHolding([...subsets, ...complements], test, parallel, opts.signal);
    if (found !== undefined) {
      const fromSubset = found < subsets.length;
      current = fromSubset ? subsets[found]! : complements[found - subsets.length]!;
      n = fromSubset ? 2 : Math.max(n - 1, 2);
      continue;
    }
    if (n >= current.length) break;
    n = Math.min(current.length, n * 2);
  }
  if (current.length === 1 && (await test([]))) return [];
  return current;
}

function split<T>(items: T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = start + Math.floor((items.length - start) / (n - i));
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

/** Index of the first candidate that holds. */
async function firstHolding<T>(
  candidates: T[][],
  test: SubsetTest<T>,
  parallel: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  for (let i = 0; i < candidates.length; i += parallel) {
    signal?.throwIfAborted();
    const verdicts = await Promise.all(candidates.slice(i, i + parallel).map((c) => test(c)));
    const hit = verdicts.findIndex(Boolean);
    if (hit >= 0) return i + hit;
  }
  return undefined;
}
