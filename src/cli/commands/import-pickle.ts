// `vitest-py2wasm import-pickle <dir or files...> [--out results.json]`
// Converts the old manual functional-test run's chapter_N_result.pkl files into a results.json (source 'pickle',
// target 'legacy'). Without --out the JSON goes to stdout.

import writeFileAtomic from 'write-file-atomic';
import { importPickles, PickleImportError } from '../../history/pickle.ts';
import type { RunResults } from '../../types.ts';

/** Where a command writes; process.stdout/stderr fit, so does a string collector in tests. */
export interface CommandIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
}

export interface ImportPickleOptions {
  /** Pickle files, or directories holding chapter_N_result.pkl. */
  inputs: string[];
  /** Output path of the results.json; stdout when absent. */
  out?: string;
}

/** Exit codes: 0 written, 2 bad input (unreadable, corrupt, truncated, foreign pickle), 1 write failure. */
export async function importPickleCommand(args: ImportPickleOptions, io: CommandIO): Promise<number> {
  if (args.inputs.length === 0) {
    io.stderr.write('import-pickle: give a directory of chapter_N_result.pkl or pickle files\n');
    return 2;
  }
  let results: RunResults;
  try {
    results = await importPickles(args.inputs);
  } catch (err) {
    if (err instanceof PickleImportError) {
      io.stderr.write(`import-pickle: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const chapters = new Set(results.records.map((r) => r.chapter)).size;
  const line = `imported ${results.records.length} cases from ${chapters} chapter${chapters === 1 ? '' : 's'}`;
  if (args.out === undefined || args.out === '-') {
    io.stdout.write(json);
    io.stderr.write(`${line}\n`);
    return 0;
  }
  try {
    await writeFileAtomic(args.out, json);
  } catch (err) {
    io.stderr.write(`import-pickle: cannot write ${args.out}: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`${line} -> ${args.out}\n`);
  return 0;
}
