// Two real python3 processes printing 300 MB each, one byte apart in the middle: the capture keeps
// their head and tail only, yet the comparison sees the whole outputs (issue 19: "a false OK"),
// and the harness never holds either output whole in memory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCaptured } from '../../src/compare/captured.ts';
import { resolveRules } from '../../src/compare/normalize.ts';
import { sideStdoutDigest } from '../../src/compare/stream-digest.ts';
import { runPython } from '../../src/tools/python.ts';
import type { ProcessOutcome } from '../../src/types.ts';

const LINES = 3_000_000; // 100 bytes each: 300 MB
const CHANGED = 1_700_000;
const script = (changed: number) =>
  [
    'import sys',
    "line = b'a' * 99 + b'\\n'",
    'out = sys.stdout.buffer',
    `for i in range(1, ${LINES + 1}):`,
    `    out.write(b'b' * 99 + b'\\n' if i == ${changed} else line)`,
  ].join('\n');

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'whole-output-'));
  for (const [dir, changed] of [
    ['same', 0],
    ['changed', CHANGED],
  ] as const) {
    await fs.mkdir(path.join(work, dir));
    await fs.writeFile(path.join(work, dir, 'example.py'), script(changed));
  }
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

const rules = resolveRules({});

/** A run as the pipeline makes it: default capture limits, stdout digested; the heap's peak growth sampled. */
async function run(dir: string): Promise<{ outcome: ProcessOutcome; peakGrowth: number }> {
  const cwd = path.join(work, dir);
  const base = process.memoryUsage();
  let peakGrowth = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakGrowth = Math.max(peakGrowth, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
  }, 20);
  try {
    const { stdoutDigest } = sideStdoutDigest(rules, cwd, 'example.py');
    const outcome = await runPython({
      python: ['python3'],
      script: 'example.py',
      cwd,
      timeoutMs: 120_000,
      stdoutDigest,
    });
    return { outcome, peakGrowth };
  } finally {
    clearInterval(sample);
  }
}

describe('300 MB outputs one byte apart', () => {
  it('are compared whole, found different in the middle, with bounded memory', async () => {
    const same = await run('same');
    const changed = await run('changed');
    for (const { outcome, peakGrowth } of [same, changed]) {
      expect(outcome.exitCode).toBe(0);
      expect(outcome.stdout.bytes).toBe(LINES * 100);
      expect(outcome.stdout.truncated).toBe(true);
      expect(outcome.stdout.whole?.lines).toBe(LINES);
      // the kept head and tail, the digests and a run of lines being normalized: never the 300 MB
      expect(peakGrowth).toBeLessThan(64 << 20);
    }
    // the kept head and tail are the same: the old comparison called this OK
    expect(same.outcome.stdout.text).toBe(changed.outcome.stdout.text);
    const ctx = { scratchDirs: [], scriptName: 'example.py' };
    const comparison = compareCaptured(same.outcome.stdout, changed.outcome.stdout, rules, ctx);
    expect(comparison.equal).toBe(false);
    expect(comparison.shown).toBe('head+tail');
    const { fromLine, toLine } = comparison.partial!.firstDifference!;
    expect(fromLine).toBeLessThanOrEqual(CHANGED);
    expect(toLine).toBeGreaterThanOrEqual(CHANGED);
    expect(comparison.diff!.split('\n')[0]).toContain(
      `cpython ${same.outcome.stdout.bytes - same.outcome.stdout.omittedBytes} of ${LINES * 100} bytes`,
    );
    expect(compareCaptured(same.outcome.stdout, same.outcome.stdout, rules, ctx).equal).toBe(true);
  }, 120_000);
});
