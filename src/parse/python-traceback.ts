// Python tracebacks in a process's output: where each one is, its exception line, and which one
// ended the program (chained and `Exception ignored` blocks are told apart).

import { OBJECT_DUMP_START } from './python-object-dump.ts';

const linesOf = (text: string) => text.split(/\r\n|\r|\n/);

const TRACEBACK_HEADER = /^Traceback \(most recent call last\):?\s*$/;
const CHAIN_MARKERS = [
  /^During handling of the above exception, another exception occurred:\s*$/,
  /^The above exception was the direct cause of the following exception:\s*$/,
];
const IGNORED_MARKER = /^Exception ignored\b/;

export interface TracebackBlock {
  /** Index of the `Traceback (most recent call last):` line. */
  headerLine: number;
  /** Index and text of the exception line (`XxxError: message`), when the block has one. */
  exceptionLine?: number;
  exception?: string;
  /** Printed under `Exception ignored in ...` (or chained to such a block): not what ended the program. */
  ignored: boolean;
}

/** Finds every traceback in a stream, its exception line, and whether it is `Exception ignored` noise. */
export function findTracebacks(text: string): TracebackBlock[] {
  const lines = linesOf(text);
  const blocks: TracebackBlock[] = [];
  let prevIgnored = false;
  for (let i = 0; i < lines.length; i++) {
    if (!TRACEBACK_HEADER.test(lines[i]!)) continue;
    let p = i - 1;
    while (p >= 0 && !lines[p]!.trim()) p--;
    const before = p >= 0 ? lines[p]! : '';
    const chained = CHAIN_MARKERS.some((re) => re.test(before));
    const ignored: boolean = IGNORED_MARKER.test(before) || (chained && prevIgnored);
    const block: TracebackBlock = { headerLine: i, ignored };
    // Frames, source lines and carets are indented; the first line at column 0 is the exception.
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (!line.trim() || /^\s/.test(line)) continue;
      // a traceback cut short by the dump has no exception line of its own: the dump names the exception
      if (TRACEBACK_HEADER.test(line) || OBJECT_DUMP_START.test(line)) break;
      block.exceptionLine = j;
      block.exception = line.trimEnd();
      break;
    }
    blocks.push(block);
    prevIgnored = ignored;
  }
  return blocks;
}

/**
 * The exception that ended the program: the exception line of the last traceback that is not
 * `Exception ignored` noise (for a chain, the last one printed). Falls back to the last noise block.
 * `undefined` when the text holds no traceback; `null` when it holds one without an exception line.
 */
export function finalExceptionLine(text: string): string | null | undefined {
  const blocks = findTracebacks(text);
  if (blocks.length === 0) return undefined;
  const real = blocks.filter((b) => !b.ignored);
  const pick = [...(real.length ? real : blocks)].reverse().find((b) => b.exception !== undefined);
  return pick?.exception ?? null;
}
