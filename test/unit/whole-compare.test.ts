// Outputs too long to keep whole are compared whole: the digests made while they were captured
// decide, the diff shows the kept head and tail and says so (issue 19: "a false OK").
import { describe, expect, it } from 'vitest';
import { judgeWasmRun } from '../../src/classify/wasm-verdict.ts';
import { compareCaptured } from '../../src/compare/captured.ts';
import { normalize, resolveRules } from '../../src/normalize/normalize.ts';
import { firstDifferingLines, SegmentDigests } from '../../src/compare/segment-digests.ts';
import { digestText, StreamNormalizer } from '../../src/compare/stream-digest.ts';
import { BoundedCapture, decodeExact } from '../../src/process/capture.ts';
import { renderHtmlReport } from '../../src/report/html.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { CaseErrorCode, type CapturedText, type ProcessOutcome, type RuntimeRun } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

const rules = resolveRules({});
const ctx = { scratchDirs: ['/scratch/run1'], scriptName: 'example.py' };
const LIMITS = { headBytes: 16 << 10, tailBytes: 4 << 10 };

/** As runProcess captures a stdout: bounded, and digested whole in chunks of `chunk` bytes. */
function capture(output: Buffer, chunk = 4093, digest = true): CapturedText {
  const kept = new BoundedCapture(LIMITS);
  const digester = new StreamNormalizer(rules, ctx, 8 << 10);
  for (let i = 0; i < output.length; i += chunk) {
    kept.push(output.subarray(i, i + chunk));
    digester.push(output.subarray(i, i + chunk));
  }
  const result = kept.result();
  const whole = digester.finish();
  return result.truncated && digest ? { ...result, whole } : result;
}

const numbered = (n: number, changed?: number) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `line ${i + 1}: ${i + 1 === changed ? 'x' : i % 10}\n`).join(''));

const python = (stdout: CapturedText) => ({ stdout }) as ProcessOutcome;
const wasm = (programStdout: CapturedText) =>
  ({
    exitCode: 0,
    signal: null,
    timedOut: false,
    runtime: 'node',
    programStdout,
    runtimeLines: [],
    frames: [],
  }) as unknown as RuntimeRun;

describe('a comparison of outputs too long to keep whole', () => {
  it('finds a change in the part not kept: 20,000 lines, line 15,000 changed', async () => {
    const verdict = await judgeWasmRun(
      python(capture(numbered(20_000))),
      wasm(capture(numbered(20_000, 15_000), 5000)),
      rules,
      ctx,
    );
    expect(verdict.code).toBe(CaseErrorCode.DIFFERENT_RESULT);
    const { comparison } = verdict;
    expect(comparison?.shown).toBe('head+tail');
    expect(comparison?.partial?.compared).toBe('whole');
    const { fromLine, toLine } = comparison!.partial!.firstDifference!;
    expect(fromLine).toBeLessThanOrEqual(15_000);
    expect(toLine).toBeGreaterThanOrEqual(15_000);
    expect(toLine - fromLine).toBeLessThan(32);
    const first = comparison!.diff!.split('\n')[0]!;
    expect(first).toContain(`first differ at normalized lines ${fromLine}-${toLine}`);
    expect(first).toMatch(/this diff shows only the kept head and tail: cpython \d+ of \d+ bytes/);
  });

  it('says so in summary.md, index.html and the failure message', async () => {
    const { comparison, code, msg } = await judgeWasmRun(
      python(capture(numbered(20_000))),
      wasm(capture(numbered(20_000, 15_000))),
      rules,
      ctx,
    );
    const record = makeRecord({
      recipe: 'long',
      example: 'example1',
      code,
      msg,
      ...(comparison ? { comparison } : {}),
    });
    const summary = buildSummary(makeResults([record]));
    const { fromLine, toLine } = comparison!.partial!.firstDifference!;
    expect(renderSummaryMarkdown(summary)).toContain(
      `1 output too long to keep whole: the diff shows only the kept head and tail; the whole outputs were compared by digest; first difference: 1/long.example1 at normalized lines ${fromLine}-${toLine}`,
    );
    // the kept head and tail are alike: the group is named for where the difference is
    expect(renderSummaryMarkdown(summary)).toContain('`outputs differ in the part not kept (too long to keep whole)`');
    expect(renderHtmlReport(summary)).toContain(
      'normalized; head and tail only: the outputs were too long to keep whole',
    );
    expect(msg.split('\n')[0]).toMatch(/^\(outputs too long to keep whole: /);
  });

  it('calls equal long outputs OK when only normalization tells them apart, and says the diff would be partial', async () => {
    const at = (address: string) =>
      Buffer.from(Array.from({ length: 5000 }, (_, i) => `<obj ${i} at 0x${address}>\n`).join(''));
    const verdict = await judgeWasmRun(python(capture(at('7f00aabbccdd'))), wasm(capture(at('11cc3a0'))), rules, ctx);
    expect(verdict.code).toBe(CaseErrorCode.OK);
    expect(verdict.comparison).toMatchObject({ equal: true, shown: 'head+tail', partial: { compared: 'whole' } });
    expect(verdict.comparison?.rulesFired).toEqual(['object-address']);
  });

  it('never calls OK what it could compare only in part (a side without a digest)', () => {
    const comparison = compareCaptured(capture(numbered(20_000)), capture(numbered(20_000), 4093, false), rules, ctx);
    expect(comparison.equal).toBe(false);
    expect(comparison.partial?.compared).toBe('head+tail');
    expect(comparison.diff).toContain('wasm has no digest of its whole output');
  });

  it('compares short outputs whole as before', () => {
    const comparison = compareCaptured(capture(numbered(10)), capture(numbered(10, 5)), rules, ctx);
    expect(comparison).toMatchObject({ equal: false, shown: 'whole' });
    expect(comparison.partial).toBeUndefined();
  });
});

describe('the streamed digest', () => {
  const pieces = [
    'Traceback (most recent call last):\n',
    '  File "/scratch/run1/example.py", line 3, in <module>\n',
    '    foo()\n',
    '    ^^^^^\n',
    '\n',
    '\r\n',
    '    ~~^^\r\n',
    'took 0.25 s\n',
    "{'b', 'a'}\n",
    'at 0x7fff1234 ok\n',
    'plain\n',
  ];
  it('is the digest of the whole text normalized at once, wherever chunks and runs were cut', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let trial = 0; trial < 50; trial++) {
      const text = Array.from({ length: 200 }, () => pieces[random(pieces.length)]).join('') + '\xff end';
      const bytes = Buffer.from(text, 'latin1');
      const streamed = new StreamNormalizer(rules, ctx, 1 + random(300));
      for (let i = 0; i < bytes.length;) {
        const n = 1 + random(200);
        streamed.push(bytes.subarray(i, i + n));
        i += n;
      }
      const whole = digestText(decodeExact(bytes), rules, ctx);
      expect(streamed.finish()).toEqual(whole);
      expect(normalize(decodeExact(bytes), rules, ctx).text.split('\n').length).toBe(whole.lines);
    }
  });

  it('cuts a stream with no place to cut (only empty lines, one endless line) within bounds, still as the whole', () => {
    for (const bytes of [Buffer.alloc(5000, 0x0a), Buffer.alloc(5000, 0x61), Buffer.from('é'.repeat(2500))]) {
      const streamed = new StreamNormalizer(rules, ctx, 64);
      for (let i = 0; i < bytes.length; i += 7) streamed.push(bytes.subarray(i, i + 7));
      expect(streamed.finish()).toEqual(digestText(decodeExact(bytes), rules, ctx));
    }
  });

  it('locates the first differing line exactly while there are few lines, within a segment beyond', () => {
    const digest = (lines: string[]) => {
      const s = new SegmentDigests();
      s.add(Buffer.from(lines.join('')));
      return s.finish();
    };
    const a = Array.from({ length: 900 }, (_, i) => `${i}\n`);
    const b = [...a.slice(0, 600), 'changed\n', ...a.slice(601)];
    expect(firstDifferingLines(digest(a), digest(b))).toEqual({ fromLine: 601, toLine: 601 });
    // one side ends early: the difference is where it ended, whatever the segment sizes
    const long = Array.from({ length: 5000 }, (_, i) => `${i}\n`);
    const range = firstDifferingLines(digest(long.slice(0, 1500)), digest(long))!;
    expect(range.fromLine).toBeLessThanOrEqual(1501);
    expect(range.toLine).toBeGreaterThanOrEqual(1501);
    expect(firstDifferingLines(digest(long), digest(long))).toBeUndefined();
  });
});
