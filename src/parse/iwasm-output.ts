import type { FrameAddressSpace, RawFrame, Trap } from '../types.ts';
import { TRUNCATION_MARKER_RE } from './truncation.ts';
import { trapKindOf } from './traps.ts';
import type { IwasmMode } from '../config/choices.ts';

export type { IwasmMode };

export interface IwasmParseOptions {
  /** Which iwasm produced the dump: decides how frame offsets are read. Default 'interp' (classic). */
  mode?: IwasmMode;
  /**
   * iwasm's exit status, when known. iwasm exits 1 after printing `Exception:`, 255 after a
   * load error; any other status means a line that looks like those is the program's own.
   */
  exitCode?: number | null;
}

export interface IwasmParseResult {
  /** The program's own stdout: the trailing dumps and the `Exception:` line removed. */
  programStdout: string;
  /** Lines iwasm itself printed (`Exception: ...`, load errors); frames are in `frames`. */
  runtimeLines: string[];
  trap?: Trap;
  /** Innermost first per dump; dumps in print order (`thread` 0 = first dump). */
  frames: RawFrame[];
  loadError?: string;
  /** A dump crossed the omitted middle of a truncated capture: frames between head and tail are missing. */
  framesTruncated: boolean;
}

const ADDRESS_SPACE: Record<IwasmMode, FrameAddressSpace> = {
  interp: 'module-offset-after',
  'fast-interp': 'meaningless',
  aot: 'aot',
};

// `#%02u: 0x%04x - NAME`, or `#%02u NAME` from builds that cannot commit the ip (fast JIT).
const FRAME_RE = /^#(\d+)(?:: 0x([0-9a-fA-F]+) - (.*)| (\S.*))$/;
const EXCEPTION = 'Exception: ';
// Printed instead of running anything (exit 255); see product-mini/platforms/posix/main.c.
const LOAD_ERROR_RE =
  /^(?:WASM module (?:load|instantiate) failed|AOT module (?:load|instantiate) failed|Read file to buffer failed|Invalid (?:wasm|aot) file|Create wasm execution environment failed|Init runtime environment failed|set wasi arguments failed)\b/;

interface DumpLine {
  line: number;
  frame: RawFrame;
}

/**
 * Split iwasm's stdout into the program's output and iwasm's trailing runtime block:
 * zero or more call-stack dumps (`\n`, `#NN: 0xOFF - name` lines, `\n`; one per thread, also
 * printed on every `proc_exit` by DUMP_CALL_STACK builds) and an optional `Exception: msg` line.
 * Only that trailing block is taken; look-alike lines earlier in the output stay program output.
 * A truncated capture (head, marker line, tail) is read across the marker.
 */
export function parseIwasmOutput(stdout: string, opts: IwasmParseOptions = {}): IwasmParseResult {
  const addressSpace = ADDRESS_SPACE[opts.mode ?? 'interp'];
  const exitKnown = opts.exitCode !== undefined && opts.exitCode !== null;
  const lines = stdout.split('\n');
  const starts: number[] = [];
  for (let i = 0, pos = 0; i < lines.length; i++) {
    starts.push(pos);
    pos += lines[i]!.length + 1;
  }
  const isFrame = (k: number) => k >= 0 && FRAME_RE.test(lines[k]!);
  const isMarker = (k: number) => k >= 0 && TRUNCATION_MARKER_RE.test(lines[k]!);

  const runtimeLines: string[] = [];
  let cut = stdout.length;
  let trap: Trap | undefined;
  let framesTruncated = false;

  // The element after the final newline is empty; it is nobody's line.
  let last = lines.length - 1;
  if (lines[last] === '' && last > 0) last--;

  let scanDumps = true;
  const lastLine = lines[last] ?? '';
  let at = lastLine.startsWith(EXCEPTION) ? 0 : lastLine.lastIndexOf(EXCEPTION);
  // Mid-line only for a known trap message: "... Exception: foo" is too common in program output.
  if (at > 0 && trapKindOf(lastLine.slice(at)) === 'other') at = -1;
  if (at >= 0 && (!exitKnown || opts.exitCode === 1)) {
    const line = lastLine.slice(at);
    trap = { kind: trapKindOf(line), message: line };
    runtimeLines.push(line);
    cut = starts[last]! + at;
    // Glued to a program line without newline: no dump can sit in between.
    scanDumps = at === 0;
    last--;
  }

  const dumps: RawFrame[][] = [];
  let i = last;
  // A dump ends with an empty element (its closing newline) right after a frame line.
  while (scanDumps && i >= 1 && lines[i] === '' && (isFrame(i - 1) || (isMarker(i - 1) && isFrame(i - 2)))) {
    const found: DumpLine[] = [];
    let crossed = false;
    let j = i - 1;
    for (; j >= 0; j--) {
      if (isFrame(j)) {
        found.push({ line: j, frame: toFrame(lines[j]!, addressSpace) });
      } else if (isMarker(j) && isFrame(j - 1)) {
        crossed = true;
      } else {
        break;
      }
    }
    found.reverse();
    const startsAfterMarker = isMarker(j);
    if (!plausibleDump(found, startsAfterMarker)) break;
    framesTruncated ||= crossed || startsAfterMarker;
    dumps.push(found.map((d) => d.frame));
    const first = found[0]!.line;
    if (startsAfterMarker) {
      // The dump began in the omitted middle: keep the marker, the program may have lost output there too.
      cut = starts[first]!;
      break;
    }
    cut = Math.max(0, starts[first]! - 1);
    // The opening newline either ended an empty element (maybe the previous dump's) or a partial program line.
    if (j < 0 || lines[j] !== '') break;
    i = j - 1;
  }

  const frames: RawFrame[] = [];
  dumps.reverse().forEach((dump, thread) => {
    for (const f of dump) frames.push({ ...f, thread });
  });

  let programStdout = stdout.slice(0, cut);
  let loadError: string | undefined;
  if (!trap && frames.length === 0 && (!exitKnown || opts.exitCode === 255)) {
    const first = lines[0] ?? '';
    if (LOAD_ERROR_RE.test(first)) {
      loadError = first;
      runtimeLines.unshift(first);
      programStdout = stdout.slice(Math.min(stdout.length, first.length + 1));
    }
  }

  return {
    programStdout,
    runtimeLines,
    ...(trap ? { trap } : {}),
    frames,
    ...(loadError ? { loadError } : {}),
    framesTruncated,
  };
}

function toFrame(line: string, addressSpace: FrameAddressSpace): RawFrame {
  const m = FRAME_RE.exec(line)!;
  const name = m[3] ?? m[4]!;
  const frame: RawFrame = { index: Number(m[1]), name, thread: 0, addressSpace };
  if (m[2] !== undefined) frame.offset = Number.parseInt(m[2], 16);
  const fn = /^\$f(\d+)$/.exec(name);
  if (fn) frame.funcIndex = Number(fn[1]);
  return frame;
}

/** iwasm numbers every dump from #00 up, one by one; a run that does not is program text. */
function plausibleDump(found: DumpLine[], startsAfterMarker: boolean): boolean {
  if (found.length === 0) return false;
  if (!startsAfterMarker && found[0]!.frame.index !== 0) return false;
  for (let k = 1; k < found.length; k++) {
    const prev = found[k - 1]!;
    const cur = found[k]!;
    const adjacent = cur.line === prev.line + 1;
    if (adjacent ? cur.frame.index !== prev.frame.index + 1 : cur.frame.index <= prev.frame.index) return false;
  }
  return true;
}
