// A stream normalized as it arrives and reduced to digests (WholeStream), so two outputs too long to
// keep whole are still compared whole. The rules run on runs of whole lines of about a block, cut
// only where no built-in rule looks across: every built-in rule but traceback-source works within a
// line, and a run is never cut between a traceback frame line and the lines that rule drops after
// it. So the digest is the one of the whole text normalized at once, wherever the chunks ended. A
// user rule that matches across lines sees each run alone; a run with no such place for
// MAX_RUN_BLOCKS blocks is cut at a line end, and a line longer than that is normalized in pieces.

import crypto from 'node:crypto';
import path from 'node:path';
import { decodeExact, encodeExact } from '../process/capture.ts';
import type { StreamDigester, WholeStream } from '../types.ts';
import { normalize, type NormalizationRule, type NormalizeContext } from '../normalize/normalize.ts';
import { separateTracebackLines } from '../normalize/rules/traceback-source.ts';
import { SegmentDigests } from './segment-digests.ts';

const BLOCK_BYTES = 1 << 20;
const MAX_RUN_BLOCKS = 8;
/** Lines looked back at for a place to cut. */
const LOOK_BACK_LINES = 256;

/** Which rules normalize a stream and how: two digests are compared only when made the same way. */
export function normalizationKey(rules: readonly NormalizationRule[], ctx: NormalizeContext): string {
  const identity = rules.map((r) => [r.name, r.fingerprint ?? r.apply.toString()]);
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([identity, ctx.scriptName, ctx.wasmName ?? null]))
    .digest('hex')
    .slice(0, 16);
}

/**
 * How a case's side digests its stdout: normalized as the case's comparison will normalize it (its
 * scratch copy and the copy's private parent as `<scratch>`), and the key of that normalization.
 */
export function sideStdoutDigest(rules: readonly NormalizationRule[], copy: string, scriptName: string) {
  const ctx: NormalizeContext = { scratchDirs: [copy, path.dirname(copy)], scriptName };
  return { stdoutDigest: () => new StreamNormalizer(rules, ctx), normalizedBy: normalizationKey(rules, ctx) };
}

export class StreamNormalizer implements StreamDigester {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Where to look for a place to cut next: a block further on after a look that found none. */
  private nextFlush: number;
  private readonly sha = crypto.createHash('sha256');
  private readonly segments = new SegmentDigests();
  private readonly fired = new Set<string>();

  constructor(
    private readonly rules: readonly NormalizationRule[],
    private readonly ctx: NormalizeContext,
    private readonly blockBytes = BLOCK_BYTES,
  ) {
    this.nextFlush = blockBytes;
  }

  push(chunk: Buffer): void {
    this.pending.push(Buffer.from(chunk)); // copy: the stream may reuse its buffers
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.nextFlush) this.flush(false);
  }

  finish(): WholeStream {
    this.flush(true);
    const { segments, segmentLines, lines } = this.segments.finish();
    return {
      sha256: this.sha.digest('hex'),
      lines,
      normalizedBy: normalizationKey(this.rules, this.ctx),
      rulesFired: this.rules.map((r) => r.name).filter((n) => this.fired.has(n)),
      segmentLines,
      segments,
    };
  }

  private flush(final: boolean): void {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let cut = final ? buf.length : safeCut(buf);
    if (cut === 0 && buf.length >= MAX_RUN_BLOCKS * this.blockBytes) cut = forcedCut(buf);
    this.pending = cut < buf.length ? [buf.subarray(cut)] : [];
    this.pendingBytes = buf.length - cut;
    this.nextFlush = this.pendingBytes + this.blockBytes;
    if (cut > 0) this.addText(decodeExact(buf.subarray(0, cut)));
  }

  /** Exact text of whole lines (or the stream's end): normalized and summed up. */
  addText(exact: string): void {
    const { text, fired } = normalize(exact, this.rules, this.ctx);
    for (const name of fired) this.fired.add(name);
    const bytes = encodeExact(text);
    this.sha.update(bytes);
    this.segments.add(bytes);
  }
}

/** The WholeStream of an output kept whole, as its stream would have given. */
export function digestText(exact: string, rules: readonly NormalizationRule[], ctx: NormalizeContext): WholeStream {
  const normalizer = new StreamNormalizer(rules, ctx);
  normalizer.addText(exact);
  return normalizer.finish();
}

/** The end of the last line after which the stream may be cut (0: none among the last lines). */
function safeCut(buf: Buffer): number {
  let end = buf.lastIndexOf(0x0a);
  for (let looked = 0; end > 0 && looked < LOOK_BACK_LINES; looked++) {
    const start = buf.lastIndexOf(0x0a, end - 1);
    if (start < 0) return 0;
    const before = start > 0 ? buf.lastIndexOf(0x0a, start - 1) : -1;
    // as line-endings leaves them for traceback-source: `\r\n` is an empty line there
    const line = (from: number, to: number) => buf.toString('utf8', from, to).replace(/\r+$/, '');
    if (separateTracebackLines(line(before + 1, start), line(start + 1, end))) return start + 1;
    end = start;
  }
  return 0;
}

/** At the last line end, or in a line this long at a character's start (never inside a UTF-8 sequence). */
function forcedCut(buf: Buffer): number {
  const newline = buf.lastIndexOf(0x0a);
  if (newline >= 0) return newline + 1;
  let cut = buf.length;
  while (cut > 0 && (buf[cut - 1]! & 0xc0) === 0x80) cut--;
  return cut > 0 && buf[cut - 1]! >= 0xc0 ? cut - 1 : buf.length;
}
