import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { ResolvedOptions } from '../config/options.ts';
import { recordsOf } from '../report/reporter.ts';
import { escapeControls } from '../records.ts';
import { runVerdict } from '../report/run-verdict.ts';
import { writeLastRun } from '../run/last-run.ts';
import { balancedFilesProblem } from './balanced-files.ts';
import { clearFocus } from './watch.ts';

/**
 * What a run leaves for the next one, whatever reporters the user chose: which cases failed (they
 * run first next time) and, in watch mode, the end of a saved case's focus; and it fails a run in
 * which no case could execute, which vitest would count as passed (all skipped), or a merge of
 * shards that ran differently balanced files or lost one. The plugin adds it.
 */
export class RunEndRecorder implements Reporter {
  private vitest?: Vitest;

  constructor(private readonly options: ResolvedOptions) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const records = recordsOf(testModules);
    if (!this.vitest?.config.watch) {
      const verdict = runVerdict(records);
      if (!verdict.ok) {
        this.vitest?.logger.error(`vitest-py2wasm: the run fails: ${escapeControls(verdict.reason ?? '')}`);
        process.exitCode = 1;
      }
    }
    if (this.vitest?.config.mergeReports) {
      // a merge replays other machines' runs: they must have run one plan of balanced files, whole
      const problem = balancedFilesProblem(testModules.map((m) => m.moduleId));
      if (problem) {
        this.vitest.logger.error(`vitest-py2wasm: the merged run fails: ${problem}`);
        process.exitCode = 1;
      }
      return;
    }
    await writeLastRun(this.options.cacheDir, records).catch(() => undefined);
    clearFocus(this.options.cacheDir);
  }
}
