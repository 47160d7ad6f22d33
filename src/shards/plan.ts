// Cases spread over test files by expected cost, so that vitest's shards (which split by file) and
// its workers (which take a file each) get even shares.

/** What moves as a whole: a recipe (its cases share a scratch copy, in order) or an entry that cannot be read. */
export interface ShardUnit {
  /** Unique, and the same on every machine: ties in cost are broken by it. */
  id: string;
  cost: number;
}

export interface Bin<U extends ShardUnit> {
  /** 1-based, the order of the test files. */
  index: number;
  /** The shard (1-based, `--shard=<shard>/<shards>`) that runs this bin. */
  shard: number;
  /** In the order they were given (the cookbook's order). */
  units: U[];
  cost: number;
}

/**
 * The bins `--shard=<shard>/<shards>` runs out of `bins`: a contiguous range, as vitest's own
 * split of a file list gives (BaseSequencer.calculateShardRange): the first `bins % shards`
 * shards one more. Returns [start, end), 0-based.
 */
export function binRange(bins: number, shards: number, shard: number): [number, number] {
  const base = Math.floor(bins / shards);
  const extra = bins % shards;
  const start = (shard - 1) * base + Math.min(shard - 1, extra);
  return [start, start + base + (shard <= extra ? 1 : 0)];
}

/**
 * Longest first: each unit, the costliest first (ties by id), goes to the share with the least cost
 * so far (ties: fewer units, then the lower index). Pure: the same units give the same shares on
 * every machine, so shards that never talk agree on them.
 */
function spread<U extends ShardUnit>(units: readonly U[], count: number): U[][] {
  const shares = Array.from({ length: count }, () => ({ cost: 0, units: [] as U[] }));
  const order = [...units].sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const unit of order) {
    let best = shares[0]!;
    for (const share of shares.slice(1))
      if (share.cost < best.cost || (share.cost === best.cost && share.units.length < best.units.length)) best = share;
    best.cost += unit.cost;
    best.units.push(unit);
  }
  return shares.map((s) => s.units);
}

/**
 * `bins` test files for `shards` shards: the units are first spread over the shards, then each
 * shard's share over the bins that shard runs (binRange), so that every shard and, within it,
 * every bin gets about the same cost. Each bin keeps its units in the given order.
 */
export function planBins<U extends ShardUnit>(units: readonly U[], bins: number, shards = 1): Bin<U>[] {
  if (!Number.isInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a whole number >= 1, not ${shards}`);
  if (!Number.isInteger(bins) || bins < shards)
    throw new RangeError(`${bins} test files cannot be split into ${shards} shards: give at least one per shard`);
  const position = new Map(units.map((u, i) => [u, i]));
  const inOrder = (us: U[]) => us.sort((a, b) => position.get(a)! - position.get(b)!);
  const result: Bin<U>[] = [];
  spread(units, shards).forEach((share, s) => {
    const [start, end] = binRange(bins, shards, s + 1);
    spread(share, end - start).forEach((binUnits, b) => {
      const cost = binUnits.reduce((sum, u) => sum + u.cost, 0);
      result.push({ index: start + b + 1, shard: s + 1, units: inOrder(binUnits), cost });
    });
  });
  return result.sort((a, b) => a.index - b.index);
}

/** Each shard's cost, and the longest over an even split (1 is perfect). */
export function shardBalance(bins: ReadonlyArray<Bin<ShardUnit>>): { perShard: number[]; ratio: number } {
  const shards = Math.max(0, ...bins.map((b) => b.shard));
  const perShard = Array.from({ length: shards }, (_, s) =>
    bins.filter((b) => b.shard === s + 1).reduce((sum, b) => sum + b.cost, 0),
  );
  const total = perShard.reduce((a, b) => a + b, 0);
  return { perShard, ratio: total > 0 ? Math.max(...perShard) / (total / shards) : 1 };
}
