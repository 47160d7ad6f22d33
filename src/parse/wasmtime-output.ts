import type { RawFrame, Trap } from '../types.ts';
import type { SourceLocation, SymbolizedFrame } from '../tools/symbolizer.ts';
import { trapKindOf } from './traps.ts';

export interface WasmtimeParseResult {
  /** The program's own stderr, wasmtime's error report removed. */
  programStderr: string;
  /** wasmtime's messages: the `Error:`/`Trap:` line and each `Caused by` entry, frames excluded. */
  runtimeLines: string[];
  trap?: Trap;
  /** At most 20 frames (wasmtime's limit), innermost first. */
  frames: RawFrame[];
  /**
   * Only with `WASMTIME_BACKTRACE_DETAILS=1`: wasmtime's own DWARF view of the same frames,
   * inline chains innermost first; frames without DWARF keep their name only.
   */
  symbolized?: SymbolizedFrame[];
  /** `cli`: `wasmtime run`; `python`: a wasmtime-py traceback ending in `wasmtime._trap.Trap`. */
  flavor: 'cli' | 'python' | 'none';
}

const CLI_ERROR = 'Error: ';
const PY_TRAP_RE = /^wasmtime\._trap\.Trap: /;
const PY_TRACEBACK = 'Traceback (most recent call last):';
// `  {i:>3}: {offset:#6x} - {module}!{func}` (module part absent with BACKTRACE_DETAILS and DWARF)
const FRAME_RE = /^\s*(\d+):\s+0x([0-9a-fA-F]+) - (.*)$/;
const DETAIL_AT_RE = /^\s+at (.+)$/;
const DETAIL_INLINE_RE = /^\s+- (.+)$/;
const CHAIN_RE = /^\s*\d+: (.*)$/;

/** Parse wasmtime's stderr: the CLI's `Error: failed to run main module` report, or wasmtime-py's traceback. */
export function parseWasmtimeOutput(stderr: string): WasmtimeParseResult {
  const lines = stderr.split('\n');
  const cli = findCliReport(lines);
  const py = cli ? undefined : findPythonReport(lines);
  const report = cli ?? py;
  if (!report) return { programStderr: stderr, runtimeLines: [], frames: [], flavor: 'none' };

  const programStderr = lines.slice(0, report.start).map((l) => `${l}\n`).join('') + report.gluedPrefix;
  const body = parseReportBody(lines, report.bodyStart);
  const runtimeLines = [report.headline, ...body.chain];
  const trapLine = body.chain.find((c) => /^wasm trap: /.test(c));
  let trap: Trap | undefined;
  if (trapLine) trap = { kind: trapKindOf(trapLine), message: trapLine };
  else if (body.frames.length > 0) {
    // A backtrace without a `wasm trap:` cause: still a trap, of a kind we may not know.
    const last = body.chain[body.chain.length - 1] ?? report.headline;
    trap = { kind: trapKindOf(last), message: last };
  }
  return {
    programStderr,
    runtimeLines,
    ...(trap ? { trap } : {}),
    frames: body.frames,
    ...(body.symbolized ? { symbolized: body.symbolized } : {}),
    flavor: cli ? 'cli' : 'python',
  };
}

interface Report {
  start: number;
  bodyStart: number;
  headline: string;
  gluedPrefix: string;
}

function findCliReport(lines: string[]): Report | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    // anyhow's layout: `Error: msg`, empty line, `Caused by:`. The program may have left a line unfinished.
    const causeFollows = lines[i + 1] === '' && lines[i + 2] === 'Caused by:';
    let at = -1;
    if (causeFollows) {
      at = line.lastIndexOf(`${CLI_ERROR}failed to `);
      if (at < 0) at = line.startsWith(CLI_ERROR) ? 0 : -1;
    } else if (line.startsWith(`${CLI_ERROR}failed to run main module`)) {
      at = 0;
    }
    if (at < 0) continue;
    return { start: i, bodyStart: i + 1, headline: line.slice(at), gluedPrefix: line.slice(0, at) };
  }
  return undefined;
}

function findPythonReport(lines: string[]): Report | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!PY_TRAP_RE.test(lines[i]!)) continue;
    for (let t = i - 1; t >= 0; t--) {
      const at = lines[t]!.lastIndexOf(PY_TRACEBACK);
      if (at < 0 || at + PY_TRACEBACK.length !== lines[t]!.length) continue;
      return { start: t, bodyStart: i + 1, headline: lines[i]!, gluedPrefix: lines[t]!.slice(0, at) };
    }
    return { start: i, bodyStart: i + 1, headline: lines[i]!, gluedPrefix: '' };
  }
  return undefined;
}

interface Body {
  chain: string[];
  frames: RawFrame[];
  symbolized?: SymbolizedFrame[];
}

function parseReportBody(lines: string[], from: number): Body {
  const chain: string[] = [];
  const frames: RawFrame[] = [];
  const symbols: SourceLocation[][] = [];
  let details = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'Stack backtrace:') break; // RUST_BACKTRACE: wasmtime's own Rust frames
    if (line === '' || line === 'Caused by:' || line.startsWith('note: ')) continue;
    const f = FRAME_RE.exec(line);
    if (f) {
      const { name, funcIndex } = splitFrameName(f[3]!);
      const frame: RawFrame = { index: frames.length, offset: Number.parseInt(f[2]!, 16), thread: 0, addressSpace: 'module-offset' };
      if (name !== undefined) frame.name = name;
      if (funcIndex !== undefined) frame.funcIndex = funcIndex;
      frames.push(frame);
      symbols.push([{ function: name ?? `$f${funcIndex ?? '?'}`, inlined: false }]);
      continue;
    }
    const current = symbols[symbols.length - 1];
    const at = DETAIL_AT_RE.exec(line);
    if (at && current) {
      details = true;
      Object.assign(current[current.length - 1]!, parseFileLine(at[1]!));
      continue;
    }
    const inline = DETAIL_INLINE_RE.exec(line);
    if (inline && current) {
      current.push({ function: splitFrameName(inline[1]!).name ?? inline[1]!, inlined: false });
      continue;
    }
    const c = CHAIN_RE.exec(line);
    chain.push((c ? c[1]! : line).trim());
  }
  if (!details) return { chain, frames };
  const symbolized = frames.map((raw, k): SymbolizedFrame => {
    const locs = symbols[k]!.map((l, n, all) => ({ ...l, inlined: n < all.length - 1 }));
    // The wasm function is the outermost of the inline chain.
    const outer = locs[locs.length - 1]!;
    if (locs.length > 1) raw.name = outer.function;
    const hasDwarf = locs.some((l) => l.file !== undefined);
    return { raw, locations: locs, assumed: 'module-offset', ...(hasDwarf ? {} : { note: 'no DWARF for this frame (wasmtime); name only' }) };
  });
  return { chain, frames, symbolized };
}

/** `output.wasm!getset_get` -> getset_get; `<unknown>!<wasm function 6>` -> index 6. */
function splitFrameName(text: string): { name?: string; funcIndex?: number } {
  const bang = /^([^!\s]+)!(.+)$/.exec(text);
  const fn = bang ? bang[2]! : text;
  const index = /^<wasm function (\d+)>$/.exec(fn);
  if (index) return { funcIndex: Number(index[1]) };
  return { name: fn };
}

function parseFileLine(text: string): Pick<SourceLocation, 'file' | 'line' | 'column'> {
  const m = /^(.+?)(?::(\d+)(?::(\d+))?)?$/.exec(text)!;
  const out: Pick<SourceLocation, 'file' | 'line' | 'column'> = { file: m[1]! };
  if (m[2] !== undefined && Number(m[2]) > 0) out.line = Number(m[2]);
  if (m[3] !== undefined && Number(m[3]) > 0) out.column = Number(m[3]);
  return out;
}
