import type { BaseSequencer, TestSequencerConstructor, TestSpecification, Vitest } from 'vitest/node';
import { binRange } from '../shards/plan.ts';
import { parseBalancedFileName } from './balanced-files.ts';

/**
 * The sequencer the plugin sets with `shardFiles`: `--shard=i/n` runs the balanced test files the
 * plan gave shard i (binRange), whatever their paths hash to; other test files are split by the
 * user's sequencer (vitest's by default), and sorting is left to it.
 */
export function balancedSequencer(Base: TestSequencerConstructor): TestSequencerConstructor {
  return class BalancedSequencer extends (Base as typeof BaseSequencer) {
    readonly #vitest: Vitest;

    constructor(ctx: Vitest) {
      super(ctx);
      this.#vitest = ctx;
    }

    override async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
      const shard = this.#vitest.config.shard;
      const balanced = files.filter((f) => parseBalancedFileName(f.moduleId));
      if (!shard || balanced.length === 0) return super.shard(files);
      const others = files.filter((f) => !parseBalancedFileName(f.moduleId));
      const mine = balanced.filter((f) => {
        const { index, count } = parseBalancedFileName(f.moduleId)!;
        const [start, end] = binRange(count, shard.count, shard.index);
        return index > start && index <= end;
      });
      return [...(others.length ? await super.shard(others) : []), ...mine];
    }
  };
}
