import path from 'node:path';
import { classifyFailure } from '../classify/failure.ts';
import type { ResolvedOptions } from '../config/options.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { DIAGNOSTICS } from './registry.ts';
import type { DiagnoseStageOptions } from './stage.ts';
import { DiagnosisStore } from './store.ts';

/** The diagnose stage as a run's options configure it: the chapter files and `reduce` use the same. */
export function diagnoseStageOptions(
  options: ResolvedOptions,
  env: RunEnvironment,
  scratchParent: string,
  runId: string,
): DiagnoseStageOptions {
  return {
    mode: options.diagnose,
    budgetMs: options.diagnoseBudgetMs,
    topFrames: 5,
    store: new DiagnosisStore(path.join(options.cacheDir, 'diagnose'), runId),
    stack: {
      // IWASM_DEBUG, else the WAMR checkout's debug variant
      iwasmDebug: env.debugIwasm?.command ?? null,
      iwasmDebugMode: env.debugIwasm?.mode ?? 'interp',
      symbolizer: options.tools.symbolizer,
      timeoutMs: options.timeouts.debugWasmMs,
      scratchParent,
      maxFrames: 64,
      caseEnv: options.env,
    },
    diagnostics: DIAGNOSTICS,
    failureLabel: (r) => {
      const group = classifyFailure(r);
      return `${group.kind}: ${group.label}`;
    },
  };
}
