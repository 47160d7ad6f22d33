// A cursor over wasm bytes: LEB128 integers, names, bounds checked against a limit (a section's end).

export class WasmFormatError extends Error {
  override name = 'WasmFormatError';
}

/** Section ids of the binary format. */
export const SECTION = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

export class Reader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly limit: number,
  ) {}

  byte(): number {
    if (this.pos >= this.limit) throw new WasmFormatError(`unexpected end at 0x${this.pos.toString(16)}`);
    return this.bytes[this.pos++]!;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new WasmFormatError(`LEB128 too long at 0x${this.pos.toString(16)}`);
  }

  /** A signed LEB128 that fits a double exactly (i32 and s33 immediates). */
  s32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return b & 0x40 ? result - 2 ** shift : result;
    }
    throw new WasmFormatError(`LEB128 too long at 0x${this.pos.toString(16)}`);
  }

  /** Skip a LEB128 of any width (i64 constants). */
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new WasmFormatError(`LEB128 too long at 0x${this.pos.toString(16)}`);
  }

  name(): string {
    const len = this.u32();
    if (this.pos + len > this.limit)
      throw new WasmFormatError(`name runs past its section at 0x${this.pos.toString(16)}`);
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }

  skip(n: number): void {
    if (this.pos + n > this.limit) throw new WasmFormatError(`skip past the end at 0x${this.pos.toString(16)}`);
    this.pos += n;
  }

  /** Table and memory limits: flags, min, optional max. */
  skipLimits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 0x01) this.u32();
  }
}

/** Unsigned LEB128 encoding. */
export function encodeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Signed LEB128 encoding of an i32. */
export function encodeS32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}
