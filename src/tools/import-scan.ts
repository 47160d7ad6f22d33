// What Python scripts import, read by the CPython the run needs anyway: one process
// (runners/scan_imports.py, `ast`) for many files, never one per case.

import path from 'node:path';
import { RUNNERS_DIR } from '../config/options.ts';
import { formatCommand, runProcess } from '../process/run.ts';

const IMPORT_SCANNER = path.join(RUNNERS_DIR, 'scan_imports.py');

export interface ImportRef {
  /** Dotted module name as written (`from x import y` gives `x`). */
  module: string;
  /** For `from x import a, b`: `x.a`, `x.b` (any may be a submodule). */
  names: string[];
  line: number;
  kind: 'import' | 'from' | 'dynamic';
}

export class ImportScanError extends Error {
  override name = 'ImportScanError';
  constructor(
    message: string,
    readonly command: string[],
    readonly exitCode: number | null,
    readonly output: string,
    /** False when the interpreter could not be started at all. */
    readonly started: boolean,
  ) {
    super(
      `${message}\ncommand: ${formatCommand(command)}\nexit code: ${exitCode ?? 'none'}${output ? `\n${output}` : ''}`,
    );
  }
}

export interface ImportScanOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The imports of each file, by path (as given), in source order. Throws ImportScanError. */
export async function scanImports(
  python: readonly string[],
  files: readonly string[],
  opts: ImportScanOptions,
): Promise<Map<string, ImportRef[]>> {
  const result = new Map<string, ImportRef[]>();
  if (files.length === 0) return result;
  const command = [...python, IMPORT_SCANNER, ...files];
  const run = await runProcess(command, {
    cwd: process.cwd(),
    timeoutMs: opts.timeoutMs,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
    capture: { headBytes: 64 << 20, tailBytes: 0 },
    signal: opts.signal,
  });
  const fail = (why: string) =>
    new ImportScanError(
      why,
      command,
      run.exitCode,
      [run.spawnError, run.stderr.text].filter(Boolean).join('\n'),
      !run.spawnError,
    );
  if (run.spawnError || run.exitCode !== 0 || run.stdout.truncated) throw fail('the import scan of the scripts failed');
  let entries: Array<{ imports?: ImportRef[]; error?: string }>;
  try {
    entries = JSON.parse(run.stdout.text) as typeof entries;
  } catch {
    throw fail('the import scan printed no JSON');
  }
  if (!Array.isArray(entries) || entries.length !== files.length)
    throw fail('the import scan answered for other files than asked');
  entries.forEach((entry, i) => {
    if (entry.error !== undefined || !Array.isArray(entry.imports))
      throw fail(`cannot scan ${files[i]}: ${entry.error ?? 'no result'}`);
    result.set(files[i]!, entry.imports);
  });
  return result;
}
