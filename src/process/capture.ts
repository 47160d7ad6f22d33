import type { CaptureLimits, CapturedText } from '../types.ts';
import { truncationMarker } from '../parse/truncation.ts';
import { displayText, textFields } from '../records.ts';

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { headBytes: 1 << 20, tailBytes: 256 << 10 };

/**
 * Keeps the first `headBytes` and the last `tailBytes` of a stream, counting the rest,
 * so a trapping debug iwasm printing 40 MB never sits in memory whole.
 */
export class BoundedCapture {
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private tail: Buffer[] = [];
  private tailSize = 0;
  private total = 0;

  /** One byte more than the budget: it tells whether the kept tail starts at a line start. */
  private readonly tailLimit: number;

  constructor(private readonly limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS) {
    this.tailLimit = limits.tailBytes > 0 ? limits.tailBytes + 1 : 0;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headSize < this.limits.headBytes) {
      const take = Math.min(this.limits.headBytes - this.headSize, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headSize += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailLimit === 0) return;
    this.tail.push(Buffer.from(rest)); // copy: the stream may reuse its buffers
    this.tailSize += rest.length;
    // Trim whole chunks first, then compact once the tail holds twice its budget.
    while (this.tail.length > 1 && this.tailSize - this.tail[0]!.length >= this.tailLimit) {
      this.tailSize -= this.tail.shift()!.length;
    }
    if (this.tailSize > 2 * this.tailLimit) {
      const joined = Buffer.concat(this.tail);
      this.tail = [joined.subarray(joined.length - this.tailLimit)];
      this.tailSize = this.tailLimit;
    }
  }

  get totalBytes(): number {
    return this.total;
  }

  result(): CapturedText {
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.tailLimit) tail = tail.subarray(tail.length - this.tailLimit);
    const omitted = this.total - head.length - tail.length;
    if (omitted <= 0) {
      return {
        ...textFields(decodeExact(Buffer.concat([head, tail]))),
        bytes: this.total,
        truncated: false,
        omittedBytes: 0,
      };
    }
    // Cut at line boundaries so the marker stands on its own line.
    const headCut = lastNewline(head);
    const tailCut = tail.subarray(0, tail.length - 1).indexOf(0x0a);
    const headPart = headCut >= 0 ? head.subarray(0, headCut + 1) : head;
    const tailPart = tailCut >= 0 ? tail.subarray(tailCut + 1) : tail;
    const omittedBytes = this.total - headPart.length - tailPart.length;
    const exact = `${decodeExact(headPart)}${truncationMarker(omittedBytes, this.total)}\n${decodeExact(tailPart)}`;
    return { ...textFields(exact), bytes: this.total, truncated: true, omittedBytes };
  }
}

function lastNewline(buf: Buffer): number {
  return buf.lastIndexOf(0x0a);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 decode for display that never throws: valid runs decode as text, each undecodable byte becomes `\xNN`. */
export function decodeBytes(buf: Uint8Array): string {
  return displayText(decodeExact(buf));
}

/**
 * UTF-8 decode that never throws and loses nothing: valid runs decode as text, each undecodable byte
 * 0xNN becomes the lone surrogate U+DCNN (Python's surrogateescape), which no valid text decodes to.
 * Equal strings mean equal bytes.
 */
export function decodeExact(buf: Uint8Array): string {
  try {
    return decoder.decode(buf);
  } catch {
    return decodeLossless(buf);
  }
}

function decodeLossless(buf: Uint8Array): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const len = validSequenceLength(buf, i);
    if (len > 0) {
      i += len;
      continue;
    }
    out += decoder.decode(buf.subarray(start, i));
    out += String.fromCharCode(0xdc00 + buf[i]!);
    i += 1;
    start = i;
  }
  return out + decoder.decode(buf.subarray(start, i));
}

/** Length of the well-formed UTF-8 sequence at `i`, or 0 if the byte there starts none. */
function validSequenceLength(buf: Uint8Array, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = buf[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** A lone surrogate U+DC80..U+DCFF: an undecodable byte in exact text (with `u`, a valid pair never matches). */
const LONE_SURROGATE_RE = /[\udc80-\udcff]/u;

/**
 * Exact text as bytes for a digest, losing nothing: UTF-8, each lone surrogate as its own three bytes
 * (WTF-8), which no decoded text yields otherwise; concatenations encode as their parts do.
 */
export function encodeExact(exact: string): Buffer {
  if (!LONE_SURROGATE_RE.test(exact)) return Buffer.from(exact, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (const m of exact.matchAll(/[\udc80-\udcff]/gu)) {
    const cp = m[0].charCodeAt(0);
    parts.push(
      Buffer.from(exact.slice(start, m.index), 'utf8'),
      Buffer.from([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]),
    );
    start = m.index + 1;
  }
  parts.push(Buffer.from(exact.slice(start), 'utf8'));
  return Buffer.concat(parts);
}
