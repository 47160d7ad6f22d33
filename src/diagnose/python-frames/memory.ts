// The Python frames of the current thread, read from the linear memory a trapped instance left:
// `_PyRuntime.gilstate.tstate_current->cframe->current_frame`, then each frame's `previous`.
// A Nuitka frame is a frame object of its own type whose `f_lineno` Nuitka sets before each call
// and import; an interpreted frame (bytecode Nuitka did not compile) has only its last instruction,
// whose line the code's location table gives.
import { lineOfInstruction } from '../../parse/python-line-table.ts';
import type { CPythonLayout } from './layout.ts';

export interface FrameInMemory {
  /** `co_filename` as the wasm has it: `./example1.py`, `./functools.py`. */
  file: string;
  /** `co_qualname`: `counted`, `counted.<locals>.wrapper`, `<module>`. */
  qualname: string;
  /** `co_firstlineno`: a Nuitka frame starts there. */
  firstLine: number;
  /** Compiled by Nuitka (its own frame type), or interpreted bytecode. */
  compiled: boolean;
  /** A Nuitka frame's `f_lineno`; an interpreted frame's line of its last instruction. */
  line?: number;
}

/** Frames beyond this are not read: a deep recursion says nothing more at its thousandth frame. */
const MAX_FRAMES = 256;
/** A file name or qualname longer than this is not one. */
const MAX_NAME_CHARS = 4096;

export class MemoryReadError extends Error {
  override name = 'MemoryReadError';
}

/** Innermost first; empty when the thread has no frame (the trap came before any Python code ran). */
export function readPythonFrames(memory: Uint8Array, layout: CPythonLayout): FrameInMemory[] {
  const view = new DataView(memory.buffer, memory.byteOffset, memory.byteLength);
  const u32 = (address: number, what: string) => {
    if (address < 0 || address + 4 > memory.byteLength)
      throw new MemoryReadError(
        `${what} at 0x${address.toString(16)} is outside the memory (${memory.byteLength} bytes)`,
      );
    return view.getUint32(address, true);
  };
  const { offsets: o, addresses } = layout;
  const runtime = addresses._PyRuntime;
  const tstate = u32(
    runtime + o.pyruntimestate.gilstate + o._gilstate_runtime_state.tstate_current + o._Py_atomic_address._value,
    'the current thread state',
  );
  if (tstate === 0)
    throw new MemoryReadError('no current thread state: the runtime was not initialised or was finalised');
  const cframe = u32(tstate + o._ts.cframe, 'the thread state');
  let frame = cframe === 0 ? 0 : u32(cframe + o._PyCFrame.current_frame, 'the C frame');
  const frames: FrameInMemory[] = [];
  const seen = new Set<number>();
  while (frame !== 0 && frames.length < MAX_FRAMES) {
    if (seen.has(frame)) throw new MemoryReadError(`the frame chain loops at 0x${frame.toString(16)}`);
    seen.add(frame);
    const f = o._PyInterpreterFrame;
    const code = u32(frame + f.f_code, 'a frame');
    const object = u32(frame + f.frame_obj, 'a frame');
    const c = o.PyCodeObject;
    const firstLine = view.getInt32(checked(code + c.co_firstlineno, memory, 'a code object'), true);
    const compiled = object !== 0 && u32(object + o._object.ob_type, 'a frame object') !== addresses.PyFrame_Type;
    let line: number | undefined;
    if (compiled) line = view.getInt32(checked(object + o._frame.f_lineno, memory, 'a frame object'), true);
    else {
      // the last instruction, in 2-byte code units from the start of the code
      const unit = (u32(frame + f.prev_instr, 'a frame') - (code + c.co_code_adaptive)) / 2;
      line = lineOfInstruction(readBytes(u32(code + c.co_linetable, 'a code object')), firstLine, unit);
    }
    frames.push({
      file: readString(u32(code + c.co_filename, 'a code object')),
      qualname: readString(u32(code + c.co_qualname, 'a code object')),
      firstLine,
      compiled,
      ...(line !== undefined && line > 0 ? { line } : {}),
    });
    frame = u32(frame + f.previous, 'a frame');
  }
  return frames;

  function readBytes(object: number): Uint8Array {
    const size = u32(object + o.PyVarObject.ob_size, 'a bytes object');
    const start = checked(object + o.PyBytesObject.ob_sval, memory, 'a bytes object', size);
    return memory.subarray(start, start + size);
  }

  /** A compact str (every code object's names are): its text follows the header. */
  function readString(object: number): string {
    const length = u32(object + o.PyASCIIObject.length, 'a str');
    const state = u32(object + o.PyASCIIObject.state, 'a str');
    const bits = (b: { offset: number; size: number }) => (state >>> b.offset) & ((1 << b.size) - 1);
    const kind = bits(layout.stateBits.kind);
    if (!bits(layout.stateBits.compact) || ![1, 2, 4].includes(kind) || length > MAX_NAME_CHARS)
      throw new MemoryReadError(`the str at 0x${object.toString(16)} is not a compact string of a name`);
    const start =
      object + (bits(layout.stateBits.ascii) ? layout.sizes.PyASCIIObject : layout.sizes.PyCompactUnicodeObject);
    const bytes = memory.subarray(checked(start, memory, 'a str', length * kind), start + length * kind);
    if (kind === 1) return Buffer.from(bytes).toString('latin1');
    if (kind === 2) return Buffer.from(bytes).toString('utf16le');
    return String.fromCodePoint(...new Uint32Array(bytes.slice().buffer));
  }
}

function checked(address: number, memory: Uint8Array, what: string, size = 4): number {
  if (address < 0 || address + size > memory.byteLength)
    throw new MemoryReadError(
      `${what} at 0x${address.toString(16)} is outside the memory (${memory.byteLength} bytes)`,
    );
  return address;
}
