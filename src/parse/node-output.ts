import type { RawFrame, Trap } from '../types.ts';
import { trapKindOf } from './traps.ts';

export interface NodeWasiParseResult {
  /** The program's own stderr: node's warnings and the uncaught-error report removed. */
  programStderr: string;
  /** The error line node printed (`RuntimeError: unreachable`, `TypeError: WebAssembly.instantiate(): ...`). */
  runtimeLines: string[];
  trap?: Trap;
  /** Wasm frames of the uncaught error, innermost first (V8 shows at most 10 frames in all). */
  frames: RawFrame[];
}

const WARNING_RE = /^\(node:\d+\) (?:\[[\w-]+\] )?\w*Warning: /;
const WARNING_HINT_RE = /^\(Use `node --trace-\w+ \.\.\.` to show where the warning was created\)$/;
const TRAILER_RE = /^Node\.js v\d+\.\d+\.\d+/;
// Where node says the uncaught error was thrown; for wasm `wasm://wasm/<module>-<hash>:1`.
// Not anchored at the start: node writes it right after a program line that lacked its newline.
const HEADER_RE = /(?:wasm:\/\/wasm\/\S+|file:\/\/\S+|node:\S+):\d+$/;
const ERROR_LINE_RE = /^[A-Za-z_$][\w$.]*(?: \[[\w-]+\])?: /;
const STACK_LINE_RE = /^\s+(?:at |\.\.\. \d+ (?:more|lines))/;
const WASM_FRAME_RE = /^\s+at (?:(.*) \()?wasm:\/\/wasm\/([^:\s)]+):wasm-function\[(\d+)\]:0x([0-9a-fA-F]+)\)?$/;

/**
 * Parse the stderr of `node run-wasi.mjs P.wasm`: drop node's ExperimentalWarning, split off the
 * uncaught-error report that node prints last (header, error line, `at` frames, `Node.js vNN`),
 * and read the wasm frames (module byte offsets of the instruction itself).
 */
export function parseNodeWasiOutput(stderr: string): NodeWasiParseResult {
  const lines = stderr.split('\n');
  const keep = lines.map(() => true);
  for (let i = 0; i < lines.length; i++) {
    if (WARNING_RE.test(lines[i]!)) {
      keep[i] = false;
      if (i + 1 < lines.length && WARNING_HINT_RE.test(lines[i + 1]!)) keep[++i] = false;
    }
  }

  const block = findErrorBlock(lines, keep);
  const frames: RawFrame[] = [];
  const runtimeLines: string[] = [];
  let trap: Trap | undefined;
  let programEnd = lines.length; // first line (index) of the report
  let gluedPrefix = '';
  if (block) {
    programEnd = block.start;
    gluedPrefix = block.gluedPrefix;
    const errorLine = lines[block.errorLine]!;
    runtimeLines.push(errorLine);
    for (let i = block.errorLine + 1; i < lines.length; i++) {
      const m = WASM_FRAME_RE.exec(lines[i]!);
      if (!m) continue;
      frames.push(nodeFrame(frames.length, m));
    }
    if (/^RuntimeError: /.test(errorLine) || frames.length > 0) {
      trap = { kind: trapKindOf(errorLine), message: errorLine };
    }
  }

  let programStderr = '';
  for (let i = 0; i < programEnd; i++) {
    if (!keep[i]) continue;
    programStderr += lines[i]!;
    if (i < lines.length - 1) programStderr += '\n';
  }
  programStderr += gluedPrefix;
  return { programStderr, runtimeLines, ...(trap ? { trap } : {}), frames };
}

interface ErrorBlock {
  /** First line of the report (the header when there is one). */
  start: number;
  errorLine: number;
  /** Program text written just before the header without a newline. */
  gluedPrefix: string;
}

function findErrorBlock(lines: string[], keep: boolean[]): ErrorBlock | undefined {
  let trailer = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (line === '') continue;
    if (TRAILER_RE.test(line)) trailer = i;
    break;
  }
  // The header is the last unindented location line followed shortly by the error line.
  for (let h = (trailer >= 0 ? trailer : lines.length) - 1; h >= 0; h--) {
    const line = lines[h]!;
    if (!keep[h] || /^\s/.test(line)) continue;
    const m = HEADER_RE.exec(line);
    if (!m) continue;
    const errorLine = firstErrorLine(lines, h + 1, Math.min(lines.length, h + 6));
    if (errorLine < 0) continue;
    // A location line without the trailer only counts for wasm: `file:...:N` alone is too common.
    if (trailer < 0 && !m[0].startsWith('wasm://')) continue;
    return { start: h, errorLine, gluedPrefix: line.slice(0, m.index) };
  }
  if (trailer < 0) return undefined;
  // No header: the error line is the one above the `at` lines before the trailer.
  let i = trailer - 1;
  while (i >= 0 && (lines[i] === '' || STACK_LINE_RE.test(lines[i]!))) i--;
  if (i >= 0 && ERROR_LINE_RE.test(lines[i]!)) return { start: i, errorLine: i, gluedPrefix: '' };
  return { start: trailer, errorLine: trailer, gluedPrefix: '' };
}

function firstErrorLine(lines: string[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (ERROR_LINE_RE.test(lines[i]!)) return i;
  return -1;
}

function nodeFrame(index: number, m: RegExpExecArray): RawFrame {
  const [, label, urlName, funcIndex, offset] = m;
  // `output.wasm-0688d1be`: V8 names frames `<module>.<function>`; a module without a name is just the hash.
  const moduleName = /^(.*)-[0-9a-f]{8}$/.exec(urlName!)?.[1];
  let name = label;
  if (name !== undefined && moduleName && name.startsWith(`${moduleName}.`)) name = name.slice(moduleName.length + 1);
  const frame: RawFrame = {
    index,
    offset: Number.parseInt(offset!, 16),
    funcIndex: Number(funcIndex),
    thread: 0,
    addressSpace: 'module-offset',
  };
  if (name) frame.name = name;
  return frame;
}
