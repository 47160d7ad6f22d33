import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CookbookCase, CookbookRecipe } from '../discover/discover.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { diagnoseCase } from '../diagnose/run-case.ts';
import type { DiagnoseStageOptions } from '../diagnose/stage.ts';
import { RecipeRunner } from '../run/pipeline.ts';
import { copyRecipe, removeScratch } from '../run/scratch.ts';
import type { CaseRecord, TargetSpec } from '../types.ts';
import { failureSignature } from './signature.ts';

/** Changes to the recipe folder: relative path -> new content, or null to leave the file out. */
export type FileEdits = Record<string, string | null>;

export interface Judgement {
  holds: boolean;
  signature: string;
  /** Kept for the candidates that hold (the last one is the reproducer's record). */
  record?: CaseRecord;
}

export interface CaseJudgeRequest {
  env: RunEnvironment;
  scratchParent: string;
  recipe: CookbookRecipe;
  kase: CookbookCase;
  target: TargetSpec;
  /** The signature a candidate must keep (see failure-signature); unset for the first, reference run. */
  expected?: string;
  /** Verdicts of an earlier, interrupted reduction, by candidate hash. */
  known?: Record<string, { holds: boolean; signature: string }>;
  signal?: AbortSignal;
  /** Called after each candidate that needed a run. */
  onJudged?: (j: Judgement) => void;
}

/**
 * Runs candidates of one case through the real pipeline (CPython first, then the compile cache and
 * compile slots, then the target's runtime), each in a copy of the recipe with its edits applied.
 * Equal candidates are judged once.
 */
export class CaseJudge {
  tests = 0;
  compiles = 0;
  readonly verdicts: Record<string, { holds: boolean; signature: string }>;
  private readonly pending = new Map<string, Promise<Judgement>>();
  private readonly env: RunEnvironment;

  constructor(private readonly req: CaseJudgeRequest) {
    this.verdicts = { ...req.known };
    // one target, and every candidate alone: no sibling case runs before it
    this.env = { ...req.env, options: { ...req.env.options, targets: [req.target], scope: 'case' } };
  }

  static hash(edits: FileEdits): string {
    const sorted = Object.keys(edits)
      .sort()
      .map((k) => [k, edits[k]]);
    return crypto.createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 20);
  }

  judge(edits: FileEdits): Promise<Judgement> {
    const key = CaseJudge.hash(edits);
    const known = this.verdicts[key];
    if (known && !this.pending.has(key)) return Promise.resolve({ ...known });
    let pending = this.pending.get(key);
    if (!pending) {
      this.tests++;
      pending = this.run(edits).then((j) => {
        this.verdicts[key] = { holds: j.holds, signature: j.signature };
        this.req.onJudged?.(j);
        return j;
      });
      this.pending.set(key, pending);
    }
    return pending;
  }

  /**
   * Runs a candidate again for its full record (its compile comes from the cache); with `stage`, the
   * record then goes through the diagnose stage (stack, Python line, callee, assertion, ...).
   */
  async record(edits: FileEdits, stage?: DiagnoseStageOptions): Promise<Judgement> {
    return this.run(edits, stage);
  }

  private async run(edits: FileEdits, stage?: DiagnoseStageOptions): Promise<Judgement> {
    this.req.signal?.throwIfAborted();
    const { recipe, kase } = this.req;
    const dir = await copyRecipe(recipe.dir, this.req.scratchParent, `reduce-${recipe.recipe}`);
    try {
      for (const [rel, content] of Object.entries(edits)) {
        const file = path.join(dir, rel);
        if (content === null) await fs.rm(file, { recursive: true, force: true });
        else await fs.writeFile(file, content);
      }
      const candidate: CookbookCase = {
        ...kase,
        scriptPath: path.join(dir, path.basename(kase.scriptPath)),
        recipeDir: dir,
      };
      const runner = new RecipeRunner(this.env, { ...recipe, dir, cases: [candidate] }, this.req.scratchParent);
      try {
        const [verdict] = await runner.runCase(candidate, this.req.signal);
        if (!verdict) throw new Error(`no record for ${kase.name} on ${this.req.target.name}`);
        const record = stage ? (await diagnoseCase(runner, candidate, [verdict], stage, this.req.signal))[0]! : verdict;
        if (record.compile && !record.compile.cached) this.compiles++;
        const signature = failureSignature(record);
        const holds = this.req.expected === undefined || signature === this.req.expected;
        return { holds, signature, record };
      } finally {
        await runner.dispose();
      }
    } finally {
      await removeScratch(dir);
    }
  }
}
