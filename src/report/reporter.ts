import fs from 'node:fs/promises';
import path from 'node:path';
import { createColors } from 'picocolors';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import { DEFAULTS } from '../config/cookbook-options.ts';
import type { ResolvedOptions } from '../config/options.ts';
import { caseId, escapeControls } from '../records.ts';
import { checkRecords, readRunResults } from '../records/read.ts';
import { RunResultsLoadError } from '../records/validate.ts';
import { RESULTS_SCHEMA_VERSION, type CaseRecord, type RunResults } from '../types.ts';
import '../config/provided.ts';
import { collectCallstacks, type CallstacksReport, type RootCauseNote } from '../diagnose/callstacks.ts';
import { renderHtmlReport } from './html.ts';
import { formatProgressLine } from './progress.ts';
import { buildSummary } from './summary.ts';
import { renderSummaryMarkdown } from './summary-markdown.ts';
import { startPhase } from './phase-progress.ts';
import { renderTerminalSummary } from './terminal.ts';
import { reportDirError, reportDirProblem, writeWithFallback } from './report-dir.ts';
import { readHistory, writeReportFiles } from './write.ts';

export interface CookbookReporterOptions {
  /**
   * Report folder, relative to vitest's root. It is checked when the run starts: one that cannot be
   * written stops the run before any case.
   * @default the plugin's reportDir (PY2WASM_REPORT_DIR), else 'py2wasm-report'
   */
  outputDir?: string;
  /**
   * Write callstacks.json and the distinct-stack groups. The stacks come from the diagnose stage.
   * @default true
   */
  callstacks?: boolean;
  /**
   * Frames compared when grouping distinct stacks (5, as the old manual workflow did).
   * @default 5
   */
  topFrames?: number;
  /**
   * Known root causes shown next to the stack groups they match.
   * @default py2wasm's getter signature bug and `method_vectorcall_NOARGS`
   */
  rootCauseNotes?: RootCauseNote[];
  /**
   * A line per finished case.
   * @default true
   */
  progress?: boolean;
  /**
   * Earlier runs kept in the report folder for the HTML trend.
   * @default 20
   */
  historySize?: number;
  /**
   * Append summary.md to the GitHub Actions job summary, as vitest's github-actions reporter does;
   * a file that cannot be written there is a warning.
   * @default { enabled: true, outputPath: process.env.GITHUB_STEP_SUMMARY }
   */
  jobSummary?: { enabled?: boolean; outputPath?: string | undefined };
}

export const REPORTER_DEFAULTS = {
  callstacks: true,
  topFrames: 5,
  progress: true,
  historySize: 20,
  jobSummary: { enabled: true },
} satisfies CookbookReporterOptions;

/**
 * Collects the case records from task meta and, once the run ends, writes results.json,
 * summary.md, callstacks.json and index.html, with the highlights in the terminal. It reads the
 * records from the finished test modules, so `vitest --merge-reports` gives the same report.
 */
export class CookbookReporter implements Reporter {
  private vitest?: Vitest;
  private startedAt = new Date();
  private total = 0;
  private done = 0;
  private readonly colors: ReturnType<typeof createColors>;

  private readonly options: CookbookReporterOptions &
    Required<Pick<CookbookReporterOptions, keyof typeof REPORTER_DEFAULTS>>;

  constructor(options: CookbookReporterOptions = {}) {
    this.options = {
      ...REPORTER_DEFAULTS,
      ...options,
      jobSummary: {
        ...REPORTER_DEFAULTS.jobSummary,
        outputPath: process.env.GITHUB_STEP_SUMMARY,
        ...options.jobSummary,
      },
    };
    this.colors = createColors(
      !process.env.NO_COLOR && (process.stdout.isTTY || process.env.FORCE_COLOR !== undefined),
    );
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.startedAt = new Date();
    // before any case runs: at the end, this run's records would have nowhere to go
    const dir = this.outputDir();
    const problem = reportDirProblem(dir);
    if (problem) throw reportDirError(dir, problem);
  }

  /** Lines go through vitest's logger, as its own reporters' do. */
  private log(line: string): void {
    this.vitest?.logger.log(line);
  }

  /** The reporter's own folder, else the plugin's, relative to vitest's root. */
  private outputDir(): string {
    const dir = this.options.outputDir ?? this.resolvedOptions()?.reportDir ?? DEFAULTS.reportDir;
    return path.resolve(this.vitest?.config.root ?? process.cwd(), dir);
  }

  onTestRunStart(): void {
    this.startedAt = new Date();
    this.total = 0;
    this.done = 0;
  }

  onTestModuleCollected(testModule: TestModule): void {
    // tests skipped at collection are placeholders for chapters the cookbook does not have
    this.total += [...testModule.children.allTests()].filter((t) => t.options.mode !== 'skip').length;
  }

  private readonly running = new Map<string, string>();

  onTestCaseReady(testCase: TestCase): void {
    this.running.set(testCase.id, testCase.name);
  }

  onTestCaseResult(testCase: TestCase): void {
    this.running.delete(testCase.id);
    if (testCase.options.mode === 'skip') return;
    this.done++;
    if (!this.options.progress) return;
    const meta = testCase.meta().py2wasm;
    const result = testCase.result();
    this.log(
      formatProgressLine(
        {
          done: this.done,
          total: this.total,
          name: testCase.fullName,
          state: result.state,
          records: meta?.records ?? [],
          durationMs: testCase.diagnostic()?.duration,
          running: [...this.running.values()],
        },
        this.colors,
      ),
    );
  }

  private resolvedOptions(): ResolvedOptions | undefined {
    try {
      return this.vitest?.getRootProject().getProvidedContext().py2wasmOptions;
    } catch {
      return undefined;
    }
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const records = this.checkedRecords(testModules);
    if (!records) return;
    const options = this.resolvedOptions();
    const outputDir = this.outputDir();
    // a run that ended before any case (a broken config, collection errors) keeps the last report
    if (records.length === 0) {
      this.log(
        this.colors.red(
          `vitest-py2wasm: no case ran: no report written (${path.relative(process.cwd(), outputDir) || '.'} is as it was)`,
        ),
      );
      return;
    }
    if (this.vitest?.config.watch) records.splice(0, records.length, ...(await mergeWithPrevious(outputDir, records)));
    const tools: Record<string, string> = {};
    for (const r of records) Object.assign(tools, r.tools);
    const results: RunResults = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      run: {
        startedAt: this.startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        vitestVersion: this.vitest?.version,
        tools,
        targets: [...new Set(records.map((r) => r.target.name))],
        cookbookRoot: options?.root,
        source: this.vitest?.config.mergeReports ? 'merged' : 'vitest',
      },
      records,
    };
    // on a whole cookbook this takes a while: a line now and then after a few seconds
    const phase = startPhase('vitest-py2wasm: report', { write: (line) => this.log(this.colors.dim(line)) });
    let callstacks: CallstacksReport | undefined;
    if (this.options.callstacks) {
      phase.update('grouping call stacks');
      callstacks = collectCallstacks(records, { topN: this.options.topFrames, notes: this.options.rootCauseNotes });
    }
    phase.update('summary');
    const summary = buildSummary(results, { stacks: callstacks?.groups ?? [] });
    const markdown = renderSummaryMarkdown(summary);
    phase.update('index.html and the files');
    const history = await readHistory(outputDir);
    const files = { results, markdown, callstacks, html: renderHtmlReport(summary, { history }) };
    const written = await writeWithFallback(outputDir, (dir) =>
      writeReportFiles(dir, { ...files, historySize: this.options.historySize }),
    );
    phase.end();
    if (written.failure) {
      process.exitCode = 1;
      this.vitest?.logger.error(this.colors.red(`vitest-py2wasm: ${written.failure}`));
    }
    await this.appendJobSummary(markdown);
    this.log(`\n${renderTerminalSummary(summary, { color: this.colors.isColorSupported })}`);
    for (const message of callstacks?.messages ?? []) this.log(this.colors.yellow(escapeControls(message)));
    if (written.dir) {
      const shown = path.relative(process.cwd(), written.dir) || '.';
      this.log(this.colors.dim(`report: ${shown}/{results.json,summary.md,callstacks.json,index.html}`));
    }
  }

  /**
   * This run's records; a merge's come from shard reports written elsewhere, perhaps by an older
   * version: checked and upgraded as a results.json is. One that cannot be read fails the run, no report written.
   */
  private checkedRecords(testModules: ReadonlyArray<TestModule>): CaseRecord[] | undefined {
    const records = recordsOf(testModules);
    if (!this.vitest?.config.mergeReports) return records;
    try {
      return checkRecords(records, 'the merged shard reports');
    } catch (error) {
      if (!(error instanceof RunResultsLoadError)) throw error;
      process.exitCode = 1;
      this.vitest.logger.error(this.colors.red(`vitest-py2wasm: no report written: ${error.message}`));
      return undefined;
    }
  }

  /** GitHub Actions' job summary: a warning when it cannot be written, as in vitest's github-actions reporter. */
  private async appendJobSummary(markdown: string): Promise<void> {
    const { enabled, outputPath } = this.options.jobSummary;
    if (!enabled || !outputPath) return;
    try {
      await fs.appendFile(outputPath, `${markdown}\n`);
    } catch (error) {
      this.vitest?.logger.warn(
        this.colors.yellow(
          `vitest-py2wasm: could not append the summary to ${outputPath} (jobSummary.outputPath): ${(error as Error).message}`,
        ),
      );
    }
  }
}

/** The case records of finished test modules, from task meta. */
export function recordsOf(testModules: ReadonlyArray<TestModule>): CaseRecord[] {
  return testModules.flatMap((module) =>
    [...module.children.allTests()].flatMap((test) => test.meta().py2wasm?.records ?? []),
  );
}

/** Watch mode re-runs a few cases: the report keeps the latest verdict of every case. */
async function mergeWithPrevious(outputDir: string, fresh: CaseRecord[]): Promise<CaseRecord[]> {
  let previous: CaseRecord[];
  try {
    previous = (await readRunResults(path.join(outputDir, 'results.json'))).records;
  } catch {
    return fresh; // no report yet, or one this version cannot read: the fresh records alone
  }
  const key = (r: CaseRecord) => `${r.target.name}\0${caseId(r)}`;
  const freshKeys = new Set(fresh.map(key));
  return [...previous.filter((r) => !freshKeys.has(key(r))), ...fresh];
}

/** `reporters: ['default', cookbookReporter(options)]` in vitest.config.ts */
export function cookbookReporter(options: CookbookReporterOptions = {}): CookbookReporter {
  return new CookbookReporter(options);
}

export default CookbookReporter;
