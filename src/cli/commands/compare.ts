// `vitest-py2wasm compare <old> <new> [--markdown out.md] [--target name]`
// <old>/<new>: a results.json, a report directory holding one, or legacy pickle file(s)/directory.
// Exit codes: 1 when any case regressed, 0 otherwise, 2 on bad input.

import pc from 'picocolors';
import writeFileAtomic from 'write-file-atomic';
import { CompareInputError, compareRuns } from '../../history/compare-runs.ts';
import { loadRunResults, RunResultsLoadError } from '../../history/load-run.ts';
import { renderComparisonMarkdown, renderComparisonTable } from '../../history/render-comparison.ts';
import { PickleImportError } from '../../history/pickle.ts';
import type { RunResults } from '../../types.ts';
import type { CommandIO } from './import-pickle.ts';

export type { CommandIO } from './import-pickle.ts';

export interface CompareCommandOptions {
  old: string;
  new: string;
  /** Also write the comparison as Markdown to this path. */
  markdown?: string;
  /** Compare only this target (a legacy import is compared against it). */
  target?: string;
  /** Colour the table; default: when stdout is a TTY that supports colour. */
  color?: boolean;
  /** Rows per section in the terminal table (default: all). */
  maxRows?: number;
  /** Largest results.json read, in bytes (default: the longest string Node holds, about 512 MiB). */
  maxBytes?: number;
}

async function load(which: string, p: string, io: CommandIO, maxBytes?: number): Promise<RunResults | undefined> {
  try {
    return await loadRunResults(p, maxBytes !== undefined ? { maxBytes } : {});
  } catch (err) {
    if (err instanceof RunResultsLoadError || err instanceof PickleImportError) {
      io.stderr.write(`compare: ${which} run: ${err.message}\n`);
      return undefined;
    }
    throw err;
  }
}

export async function compareCommand(args: CompareCommandOptions, io: CommandIO): Promise<number> {
  const oldRun = await load('old', args.old, io, args.maxBytes);
  const newRun = oldRun ? await load('new', args.new, io, args.maxBytes) : undefined;
  if (!oldRun || !newRun) return 2;
  let comparison;
  try {
    comparison = compareRuns(oldRun, newRun, args.target !== undefined ? { target: args.target } : {});
  } catch (err) {
    if (err instanceof CompareInputError) {
      io.stderr.write(`compare: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (comparison.pairs.length === 0) {
    io.stderr.write(
      `compare: nothing to compare: old run has targets [${comparison.unmatched.old.join(', ')}], new run has [${comparison.unmatched.new.join(', ')}]\n`,
    );
    return 2;
  }
  const color = args.color ?? (io.stdout.isTTY === true && pc.isColorSupported);
  io.stdout.write(renderComparisonTable(comparison, { color, maxRows: args.maxRows }));
  if (args.markdown) {
    try {
      await writeFileAtomic(args.markdown, renderComparisonMarkdown(comparison));
    } catch (err) {
      io.stderr.write(`compare: cannot write ${args.markdown}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  return comparison.regressed ? 1 : 0;
}
