import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

/**
 * The folders of `src/` from the bottom up: a file may import from its own folder and from folders
 * below it, never from one above. Mostly the order data flows (discover -> run -> compare ->
 * classify -> diagnose -> report), with these departures:
 * - `parse` sits below `tools`: the parsers are pure functions of a runtime's text, which the tool
 *   adapters call on what their processes printed.
 * - Below the stages, the tools each stage calls, one concern a folder: `process` (running a command
 *   under the guard, bounded capture, locks, cores), `toolchain` (setting up py2wasm and the WASI
 *   SDK), `wamr` (building iwasm variants from a checkout), `tools` (the adapters: py2wasm, CPython,
 *   the runtimes, the symbolizer) and `doctor` (which of them a run can use, and why not).
 * - `normalize` (the rules that rewrite both outputs before they are compared) right below
 *   `compare`, which normalizes, digests, masks and diffs with them.
 * - `run` sits above `compare` and `classify`: `run/pipeline.ts` drives those stages for each case.
 * - `indirect-call` (an instrumented copy of a module, run to read the table slot of a failing
 *   `call_indirect`, and what that slot held) below `diagnose`, whose indirect-call diagnostic uses it.
 * - `fix` (a patch to the py2wasm package for a diagnosed failure group, verified by re-running the
 *   cases) above `run` and `diagnose`, whose results it reads and whose pipeline it re-runs.
 * - `reduce` (shrinking a failing case by re-running it) above `run` and `diagnose`, whose stages it re-runs;
 *   `bisect` (judging each commit of a checkout by the same re-runs) above `reduce`.
 * - `history` above `report`: comparing two runs groups failures as the report does.
 * - `shards` (cases spread over test files by expected cost) right above `discover`: it reads only
 *   a discovered cookbook and an earlier run's records; the vitest plugin writes its files.
 * - `vitest` and `cli` are the two front ends; `index` is the package's entry.
 * Top-level files count as folders of their own name (`types.ts` is `types`).
 */
const LAYERS = [
  'types',
  'records',
  'config',
  'discover',
  'shards',
  'parse',
  'process',
  'toolchain',
  'wamr',
  'tools',
  'doctor',
  'normalize',
  'compare',
  'classify',
  'run',
  'indirect-call',
  'diagnose',
  'fix',
  'reduce',
  'bisect',
  'report',
  'history',
  'vitest',
  'cli',
  'index',
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every relative import of a file: static, type-only, side-effect, re-export and dynamic. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => path.resolve(path.dirname(file), s));
}

/** `tools/runtimes/iwasm.ts` -> `tools`; `types.ts` -> `types`. */
const topFolder = (file: string) =>
  path
    .relative(SRC, file)
    .split(path.sep)[0]!
    .replace(/\.(ts|mts)$/, '');

const edges = sourceFiles(SRC).flatMap((from) => importsOf(from).map((to) => ({ from, to })));
const rel = (f: string) => path.relative(SRC, f).split(path.sep).join('/');

/** Folder-level cycles: each strongly connected set of folders that import each other, with an import of each step. */
export function folderCycles(pairs: Array<{ from: string; to: string }>, folder: (f: string) => string): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of pairs) {
    const a = folder(from);
    const b = folder(to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  // Tarjan's strongly connected components
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('src/ import layers', () => {
  it('finds the imports it walks (the walk itself works)', () => {
    expect(edges.length).toBeGreaterThan(100);
    expect(edges.some((e) => rel(e.from) === 'report/reporter.ts' && rel(e.to) === 'config/provided.ts')).toBe(true); // a side-effect import
  });

  it('places every folder of src/ in the layer order', () => {
    const unplaced = [...new Set(sourceFiles(SRC).map(topFolder))].filter((f) => !LAYERS.includes(f));
    expect(unplaced, 'add new folders to LAYERS in test/unit/layers.test.ts, saying why there').toEqual([]);
  });

  it('has no import from a folder above the importing one', () => {
    const upward = edges
      .filter(({ from, to }) => LAYERS.indexOf(topFolder(to)) > LAYERS.indexOf(topFolder(from)))
      .map(({ from, to }) => `${rel(from)} imports ${rel(to)} (${topFolder(from)} is below ${topFolder(to)})`);
    expect(upward).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const cycles = folderCycles(edges, topFolder).map((c) => {
      const steps = edges.filter(
        (e) => c.includes(topFolder(e.from)) && c.includes(topFolder(e.to)) && topFolder(e.from) !== topFolder(e.to),
      );
      return `${c.join(' <-> ')}: ${steps.map((e) => `${rel(e.from)} -> ${rel(e.to)}`).join(', ')}`;
    });
    expect(cycles).toEqual([]);
  });

  it('has no cycle between files', () => {
    const cycles = folderCycles(edges, (f) => f).map((c) => c.map(rel).join(' <-> '));
    expect(cycles, 'move what both sides need into a file of its own').toEqual([]);
  });

  it('reports a cycle when there is one', () => {
    const f = (p: string) => path.join(SRC, p);
    const pairs = [
      { from: f('a/x.ts'), to: f('b/y.ts') },
      { from: f('b/y.ts'), to: f('c/z.ts') },
      { from: f('c/z.ts'), to: f('a/w.ts') },
      { from: f('c/z.ts'), to: f('d/v.ts') },
    ];
    expect(folderCycles(pairs, topFolder)).toEqual([['a', 'b', 'c']]);
  });
});
