// Where two long streams first differ, from digests alone: a stream's normalized lines are hashed in
// segments of `segmentLines` lines, at most MAX_SEGMENTS of them; when they would be more, each pair
// is hashed into one and segments hold twice the lines. Two streams' lists are brought to the same
// segment size the same way, so the first segment that differs holds the first line that differs.

import crypto from 'node:crypto';

export const MAX_SEGMENTS = 1024;

/** The 64-bit digest (hex) segments are named by. */
const short = (data: crypto.BinaryLike) => crypto.createHash('sha256').update(data).digest('hex').slice(0, 16);

/** One coarser level: each pair of segments hashed into one (a last odd one hashed alone). */
export function mergePairs(segments: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < segments.length; i += 2) out.push(short(segments[i]! + (segments[i + 1] ?? '')));
  return out;
}

export class SegmentDigests {
  segmentLines = 1;
  readonly segments: string[] = [];
  /** Whole lines seen; a last line without its newline is counted by `lines`. */
  private completeLines = 0;
  private current = crypto.createHash('sha256');
  private currentLines = 0;
  /** Bytes in the current segment; whether the last byte seen was not a newline. */
  private currentBytes = 0;
  private openLine = false;

  /** Adds bytes of the normalized stream (lines may be cut anywhere between calls). */
  add(bytes: Buffer): void {
    if (bytes.length) this.openLine = bytes[bytes.length - 1] !== 0x0a;
    let start = 0;
    while (start < bytes.length) {
      let end = start;
      while (this.currentLines < this.segmentLines) {
        const newline = bytes.indexOf(0x0a, end);
        if (newline < 0) break;
        end = newline + 1;
        this.currentLines++;
      }
      if (this.currentLines < this.segmentLines) {
        this.current.update(bytes.subarray(start));
        this.currentBytes += bytes.length - start;
        return;
      }
      this.current.update(bytes.subarray(start, end));
      this.currentBytes += end - start;
      this.completeLines += this.currentLines;
      this.segments.push(this.current.digest('hex').slice(0, 16));
      this.current = crypto.createHash('sha256');
      this.currentLines = 0;
      this.currentBytes = 0;
      if (this.segments.length === MAX_SEGMENTS) {
        this.segments.splice(0, MAX_SEGMENTS, ...mergePairs(this.segments));
        this.segmentLines *= 2;
      }
      start = end;
    }
  }

  /** The segments with the last, partial one; the stream's line count. */
  finish(): { segments: string[]; segmentLines: number; lines: number } {
    return {
      segments:
        this.currentBytes > 0 ? [...this.segments, this.current.digest('hex').slice(0, 16)] : [...this.segments],
      segmentLines: this.segmentLines,
      lines: this.completeLines + this.currentLines + (this.openLine ? 1 : 0),
    };
  }
}

export interface SegmentedStream {
  lines: number;
  segmentLines: number;
  segments: readonly string[];
}

/**
 * Where two different streams first differ: the lines (1-based, inclusive) of the first segment that
 * differs once both lists have the same segment size, or undefined when every segment is the same.
 */
export function firstDifferingLines(
  a: SegmentedStream,
  b: SegmentedStream,
): { fromLine: number; toLine: number } | undefined {
  const x = { segmentLines: a.segmentLines, segments: [...a.segments] };
  const y = { segmentLines: b.segmentLines, segments: [...b.segments] };
  while (x.segmentLines !== y.segmentLines) {
    const finer = x.segmentLines < y.segmentLines ? x : y;
    if (finer.segmentLines > 2 ** 40) return undefined; // sizes not powers of two of each other: not from SegmentDigests
    finer.segments = mergePairs(finer.segments);
    finer.segmentLines *= 2;
  }
  const size = x.segmentLines;
  const count = Math.max(x.segments.length, y.segments.length);
  for (let i = 0; i < count; i++) {
    if (x.segments[i] === y.segments[i]) continue;
    return { fromLine: i * size + 1, toLine: Math.min((i + 1) * size, Math.max(a.lines, b.lines, 1)) };
  }
  return undefined;
}
