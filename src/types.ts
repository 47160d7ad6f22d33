// size: the whole record schema (results.json, task meta) in one file: one record type end to end, read in one place.
// The one typed record that flows discover -> run -> compare -> classify -> report.
// Everything here is JSON-serialisable: it is attached to vitest task meta and written to results.json.

/** Names and numbers exactly as the old manual failure analysis defined them (its result files are still imported). */
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

/**
 * A record whose case the harness itself could not run (its files unreadable, a name that is not
 * UTF-8, an error of this project): none of the eight codes, counted apart from them.
 */
export const HARNESS_ERROR = 'HARNESS_ERROR' as const;
/** What a record's outcome is called: a code's name, or HARNESS_ERROR. */
export type OutcomeName = CaseErrorName | typeof HARNESS_ERROR;

export interface HarnessError {
  /** What went wrong, with the path it concerns. */
  message: string;
  /** Where: finding the case in the cookbook tree, or running it. */
  stage: 'discover' | 'run';
}

/**
 * 2 added `stack` and `diagnosis`; 3 stores `target` structured (RecordTarget, was its name).
 * Older records are upgraded when read (src/records/upgrade.ts).
 */
export const RECORD_SCHEMA_VERSION = 3 as const;

/** Output of a process stream, bounded: head and tail kept, the middle counted. */
export interface CapturedText {
  /** Decoded text for display (UTF-8; undecodable bytes shown as \xNN). When truncated: head + marker line + tail. */
  text: string;
  /**
   * Present only when the stream held undecodable bytes: the same text with each such byte as the
   * lone surrogate U+DC80..U+DCFF (Python's surrogateescape), which no decoded text can contain.
   * Outputs are compared on it, so the byte 0xff never equals a program printing `\xff`.
   */
  exact?: string;
  /** Size of the whole stream in bytes. */
  bytes: number;
  truncated: boolean;
  /** Bytes left out between head and tail. */
  omittedBytes: number;
  /**
   * The whole stream as it was normalized while captured: set on a truncated stream captured with a
   * digester, so two outputs too long to keep are still compared whole (see WholeStream).
   */
  whole?: WholeStream;
}

/**
 * A stream normalized line run by line run as it arrived (src/compare/stream-digest.ts), reduced to
 * digests: equal `sha256` means equal normalized streams; `segments` say where two streams first differ.
 */
export interface WholeStream {
  /** sha256 (hex) of the normalized stream. */
  sha256: string;
  /** Lines of the normalized stream (a last line without a newline counts). */
  lines: number;
  /** Which rules and context normalized it: two digests are compared only when this is the same. */
  normalizedBy: string;
  /** The rules that changed the stream somewhere. */
  rulesFired: string[];
  /** Lines per segment: 1, doubled whenever `segments` would grow past 1024. */
  segmentLines: number;
  /** 64-bit digests (hex) of consecutive runs of `segmentLines` normalized lines, the last one partial. */
  segments: string[];
}

/** Takes a stream's chunks as they arrive and sums them up (a StreamNormalizer of src/compare/). */
export interface StreamDigester {
  push(chunk: Buffer): void;
  finish(): WholeStream;
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
  /** Taken from the CPython result cache (run/python-cache.ts), not run now. */
  cached?: boolean;
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

/** One source location of a symbolized frame (DWARF, or the runtime's name alone). */
export interface SourceLocation {
  function: string;
  file?: string;
  line?: number;
  column?: number;
  /** True for every entry of an inline chain except the last (the real wasm function). */
  inlined: boolean;
}

export interface SymbolizedFrame {
  raw: RawFrame;
  /** Innermost first: inlined callees, then the function that holds the code. */
  locations: SourceLocation[];
  /** How the frame's offset was read. */
  assumed: FrameAddressSpace;
  /** The address given to the symbolizer (DWARF address, Code-section relative). */
  address?: number;
  /** Why the locations are weaker than a DWARF lookup, e.g. `junk offset ...; name only`. */
  note?: string;
}

/** A trap's call stack as the diagnose stage left it in the record. */
export interface CaseStack {
  /** where the frames came from: a debug iwasm re-run, or the runtime's own trap output */
  source: 'iwasm-debug' | 'runtime';
  /** The wasm the frames belong to. */
  wasm?: string;
  /** The first frames, innermost first (a deep recursion keeps only these). */
  frames: Array<SymbolizedFrame | RawFrame>;
  /** Frames left out after `frames`. */
  omittedFrames: number;
  symbolized: boolean;
  /** What degraded, e.g. no debug iwasm, no symbolizer. */
  messages: string[];
  /** Why there is no debug re-run or symbolized stack: the wasm the case ran is gone (e.g. evicted from the compile cache). */
  wasmMissing?: string;
  /** Taken from the cache: the same wasm trapped the same way before under the same tools, so nothing was re-run. */
  cached?: boolean;
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

/** Wall-clock phases of one py2wasm compile, from the times its own log lines arrive. */
export interface CompilePhases {
  /** Nuitka's Python-level compilation, up to "Running C compilation via Scons". */
  pythonMs: number;
  /** Scons: writing the constants blob as C, compiling the objects, up to "Backend linking program". */
  cMs: number;
  /** The LTO link (code generation happens here) and Nuitka's standalone clean-up. */
  linkMs: number;
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
  /** The module's sha256 (cached compiles): what a cached wasm run is keyed by. */
  wasmSha256?: string;
  command: string[];
  spawnError?: string;
  /** The compiler exited 0 but what it wrote is not a whole wasm module: why. Never cached. */
  invalidWasm?: string;
  /** Where the time went, from py2wasm's log lines (compiles that reached the link). */
  phases?: CompilePhases;
  /** The compile failed after Nuitka handed over to the C compiler and linker (not in the script's own translation). */
  failedInBackend?: boolean;
  /** Scons jobs the compile ran with (matched to the cores free when it started). */
  sconsJobs?: number;
}

/** The first removed (CPython) and added (wasm) line of the first run of changed lines. */
export interface FirstChange {
  removed?: string;
  added?: string;
}

export interface Comparison {
  equal: boolean;
  /** Names of the normalization rules that changed either side. */
  rulesFired: string[];
  /** Unified diff of the normalized outputs, when different. */
  diff?: string;
  /** Where the normalized outputs first differ (what a failure group is named after), when different. */
  firstChange?: FirstChange;
  /**
   * What `diff` was made from: both outputs whole, or only their kept head and tail (an output too
   * long to keep whole; then `partial` says how the verdict was reached). Absent in older records.
   */
  shown?: 'whole' | 'head+tail';
  partial?: PartialComparison;
  /**
   * Present when the outputs differed and CPython ran the case a second time: the lines its two runs
   * printed differently, masked on every side before the outputs were compared again
   * (compare/self-differences.ts).
   */
  cpythonRerun?: CpythonRerun;
}

/** A comparison of outputs too long to keep whole. */
export interface PartialComparison {
  /**
   * `whole`: the whole normalized streams were compared by digest while captured. `head+tail`: a
   * side has no usable digest (a run from before digests, normalized by other rules, or runtime
   * lines cut from a long stdout): only the kept parts were compared, and that is never OK.
   */
  compared: 'whole' | 'head+tail';
  /** Each side's whole size and how much of it the diff shows (its kept head and tail). */
  cpython: { bytes: number; shownBytes: number };
  wasm: { bytes: number; shownBytes: number };
  /** Where the whole normalized streams first differ (1-based lines, inclusive), from their segment digests. */
  firstDifference?: { fromLine: number; toLine: number };
}

/** CPython's second run of a case whose outputs differed: where it differs from its first. */
export interface CpythonRerun {
  /** The masked lines (the first 20), each with what CPython's two runs printed there (normalized). */
  masked: MaskedLine[];
  /** How many lines were masked in all; 0 when CPython printed the same twice, or nothing could be masked. */
  maskedCount: number;
  /** Why nothing was masked though CPython differs from itself (its lines do not line up, its second run failed). */
  unmasked?: string;
  /** The second run's time, as it first took (served from the cache, it keeps it): part of what the case costs. */
  durationMs?: number;
}

export interface MaskedLine {
  /** 1-based, in the normalized output. */
  line: number;
  /** What CPython printed there on its first and its second run. */
  cpython: [string, string];
}

/** The compilers a target names (`compiler+runtime`). */
export const KNOWN_COMPILERS = ['py2wasm', 'wasi-python'] as const;
export type CompilerName = (typeof KNOWN_COMPILERS)[number];

export interface TargetSpec {
  /** e.g. `py2wasm+iwasm`, `wasi-python+node` */
  name: string;
  compiler: CompilerName;
  /** `iwasm`, `node`, `wasmtime`, `iwasm:<variant>` (a WAMR checkout build) or a configured runtime's name */
  runtime: string;
}

/**
 * The target a record ran on: a run's target, its compiler and runtime apart (read with
 * `recordTargetOf`, src/records/target.ts, the one parser of a target's name), or a name alone for
 * records that do not say how they ran (`legacy`: an imported pickle of the old workflow).
 */
export type RecordTarget = TargetSpec | { name: string; compiler?: never; runtime?: never };

export type TriageVerdict =
  | 'all-ok'
  | 'compiler' // fails compiled, passes interpreted on the same runtime: py2wasm/Nuitka
  | 'platform' // fails both ways: WASI or CPython limitation
  | 'runtime' // fails on one runtime only
  | 'mixed';

/** What every record has, whatever happened to its case. */
interface RecordCommon {
  schemaVersion: typeof RECORD_SCHEMA_VERSION;
  chapter: string;
  recipe: string;
  example: string;
  /** `recipe.example`, the case name the old manual workflow used */
  case: string;
  target: RecordTarget;
  msg: string;
  /** Where the case lives, so a report can re-run it (debug iwasm) */
  scriptPath?: string;
  durations: { pythonMs?: number; compileMs?: number; wasmMs?: number; totalMs: number };
  /** tool name -> version / fingerprint */
  tools: Record<string, string>;
}

/** What running a case left, and what the stages after the run added. */
export interface RunParts {
  python?: ProcessOutcome;
  compile?: CompileOutcome;
  wasm?: RuntimeRun;
  comparison?: Comparison;
  triage?: TriageVerdict;
  /** With several runtimes: which gave which outcome, when they differ (`py2wasm: OK on iwasm:classic; WASM_EXECUTION_FAILURE (...) on iwasm:release`) */
  disagreement?: string;
  /** Set by the diagnose stage for a trap. */
  stack?: CaseStack;
  /** Set by the diagnose stage for a failure; never changes code or msg. */
  diagnosis?: CaseDiagnosis;
}

/** Fields a kind of record never has: absent, so any record can be asked for them. */
type Absent<T> = { [K in keyof T]?: undefined };

/** The codes of a case that ran: all but BYPASS. */
export type RanCode = Exclude<CaseErrorCode, typeof CaseErrorCode.BYPASS>;

/** A case that ran: any code but BYPASS, with what each side did. */
export interface RanRecord extends RecordCommon, RunParts {
  code: RanCode;
  codeName: Exclude<CaseErrorName, 'BYPASS'>;
  bypassReason?: undefined;
  harnessError?: undefined;
}

/** What a bypassed case has of the run's parts: CPython's run (when only a target's tool was missing) and the case's triage and disagreement. */
type BypassedParts = 'python' | 'triage' | 'disagreement';

/**
 * A case not run (BYPASS): a bypass rule matched it, or a tool its target needs is missing. No
 * compile, no wasm run, no comparison, nothing diagnosed.
 */
export interface BypassedRecord
  extends RecordCommon, Pick<RunParts, BypassedParts>, Absent<Omit<RunParts, BypassedParts>> {
  code: typeof CaseErrorCode.BYPASS;
  codeName: 'BYPASS';
  /** Why (imported pickles do not say). */
  bypassReason?: string;
  harnessError?: undefined;
}

/**
 * A case the harness could not run (files unreadable, a name that is not UTF-8, an error of this
 * project): none of the eight codes, so `code` and `codeName` are null, and exactly these records
 * have `harnessError`; `msg` repeats its message.
 */
export interface HarnessErrorRecord extends RecordCommon, Absent<RunParts> {
  code: null;
  codeName: null;
  harnessError: HarnessError;
  bypassReason?: undefined;
}

/** One case on one target: it ran, it was bypassed, or the harness could not run it (told apart by `code`). */
export type CaseRecord = RanRecord | BypassedRecord | HarnessErrorRecord;

/** Omit over each member of a union (Omit on a union keeps only the keys common to all, losing the kinds). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What each diagnostic finds; one file each in src/diagnose/diagnostics/. */
export interface DiagnosisDataByKind {
  /** The Python statement executing at the failure (a `--trace-execution` re-compile). */
  'python-line': {
    file: string;
    line: number;
    /** The line's text, from the script (or the stdlib shipped with py2wasm). */
    source?: string;
    /** The enclosing function in Python terms, e.g. `__main__.deco`. */
    function?: string;
    /** The last trace lines before the failure, bounded. */
    trace: string[];
  };
  /**
   * The Python frames at a trap, read from the memory the trapped instance left (a re-run under
   * Node's WASI, no compile): the case's own statement, whatever case its failure group was diagnosed on.
   */
  'python-frames': {
    /** The runtime the frames were read under (`node`), whatever the target's runtime. */
    runtime: string;
    /** Innermost first. A Nuitka frame's line is that of its last call or import. */
    frames: Array<{ file: string; function: string; line?: number; compiled: boolean }>;
    /** The case's own statement: the innermost frame of the recipe's files, when its line is that statement's. */
    own?: {
      file: string;
      line: number;
      source?: string;
      /** `__main__.counted`, `__main__.counted.<locals>.wrapper`, `__main__.<module>` */
      function: string;
      /** 'call': the line Nuitka set before the call in progress; 'instruction': an interpreted frame's last instruction. */
      lineSource: 'call' | 'instruction';
    };
    /** Why `own` is absent: what the frames did not tell. */
    notFound?: string;
  };
  /** The callee of an `indirect call type mismatch` (the module's sections + an instrumented run). */
  'indirect-call': {
    /** The function holding the call_indirect, e.g. `getset_get`, with its source location when known. */
    caller: string;
    callerLocation?: string;
    /** Signature the call site expected, e.g. `(i32, i32) -> i32`. */
    expectedType: string;
    tableIndex?: number;
    callee?: { funcIndex: number; name: string; type: string };
  };
  /** A `--debug` re-compile run under the same runtime: Nuitka's assertions. */
  'debug-build': {
    /** Whether it failed differently from the plain build. */
    differs: boolean;
    /** Its telling line: `Assertion failed: ...`, a trap, or the final exception line. */
    failure: string;
    assertion?: string;
    codeName: CaseErrorName;
    exitCode: number | null;
  };
  /** The same wasm re-run with PYTHONUNBUFFERED=1: what a trap swallowed. */
  'unbuffered-output': {
    /** What the program printed before the failure. */
    stdout: CapturedText;
    /** Bytes of it the plain run lost. */
    lostBytes: number;
  };
  /**
   * The module's C stack (a shadow stack in linear memory): the case relinked with the stack placed
   * below the static data, where an overflow traps instead of overwriting them, then with bigger stacks.
   */
  'stack-overflow': {
    /** The plain build's stack. */
    stack: {
      /** Where wasm-ld put it: below the static data (`--stack-first`) or above them (its default). */
      placement: 'first' | 'after data';
      /** `__stack_pointer`'s initial value: the stack's top (it grows down). */
      top: number;
      /** Bytes, when known: read from the module, or from the stack-first relink (the same link, placed elsewhere). */
      size?: number;
      sizeFrom?: 'module' | 'stack-first relink';
      /** Above the data: bytes from the end of the initialized data to the top (zeroed statics, then the stack). */
      aboveData?: number;
    };
    /** The stack-first build traps out of bounds where the plain one failed otherwise, or a bigger stack makes the case pass. */
    overflows: boolean;
    /** How the stack-first build ended under the normal comparison, and its failure line. */
    stackFirst: { codeName: CaseErrorName; failure?: string };
    /** Where the stack-first build trapped, innermost first: functions (Python terms for Nuitka's), with file:line when known. */
    frames?: string[];
    /** Where `frames` come from: the record's runtime, or Node's WASI when that printed none. */
    framesFrom?: string;
    /** Each bigger stack tried (placed first), smallest first: the verdict of the normal comparison. */
    tried: Array<{ stackBytes: number; codeName: CaseErrorName; failure?: string }>;
    /** The smallest stack tried with which the case passes its normal comparison. */
    fixedBy?: number;
  };
  /** Source lines added to a traceback printed inside the wasm, from the stdlib py2wasm ships. */
  'traceback-source': {
    traceback: string;
    /** How many `File ..., line N` entries got their line. */
    added: number;
  };
}
export type DiagnosisKind = keyof DiagnosisDataByKind;

export type DiagnosisStatus = 'ok' | 'failed' | 'timeout';

/** One diagnostic's outcome; `data` only when status is ok. A failed one says why and changes nothing else. */
export type DiagnosisResult = {
  [K in DiagnosisKind]: {
    kind: K;
    status: DiagnosisStatus;
    durationMs: number;
    cached: boolean;
    message?: string;
    data?: DiagnosisDataByKind[K];
    /** Set on a result a case inherited from its failure group: the case (`chapter/case`) it was found on. */
    from?: string;
  };
}[DiagnosisKind];

export interface CaseDiagnosis {
  /** Failure group (target, failure label, symbolized top frames) the results were computed for. */
  groupKey: string;
  /** The case (`chapter/case`) whose re-runs the group results come from: this one, or the group's representative. */
  diagnosedCase: string;
  inherited: boolean;
  results: DiagnosisResult[];
  /**
   * Kinds of the group's results that are about the diagnosed case's own program (its Python line):
   * left out of an inheriting case's results, which would otherwise show another case's line.
   */
  withheld?: DiagnosisKind[];
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

/** results.json versions this code reads (and upgrades to the newest, src/records/upgrade.ts). */
export const RESULTS_SCHEMA_VERSION = 3 as const;
export const READABLE_RESULTS_SCHEMA_VERSIONS: readonly number[] = [1, 2, RESULTS_SCHEMA_VERSION];

/** results.json: every case record plus run metadata. */
export interface RunResults {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  run: {
    startedAt: string;
    endedAt: string;
    vitestVersion?: string;
    /** tool name -> version / fingerprint, for the whole run */
    tools: Record<string, string>;
    /** The targets' names (`py2wasm+iwasm`), in the order the options declared them. */
    targets: string[];
    cookbookRoot?: string;
    /** where the records came from: a vitest run, or an imported legacy pickle */
    source: 'vitest' | 'pickle' | 'merged';
  };
  records: CaseRecord[];
}
