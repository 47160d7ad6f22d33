// What the diagnose stage is given: its options (stage-options.ts builds them from a run's) and the run's tools.
import type { RunEnvironment } from '../run/environment.ts';
import type { CaseRecord, CompileOutcome, ProcessOutcome } from '../types.ts';
import type { StackOptions } from './stack.ts';
import type { DiagnosisStore } from './store.ts';
import type { AnyDiagnostic } from './types.ts';
import type { DiagnoseMode } from '../config/choices.ts';
import type { CompileVariant } from '../run/recipe-compiler.ts';

export type { DiagnoseMode };

export interface DiagnoseStageOptions {
  /** 'group': one case per failure group is diagnosed, the others inherit; 'case': every case; 'off': stacks only. */
  mode: DiagnoseMode;
  /** Wall-clock budget for one case's diagnostics (a group's, inherited by its other cases). */
  budgetMs: number;
  /** Top frames that must match for two traps to share a diagnosis. */
  topFrames: number;
  store: DiagnosisStore;
  stack: Omit<StackOptions, 'signal'>;
  diagnostics: AnyDiagnostic[];
  /** The failure's one-line label (trap kind, final exception line, ...), from the caller's taxonomy. */
  failureLabel(record: CaseRecord): string;
  /** Told what is being diagnosed, for progress output. */
  onProgress?(record: CaseRecord, message: string): void;
}

/** What the stage needs of the run that produced the records. */
export interface DiagnoseCaseTools {
  env: RunEnvironment;
  /** The case compiled again (`# nuitka-project:` lines appended, link flags added), through the compile cache and slots. */
  compile(record: CaseRecord, variant: CompileVariant, signal: AbortSignal): Promise<CompileOutcome>;
  /**
   * The case's second CPython run, which the pipeline's verdict asks for when outputs differ (the
   * lines CPython prints differently are masked); absent or undefined: nothing is masked.
   */
  cpythonAgain?(record: CaseRecord, signal: AbortSignal): (() => Promise<ProcessOutcome>) | undefined;
}
