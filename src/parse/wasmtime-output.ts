import type { RawFrame, Trap } from '../types.ts';
import { trapKindOf } from './traps.ts';

export interface WasmtimeParseResult {
  /** The program's own stderr, wasmtime's error report removed. */
  programStderr: string;
  /** wasmtime's messages: the `Error:`/`Trap:` line and each `Caused by` entry, frames excluded. */
  runtimeLines: string[];
  trap?: Trap;
  /** At most 20 frames (wasmtime's limit), innermost first. */
  frames: RawFrame[];
}

const CLI_ERROR = 'Error: ';
// `  {i:>3}: {offset:#6x} - {module}!{func}`; the runtime unsets WASMTIME_BACKTRACE_DETAILS, so no `at file:line` lines follow
const FRAME_RE = /^\s*(\d+):\s+0x([0-9a-fA-F]+) - (.*)$/;
const CHAIN_RE = /^\s*\d+: (.*)$/;

/** Parse the wasmtime CLI's stderr: its `Error: failed to run main module` report, if any. */
export function parseWasmtimeOutput(stderr: string): WasmtimeParseResult {
  const lines = stderr.split('\n');
  const report = findCliReport(lines);
  if (!report) return { programStderr: stderr, runtimeLines: [], frames: [] };

  const programStderr =
    lines
      .slice(0, report.start)
      .map((l) => `${l}\n`)
      .join('') + report.gluedPrefix;
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
  return { programStderr, runtimeLines, trap, frames: body.frames };
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

function parseReportBody(lines: string[], from: number): { chain: string[]; frames: RawFrame[] } {
  const chain: string[] = [];
  const frames: RawFrame[] = [];
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === 'Stack backtrace:') break; // RUST_BACKTRACE: wasmtime's own Rust frames
    if (line === '' || line === 'Caused by:' || line.startsWith('note: ')) continue;
    const f = FRAME_RE.exec(line);
    if (f) {
      const { name, funcIndex } = splitFrameName(f[3]!);
      const frame: RawFrame = {
        index: frames.length,
        offset: Number.parseInt(f[2]!, 16),
        thread: 0,
        addressSpace: 'module-offset',
      };
      if (name !== undefined) frame.name = name;
      if (funcIndex !== undefined) frame.funcIndex = funcIndex;
      frames.push(frame);
      continue;
    }
    const c = CHAIN_RE.exec(line);
    chain.push((c ? c[1]! : line).trim());
  }
  return { chain, frames };
}

/** `output.wasm!getset_get` -> getset_get; `<unknown>!<wasm function 6>` -> index 6. */
function splitFrameName(text: string): { name?: string; funcIndex?: number } {
  const bang = /^([^!\s]+)!(.+)$/.exec(text);
  const fn = bang ? bang[2]! : text;
  const index = /^<wasm function (\d+)>$/.exec(fn);
  if (index) return { funcIndex: Number(index[1]) };
  return { name: fn };
}
