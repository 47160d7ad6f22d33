// Shadow-stack overflow. The C locals of a py2wasm module live on a stack in linear memory that
// wasm-ld sizes at 64 KiB by default (py2wasm passes no size) and places above the static data,
// growing down toward them: an overflow silently overwrites statics (Nuitka's `loader_entries`: a
// misleading `ModuleNotFoundError`, the `findEntry` assertion under --debug, or a trap elsewhere).
// The case is relinked with the stack placed first, where an overflow runs below address 0 and
// traps where it happens; then with bigger stacks until it passes its normal comparison. Only the
// link differs, so each relink costs about one compile with the C objects from the compiler cache.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { WasmRunVerdict } from '../../classify/wasm-verdict.ts';
import { displayFunction } from '../../parse/nuitka-names.ts';
import { readMemoryLayout, type ShadowStack } from '../../parse/wasm-memory-layout.ts';
import { codeName } from '../../records.ts';
import {
  CaseErrorCode,
  type DiagnosisDataByKind,
  type RawFrame,
  type RuntimeRun,
  type SymbolizedFrame,
} from '../../types.ts';
import { failureLine } from '../failure-line.ts';
import { formatBytes } from '../describe.ts';
import type { Diagnostic, DiagnosticContext } from '../types.ts';
import { isCompiledWasmFailure, sourcePath } from './common.ts';

/** wasm-ld puts the stack below the static data: an overflow runs below address 0 and traps. */
export const STACK_FIRST_FLAG = '-Wl,--stack-first';
/** wasm-ld's stack size (its default is 64 KiB). */
export const stackSizeFlag = (bytes: number): string => `-Wl,-z,stack-size=${bytes}`;
/** Bigger stacks tried, smallest first, each placed first as the fix places it. */
export const STACK_SIZES: readonly number[] = [1 << 20, 8 << 20];
/** What an overflow below address 0 traps with, whatever the runtime (trap kinds are normalized). */
const OVERFLOW_TRAP = 'out of bounds memory access';
const FRAMES_KEPT = 8;

type StackOverflowData = DiagnosisDataByKind['stack-overflow'];

interface Build {
  wasmPath: string;
  stack: ShadowStack;
  run: RuntimeRun;
}

export const stackOverflow: Diagnostic<'stack-overflow'> = {
  kind: 'stack-overflow',
  scope: 'group',
  version: 1,
  appliesTo: (record) => isCompiledWasmFailure(record),
  async run(ctx) {
    const plainWasm = ctx.record.compile!.wasmPath!;
    const plain = await stackOfModule(plainWasm);
    // a module whose stack already comes first traps on an overflow by itself
    const first =
      plain.placement === 'first'
        ? { wasmPath: plainWasm, stack: plain, run: ctx.record.wasm! }
        : await relink(ctx, 'the stack placed first');
    const trapsBelow = first.run.trap?.kind === OVERFLOW_TRAP;
    const data: StackOverflowData = {
      stack: plainStack(plain, first.stack),
      overflows: trapsBelow && plain.placement === 'after data' && ctx.record.wasm?.trap?.kind !== OVERFLOW_TRAP,
      stackFirst: outcome(await ctx.verdict(first.run), first.run),
      tried: [],
    };
    // the stack held: a bigger one changes nothing
    if (!trapsBelow) return data;
    Object.assign(data, await whereItTrapped(ctx, first));
    for (const size of STACK_SIZES.filter((s) => s > (first.stack.size ?? 0))) {
      const bigger = await relink(ctx, `a ${formatBytes(size)} stack placed first`, size);
      const verdict = await ctx.verdict(bigger.run);
      data.tried.push({ stackBytes: size, ...outcome(verdict, bigger.run) });
      if (verdict.code === CaseErrorCode.OK) {
        data.fixedBy = size;
        data.overflows = true;
        break;
      }
      // it no longer runs off the stack: what fails now is something else
      if (bigger.run.trap?.kind !== OVERFLOW_TRAP) break;
    }
    return data;
  },
};

/** The case compiled again with its stack placed first (and `size` bytes big), checked in the module, and run. */
async function relink(ctx: DiagnosticContext, what: string, size?: number): Promise<Build> {
  const linkFlags = [STACK_FIRST_FLAG, ...(size !== undefined ? [stackSizeFlag(size)] : [])];
  ctx.progress(`relinking with ${what}`);
  const compile = await ctx.compile({ linkFlags });
  if (!compile.wasmPath)
    throw new Error(
      `the relink with ${linkFlags.join(' ')} failed (exit ${compile.exitCode ?? 'none'}): ${compile.logTail.split('\n').at(-1) ?? ''}`,
    );
  const stack = await stackOfModule(compile.wasmPath);
  if (stack.placement !== 'first' || (size !== undefined && stack.size !== size))
    throw new Error(
      `the relink with ${linkFlags.join(' ')} did not move the stack (its top is ${stack.top}, ${stack.placement}): this py2wasm does not pass LDFLAGS to its link`,
    );
  ctx.progress(`running the build with ${what}`);
  return { wasmPath: compile.wasmPath, stack, run: await ctx.runWasm({ wasmPath: compile.wasmPath }) };
}

async function stackOfModule(wasmPath: string): Promise<ShadowStack> {
  const bytes = await fs.readFile(wasmPath).catch((error: Error) => {
    throw new Error(`cannot read ${path.basename(wasmPath)}: ${error.message}`);
  });
  const stack = readMemoryLayout(bytes).stack;
  if (!stack) throw new Error(`${path.basename(wasmPath)} has no stack pointer global starting at a constant`);
  return stack;
}

/** The plain build's stack; above the data its size is the stack-first relink's (the same link, placed elsewhere). */
function plainStack(plain: ShadowStack, first: ShadowStack): StackOverflowData['stack'] {
  const size =
    plain.size !== undefined
      ? { size: plain.size, sizeFrom: 'module' as const }
      : first !== plain && first.size !== undefined
        ? { size: first.size, sizeFrom: 'stack-first relink' as const }
        : {};
  return {
    placement: plain.placement,
    top: plain.top,
    ...size,
    ...(plain.aboveData !== undefined ? { aboveData: plain.aboveData } : {}),
  };
}

function outcome(verdict: WasmRunVerdict, run: RuntimeRun): StackOverflowData['stackFirst'] {
  if (verdict.code === CaseErrorCode.OK) return { codeName: 'OK' };
  const change = verdict.comparison?.firstChange;
  const failure =
    verdict.code === CaseErrorCode.DIFFERENT_RESULT
      ? `output differs${change ? `: ${JSON.stringify(change.removed ?? '')} -> ${JSON.stringify(change.added ?? '')}` : ''}`
      : failureLine(run).line;
  return { codeName: codeName(verdict.code), failure };
}

/** The trapping frames of the stack-first build, named; from Node's WASI when the runtime printed none. */
async function whereItTrapped(
  ctx: DiagnosticContext,
  build: Build,
): Promise<Pick<StackOverflowData, 'frames' | 'framesFrom'>> {
  let frames = build.run.frames;
  let from = build.run.runtime;
  if (frames.length === 0) {
    ctx.progress('running the stack-first build under Node for its frames');
    const rerun = await ctx.runWasm({ wasmPath: build.wasmPath, nodeWasi: true });
    if (rerun.trap?.kind === OVERFLOW_TRAP) {
      frames = rerun.frames;
      from = `node (${build.run.runtime} printed no frames)`;
    }
  }
  if (frames.length === 0) return {};
  const top = frames.filter((f) => f.thread === 0).slice(0, FRAMES_KEPT);
  let named: Array<RawFrame | SymbolizedFrame> = top;
  try {
    named = await ctx.symbolize(build.wasmPath, top);
  } catch {
    // no symbolizer: the names the runtime printed
  }
  return { frames: named.map(frameText), framesFrom: from };
}

function frameText(frame: RawFrame | SymbolizedFrame): string {
  const loc = 'locations' in frame ? frame.locations[0] : undefined;
  const raw = 'raw' in frame ? frame.raw : frame;
  const name = loc?.function ?? raw.name ?? `func[${raw.funcIndex ?? '?'}]`;
  const file = loc?.file ? ` (${sourcePath(loc.file)}${loc.line ? `:${loc.line}` : ''})` : '';
  return `${displayFunction(name)}${file}`;
}
