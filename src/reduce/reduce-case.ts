import fs from 'node:fs/promises';
import path from 'node:path';
import { ddmin } from './ddmin.ts';
import { recipeFiles } from './recipe-files.ts';
import { reduceSource } from './hierarchy.ts';
import type { CaseJudge, FileEdits } from './judge.ts';
import type { PythonAst } from './python-ast.ts';

export interface ReduceProgress {
  phase: string;
  /** The file being reduced and its current size. */
  file: string;
  lines: number;
  bytes: number;
  tests: number;
  compiles: number;
}

export interface ReduceCaseRequest {
  judge: CaseJudge;
  ast: PythonAst;
  recipeDir: string;
  scriptName: string;
  /** Where to resume from: the best edits of an interrupted run. */
  start?: FileEdits;
  parallel: number;
  signal?: AbortSignal;
  onProgress?: (p: ReduceProgress) => void;
  /** Called with each new best set of edits (saved for resuming). */
  onBest?: (edits: FileEdits) => Promise<void>;
}

/**
 * Shrinks a failing case: the script first (hierarchical delta debugging over its AST), then the
 * other files of the recipe (left out where the failure does not need them), then the sibling
 * modules it still needs, the same way as the script. Returns the edits of the smallest candidate.
 */
export async function reduceCase(req: ReduceCaseRequest): Promise<FileEdits> {
  let best: FileEdits = { ...req.start };
  const contentOf = async (rel: string) =>
    rel in best ? best[rel] : await fs.readFile(path.join(req.recipeDir, rel), 'utf8');
  const holds = async (edits: FileEdits) => (await req.judge.judge(edits)).holds;
  const progress = (phase: string, file: string, source: string) =>
    req.onProgress?.({
      phase,
      file,
      lines: source.split('\n').filter((l) => l.trim()).length,
      bytes: Buffer.byteLength(source),
      tests: req.judge.tests,
      compiles: req.judge.compiles,
    });
  const improve = async (edits: FileEdits) => {
    best = edits;
    await req.onBest?.(best);
  };
  const reduceFile = async (rel: string, phase: string) => {
    const source = await contentOf(rel);
    if (source === null || source === undefined) return;
    progress(phase, rel, source);
    const reduced = await reduceSource(source, (candidate) => holds({ ...best, [rel]: candidate }), req.ast, {
      parallel: req.parallel,
      ...(req.signal ? { signal: req.signal } : {}),
      onSmaller: async (smaller) => {
        await improve({ ...best, [rel]: smaller });
        progress(phase, rel, smaller);
      },
    });
    if (reduced !== source) await improve({ ...best, [rel]: reduced });
  };

  await reduceFile(req.scriptName, 'script');

  // files the failure does not need: all at once when possible, else delta debugging over them
  const others = (await recipeFiles(req.recipeDir)).filter((f) => f !== req.scriptName && best[f] !== null);
  if (others.length) {
    const leaveOut = (kept: string[]): FileEdits => ({
      ...best,
      ...Object.fromEntries(others.filter((f) => !kept.includes(f)).map((f) => [f, null])),
    });
    const kept = await ddmin(others, (subset) => holds(leaveOut(subset)), {
      parallel: req.parallel,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    if (kept.length < others.length) await improve(leaveOut(kept));
    for (const module of kept.filter((f) => f.endsWith('.py'))) await reduceFile(module, 'sibling module');
  }
  return best;
}
