import type { ResolvedOptions } from '../config/options.ts';
import type { CookbookCase, CookbookRecipe } from '../discover/discover.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { describeHarnessError, harnessErrorRecords } from '../run/harness-error.ts';
import { RecipeRunner } from '../run/pipeline.ts';
import { prepareRunEnvironment } from '../run/prepare.ts';
import type { ToolAvailability } from '../tools/availability.ts';
import type { CaseRecord } from '../types.ts';
import { diagnoseCase } from './run-case.ts';
import { diagnoseStageOptions } from './stage-options.ts';
import type { DiagnoseStageOptions } from './stage.ts';

export interface ChapterCaseRequest {
  recipe: CookbookRecipe;
  kase: CookbookCase;
  /** The case that runs next: its compile starts now when a core is free for it. */
  next?: { recipe: CookbookRecipe; kase: CookbookCase } | undefined;
  signal: AbortSignal;
  /** Told what the diagnose stage is doing, which can take minutes. */
  onDiagnose?: (record: CaseRecord, message: string) => void;
}

/**
 * The cases of one test file (a chapter, or balanced recipes of several) in one worker: one environment, one runner per recipe (its scratch
 * copies and compiles shared by the recipe's cases), each case run then diagnosed. What cannot run
 * (the environment failed to set up, the pipeline threw) becomes harness error records.
 */
export class ChapterRun {
  private env?: RunEnvironment;
  private scratchParent = '';
  private diagnose?: DiagnoseStageOptions;
  private setupError?: Error;
  private readonly runners = new Map<string, RecipeRunner>();

  constructor(
    private readonly options: ResolvedOptions,
    private readonly availability: ToolAvailability,
    private readonly runId: string,
    /** A save in the WAMR checkout (watch mode): only these targets run. */
    private readonly wasmStage: readonly string[] | null = null,
  ) {}

  /** Never throws: a setup that failed is recorded by every case of the chapter. */
  async prepare(): Promise<void> {
    try {
      const { options, wasmStage } = this;
      const runOptions = wasmStage
        ? { ...options, targets: options.targets.filter((t) => wasmStage.includes(t.name)) }
        : options;
      ({ env: this.env, scratchParent: this.scratchParent } = await prepareRunEnvironment(
        runOptions,
        this.availability,
      ));
      this.diagnose = diagnoseStageOptions(this.options, this.env, this.scratchParent, this.runId);
      await this.diagnose.store.pruneRuns().catch(() => undefined);
    } catch (error) {
      this.setupError = error instanceof Error ? error : new Error(String(error));
    }
  }

  private runnerFor(recipe: CookbookRecipe): RecipeRunner {
    // a test file of balanced cases holds recipes of several chapters
    const key = `${recipe.chapter}/${recipe.recipe}`;
    let runner = this.runners.get(key);
    if (!runner) {
      runner = new RecipeRunner(this.env!, recipe, this.scratchParent);
      this.runners.set(key, runner);
    }
    return runner;
  }

  /** One record per target; harness error records when the case could not run. Throws only when interrupted. */
  async run(req: ChapterCaseRequest): Promise<CaseRecord[]> {
    let runner: RecipeRunner;
    let verdicts: CaseRecord[];
    try {
      if (this.setupError) throw this.setupError;
      runner = this.runnerFor(req.recipe);
      if (req.next)
        void this.runnerFor(req.next.recipe)
          .prefetchCompile(req.next.kase)
          .catch(() => undefined);
      verdicts = await runner.runCase(req.kase, req.signal);
    } catch (error) {
      if (req.signal.aborted) throw error; // an interrupted run: no verdict to record
      const message = describeHarnessError(error);
      return harnessErrorRecords(req.kase, this.options.targets, { stage: 'run', message }, this.env?.tools);
    }
    const opts = { ...this.diagnose!, ...(req.onDiagnose ? { onProgress: req.onDiagnose } : {}) };
    return diagnoseCase(runner, req.kase, verdicts, opts, req.signal);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.dispose()));
  }
}
