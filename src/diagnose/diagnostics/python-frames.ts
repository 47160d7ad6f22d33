// The case's own Python line at a trap, at the cost of a run: its wasm re-run under Node's WASI,
// whose trapped instance's memory still holds CPython's thread state and Nuitka's frames (see
// python-frames/). Every case gets it, whichever case its failure group's diagnosis came from.
import fs from 'node:fs/promises';
import path from 'node:path';
import { placeWasm } from '../../run/scratch.ts';
import type { DiagnosisDataByKind } from '../../types.ts';
import { readCPythonLayout, type CPythonLayout } from '../python-frames/layout.ts';
import type { FrameInMemory } from '../python-frames/memory.ts';
import { ownLineOf } from '../python-frames/own-line.ts';
import { readFramesAtTrap } from '../python-frames/read-at-trap.ts';
import type { Diagnostic, DiagnosticContext } from '../types.ts';
import { isCompiledWasmFailure, moduleOfFile, remaining } from './common.ts';

/** The program's own output is not the point: keep little of it. */
const RUN_CAPTURE = { headBytes: 16 << 10, tailBytes: 64 << 10 };
const DWARFDUMP_TIMEOUT_MS = 120_000;

type Data = DiagnosisDataByKind['python-frames'];

export const pythonFrames: Diagnostic<'python-frames'> = {
  kind: 'python-frames',
  scope: 'case',
  version: 1,
  appliesTo: (record) => isCompiledWasmFailure(record) && record.wasm?.trap !== undefined,
  async run(ctx) {
    if (!ctx.dwarfdump) throw new Error('llvm-dwarfdump not found (it reads where CPython keeps its frames)');
    const wasmPath = ctx.record.compile!.wasmPath!;
    ctx.progress('reading the Python frames at the trap (a re-run under node)');
    const wasmFile = `${ctx.record.example}.wasm`;
    await placeWasm(wasmPath, path.join(ctx.scratchDir, wasmFile));
    const layout = await layoutOf(wasmPath, ctx);
    const { frames, run } = await readFramesAtTrap({
      node: ctx.node,
      layout,
      cwd: ctx.scratchDir,
      wasmFile,
      env: ctx.guestEnv,
      timeoutMs: remaining(ctx),
      capture: RUN_CAPTURE,
      signal: ctx.signal,
    });
    // the names the wasm has (`./example1.py`), as the recipe's files
    const fileOf = (f: FrameInMemory) => f.file.replace(/^(\.\/)+/, '');
    const ownFiles = new Set<string>();
    for (const file of new Set(frames.map(fileOf)))
      if (await isFile(path.join(ctx.scratchDir, file))) ownFiles.add(file);
    const functionOf = (f: FrameInMemory) => `${moduleOfFile(fileOf(f), ctx.scriptName)}.${f.qualname}`;
    const own = ownLineOf(frames, run.frames, (file) => ownFiles.has(file.replace(/^(\.\/)+/, '')));
    const data: Data = {
      runtime: 'node',
      frames: frames.map((f) => ({
        file: fileOf(f),
        function: functionOf(f),
        ...(f.line !== undefined ? { line: f.line } : {}),
        compiled: f.compiled,
      })),
    };
    if (!own.ok) return { ...data, notFound: own.reason };
    const file = fileOf(own.frame);
    const source = (await fs.readFile(path.join(ctx.scratchDir, file), 'utf8').catch(() => undefined))
      ?.split('\n')
      [own.line - 1]?.trim();
    return {
      ...data,
      own: {
        file,
        line: own.line,
        ...(source !== undefined ? { source } : {}),
        function: functionOf(own.frame),
        lineSource: own.lineSource,
      },
    };
  },
};

const isFile = (file: string) =>
  fs.stat(file).then(
    (st) => st.isFile(),
    () => false,
  );

// one module's layout serves its every run in this process (two targets of one compile, a watch session)
const layouts = new Map<string, Promise<CPythonLayout>>();
const MAX_LAYOUTS = 16;

async function layoutOf(wasmPath: string, ctx: DiagnosticContext): Promise<CPythonLayout> {
  const st = await fs.stat(wasmPath);
  const key = `${wasmPath}\0${st.size}\0${st.mtimeMs}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = readCPythonLayout(wasmPath, {
      dwarfdump: ctx.dwarfdump!,
      workDir: ctx.scratchDir,
      timeoutMs: DWARFDUMP_TIMEOUT_MS,
      signal: ctx.signal,
    });
    if (layouts.size >= MAX_LAYOUTS) layouts.delete(layouts.keys().next().value!);
    layouts.set(key, layout);
    // a failed read is tried again next time
    layout.catch(() => layouts.delete(key));
  }
  return layout;
}
