// The report folder: checked when the run starts, so a folder that cannot be written stops the run
// before any case instead of losing its records at the end; and a place for the report when the
// folder breaks during the run anyway.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config/errors.ts';

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/**
 * Why the report cannot go to `dir`, or undefined. The folder, or the nearest folder on its way
 * that exists, must be a folder a new entry can be made in: a real write is tried, since as root
 * the permission bits say nothing.
 */
export function reportDirProblem(dir: string): string | undefined {
  let existing = dir;
  for (;;) {
    try {
      if (!fs.statSync(existing).isDirectory())
        return existing === dir ? `${dir} is a file, not a folder` : `${existing} is a file, so ${dir} cannot be made`;
      break;
    } catch (error) {
      const parent = path.dirname(existing);
      if ((code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') || parent === existing)
        return `${existing}: ${(error as Error).message}`;
      existing = parent;
    }
  }
  try {
    fs.rmdirSync(fs.mkdtempSync(path.join(existing, '.vitest-py2wasm-check-')));
    return undefined;
  } catch (error) {
    return `${existing} takes no new file (${code(error) ?? (error as Error).message})`;
  }
}

/** A report folder the run cannot write: the message says which and how to choose another. */
export function reportDirError(dir: string, problem: string): ConfigError {
  const error = new ConfigError(
    `the report folder cannot be written: ${problem}. Choose another with reportDir (PY2WASM_REPORT_DIR) or the reporter's outputDir.`,
  );
  // a mistake in the setup, not in this code: the frames (vitest's, the bundled config's) only hide the message
  error.stack = `${error.name}: ${error.message}`;
  return error;
}

/**
 * Writes the report to `dir`; when that fails (the folder broke during the run), to a fresh folder
 * of the OS temp dir. `dir` is where it went, if anywhere; `failure` says what happened.
 */
export async function writeWithFallback(
  dir: string,
  write: (dir: string) => Promise<void>,
): Promise<{ dir?: string; failure?: string }> {
  try {
    await write(dir);
    return { dir };
  } catch (error) {
    const why = `could not write the report to ${dir} (${(error as Error).message})`;
    try {
      const fallback = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vitest-py2wasm-report-'));
      await write(fallback);
      return { dir: fallback, failure: `${why}: this run's report is in ${fallback}` };
    } catch (fallbackError) {
      return { failure: `${why}, nor to the OS temp dir (${(fallbackError as Error).message})` };
    }
  }
}
