// Which of the frames read at a trap is the case's own statement, and whether its line is the
// statement that was running. Nuitka sets a frame's `f_lineno` only before a call or an import
// (code_generation/LineNumberCodes.py), and a reused frame keeps the last one: a frame that
// trapped in an attribute lookup or an operator still shows the line of its last call.
import { pythonNameOf } from '../../parse/nuitka-names.ts';
import type { RawFrame } from '../../types.ts';
import type { FrameInMemory } from './memory.ts';

/** How a frame's line was known. */
export type LineSource =
  | 'instruction' // an interpreted frame: the line of its last instruction
  | 'call'; // a Nuitka frame in a call or an import, whose line Nuitka set just before it

export type OwnLine =
  | { ok: true; frame: FrameInMemory; line: number; lineSource: LineSource }
  | { ok: false; reason: string; frame?: FrameInMemory };

// What Nuitka's code calls for a call or an import: its CALL_*/IMPORT_* helpers, or the CPython
// call and import functions they inline into it (PyObject_Call, _PyObject_MakeTpCall, PyImport_*).
const CALL_OR_IMPORT_RE = /call|import/i;

/**
 * The innermost frame of the case's own files (`isOwnFile`) and its line, when the frames and the
 * trap's C stack (`cFrames`, innermost first, as the runtime printed them) show that line is the
 * statement in progress; otherwise why not.
 */
export function ownLineOf(
  frames: readonly FrameInMemory[],
  cFrames: readonly RawFrame[],
  isOwnFile: (file: string) => boolean,
): OwnLine {
  if (frames.length === 0)
    return {
      ok: false,
      reason:
        'the thread had no Python frame at the trap (Nuitka runs the statements that it assumes cannot fail, such as a module-level import of a module it knows, before it pushes the module frame)',
    };
  const index = frames.findIndex((f) => isOwnFile(f.file));
  if (index < 0)
    return { ok: false, reason: `none of the ${frames.length} Python frames at the trap is of the recipe's files` };
  const frame = frames[index]!;
  if (frame.line === undefined) return { ok: false, frame, reason: `the frame of ${frame.qualname} records no line` };
  if (!frame.compiled) return { ok: true, frame, line: frame.line, lineSource: 'instruction' };
  // it called the next frame, so its line was set for that call
  if (index > 0) return { ok: true, frame, line: frame.line, lineSource: 'call' };
  // the innermost frame: what its C function was calling when the trap came
  const nuitka = cFrames.findIndex((f) => f.name !== undefined && pythonNameOf(f.name) !== undefined);
  if (nuitka < 0)
    return { ok: false, frame, reason: "the trap's stack, as printed, shows no function Nuitka compiled" };
  const callee = nuitka > 0 ? cFrames[nuitka - 1]!.name : undefined;
  if (callee && CALL_OR_IMPORT_RE.test(callee)) return { ok: true, frame, line: frame.line, lineSource: 'call' };
  return {
    ok: false,
    frame,
    reason: `it trapped in ${callee ?? `${cFrames[nuitka]!.name} itself`}, not in a call or an import, and Nuitka records a frame's line only at those: the statement is in ${frame.qualname} (its last recorded line, ${frame.line}, may be an earlier statement)`,
  };
}
