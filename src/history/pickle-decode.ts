// Decoding one result file of the old manual functional-test run: `chapter_{i}_result.pkl`, each a pickled
// `Dict[str, CaseResult]` where `CaseResult(error_code: CaseErrorCode, msg: str)` and
// `CaseErrorCode(IntEnum)` were defined in that run's own script (module `__main__`).
//
// The pickles are read with `pickleparser` (pure JS, no code execution): only the two names that
// script defined (any module), `copyreg._reconstructor` and `object` (protocol 0/1) resolve to something we
// understand; any other global becomes an inert placeholder and makes the file "foreign".

import { BufferReader, NameRegistry, Parser } from 'pickleparser';
import { codeNameOf } from '../records.ts';
import type { CaseErrorCode } from '../types.ts';

export type PickleImportReason =
  /** the path could not be read / listed */
  | 'io'
  /** a directory without any chapter_N_result.pkl */
  | 'no-pickles'
  /** no chapter number in the file name */
  | 'bad-name'
  | 'empty'
  /** does not look like a pickle at all */
  | 'not-pickle'
  /** ends before the pickle's STOP opcode */
  | 'truncated'
  /** looks like a pickle but cannot be decoded */
  | 'corrupt'
  /** a valid pickle of something else than Dict[str, CaseResult] */
  | 'foreign'
  /** the same chapter/case twice across the given files */
  | 'duplicate';

export class PickleImportError extends Error {
  override readonly name = 'PickleImportError';
  constructor(
    readonly file: string,
    readonly reason: PickleImportReason,
    detail: string,
  ) {
    super(`${file}: ${reason}: ${detail}`);
  }
}

/** The old run's `CaseErrorCode` member as it comes out of REDUCE(CaseErrorCode, (n,)). */
class PyEnumMember {
  constructor(readonly value: CaseErrorCode) {}
}

/** The old run's `CaseResult`; its state arrives via BUILD. */
class PyCaseResult {
  error_code: unknown = undefined;
  msg: unknown = undefined;
  __setstate__(state: unknown): void {
    // protocol 2+ with __slots__ would give (dict, slots); the old run's class has a plain __dict__.
    const dicts = Array.isArray(state) ? state : [state];
    for (const d of dicts) {
      if (d instanceof Map) {
        if (d.has('error_code')) this.error_code = d.get('error_code');
        if (d.has('msg')) this.msg = d.get('msg');
      }
    }
  }
}

function toCode(value: unknown): CaseErrorCode {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || codeNameOf(n) === undefined) {
    throw new Error(`${String(value)} is not a valid CaseErrorCode`);
  }
  return n as CaseErrorCode;
}

/** Called by REDUCE (plain call) — also works if some writer used NEWOBJ (construct). */
function makeEnumMember(value: unknown): PyEnumMember {
  return new PyEnumMember(toCode(value));
}

/** copyreg._reconstructor(cls, base, state): protocol 0/1 spelling of `object.__new__(cls)`. */
function reconstructor(cls: unknown): unknown {
  if (cls === PyCaseResult) return new PyCaseResult();
  if (typeof cls === 'function') return Reflect.construct(cls, []);
  throw new Error('copyreg._reconstructor called with a non-class');
}

class LegacyNames extends NameRegistry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override resolve(module: string, name: string): any {
    const leaf = name.slice(name.lastIndexOf('.') + 1);
    if (leaf === 'CaseResult') return PyCaseResult;
    if (leaf === 'CaseErrorCode') return makeEnumMember;
    if ((module === 'copy_reg' || module === 'copyreg') && name === '_reconstructor') return reconstructor;
    if ((module === '__builtin__' || module === 'builtins') && name === 'object') return Object;
    return super.resolve(module, name);
  }
}

const OP_UNICODE = 0x56; // 'V': protocol 0 str, raw-unicode-escape encoded, newline terminated

/**
 * pickleparser reads protocol 0 UNICODE lines as plain ASCII; CPython writes them raw-unicode-escape
 * encoded (latin-1 bytes, `\uXXXX` / `\UXXXXXXXX` for backslash, newline and non-latin-1 chars).
 * A line read straight after the UNICODE opcode byte is decoded properly here.
 */
class LegacyReader extends BufferReader {
  private lastByte = -1;
  private readonly buf: Uint8Array;
  constructor(buf: Uint8Array) {
    super(buf);
    this.buf = buf;
  }
  override byte(): number {
    const b = super.byte();
    this.lastByte = b;
    return b;
  }
  override bytes(length: number): Uint8Array {
    this.lastByte = -1;
    return super.bytes(length) as Uint8Array;
  }
  override line(): string {
    const afterUnicodeOpcode = this.lastByte === OP_UNICODE;
    this.lastByte = -1;
    if (!afterUnicodeOpcode) return super.line();
    const start = this.position;
    const end = this.buf.indexOf(0x0a, start);
    if (end < 0) throw new Error('Could not find end of line.');
    const raw = Buffer.from(this.buf.buffer, this.buf.byteOffset + start, end - start).toString('latin1');
    this.skip(end - start + 1);
    return raw.replace(
      /\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g,
      (_m, u4: string | undefined, u8: string | undefined) => String.fromCodePoint(parseInt(u4 ?? u8 ?? '', 16)),
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'None';
  if (value instanceof Map) return 'dict';
  if (Array.isArray(value)) return 'list/tuple';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { __module__?: unknown; __name__?: unknown } | null;
    if (proto && typeof proto.__name__ === 'string') return `${String(proto.__module__)}.${proto.__name__}`;
    return 'object';
  }
  return typeof value;
}

/** Opcodes a protocol 0/1 pickle may start with (protocol 2+ starts with PROTO 0x80). */
const PROTO01_FIRST = new Set('(}]).NIFLSVXJKMGcdl'.split('').map((c) => c.charCodeAt(0)));

function classifyParseError(bytes: Uint8Array, err: unknown): { reason: PickleImportReason; detail: string } {
  const message = err instanceof Error ? err.message : String(err);
  const first = bytes[0]!;
  if (first === 0x80) {
    const version = bytes[1];
    if (version === undefined) return { reason: 'truncated', detail: 'file ends after the PROTO opcode' };
    if (version > 5) return { reason: 'not-pickle', detail: `pickle protocol ${version} is not supported (0-5)` };
  } else if (!PROTO01_FIRST.has(first)) {
    return {
      reason: 'not-pickle',
      detail: `does not start like a pickle (first byte 0x${first.toString(16).padStart(2, '0')})`,
    };
  }
  if (/end of file|end of line|outside the bounds/i.test(message) || bytes[bytes.length - 1] !== 0x2e /* STOP */) {
    return { reason: 'truncated', detail: `file ends before the pickle is complete (${message})` };
  }
  return { reason: 'corrupt', detail: `cannot decode pickle: ${message}` };
}

export interface LegacyCase {
  name: string;
  code: CaseErrorCode;
  msg: string;
}

/**
 * Decode one pickle file's bytes into the old run's cases, in the pickle's (dict insertion) order.
 * Throws PickleImportError (empty / not-pickle / truncated / corrupt / foreign).
 */
export function decodeChapterPickle(bytes: Uint8Array, file: string): LegacyCase[] {
  if (bytes.length === 0) throw new PickleImportError(file, 'empty', 'file is empty');
  const parser = new Parser({
    nameResolver: new LegacyNames(),
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  let top: unknown;
  try {
    top = parser.read<unknown>(new LegacyReader(bytes));
  } catch (err) {
    const { reason, detail } = classifyParseError(bytes, err);
    throw new PickleImportError(file, reason, detail);
  }
  if (!(top instanceof Map)) {
    throw new PickleImportError(
      file,
      'foreign',
      `top-level object is ${describe(top)}, expected dict of case name -> CaseResult`,
    );
  }
  // pickleparser's DICT opcode (hand-written protocol 0) assigns properties instead of Map entries.
  const entries: [unknown, unknown][] = [...top.entries(), ...Object.entries(top)];
  const cases: LegacyCase[] = [];
  for (const [key, value] of entries) {
    if (typeof key !== 'string') {
      throw new PickleImportError(file, 'foreign', `dict key ${describe(key)} is not a case name (str)`);
    }
    if (!(value instanceof PyCaseResult)) {
      throw new PickleImportError(
        file,
        'foreign',
        `value for ${JSON.stringify(key)} is ${describe(value)}, expected CaseResult`,
      );
    }
    const ec = value.error_code;
    let code: CaseErrorCode;
    try {
      code = toCode(ec instanceof PyEnumMember ? ec.value : ec);
    } catch {
      throw new PickleImportError(
        file,
        'foreign',
        `CaseResult ${JSON.stringify(key)} has error_code ${describe(ec)}, expected CaseErrorCode`,
      );
    }
    const msg = value.msg;
    if (msg !== null && msg !== undefined && typeof msg !== 'string') {
      throw new PickleImportError(
        file,
        'foreign',
        `CaseResult ${JSON.stringify(key)} has msg of type ${describe(msg)}, expected str`,
      );
    }
    cases.push({ name: key, code, msg: msg ?? '' });
  }
  return cases;
}
