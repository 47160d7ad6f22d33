import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stackOf } from '../../src/diagnose/stack.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-markdown.ts';
import { CaseErrorCode } from '../../src/types.ts';
import { makeRecord, makeResults } from '../helpers/records.ts';

// A trap whose wasm is no longer in the compile cache (evicted): the record says so, and why,
// and summary.md lists the case, instead of a stack that silently lacks its re-run.
describe('a call stack whose wasm is gone', () => {
  it('is recorded with the reason, and summary.md lists the case', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'missing-wasm-'));
    const gone = path.join(dir, 'compile', 'wasm', 'ab', 'ab12.wasm');
    const record = makeRecord({
      code: CaseErrorCode.WASM_EXECUTION_FAILURE,
      recipe: 'traps',
      example: 'oob',
      scriptPath: path.join(dir, 'oob.py'),
      compile: {
        compiler: 'py2wasm',
        cached: true,
        exitCode: 0,
        timedOut: false,
        durationMs: 0,
        logTail: '',
        command: ['py2wasm'],
        wasmPath: gone,
        wasmSize: 10,
      },
      wasm: {
        exitCode: 1,
        trap: { kind: 'out of bounds memory access', message: 'Exception: out of bounds memory access' },
        frames: [{ index: 0, thread: 0, offset: 100, addressSpace: 'module-offset-after' }],
      },
    });
    const debug = path.join(dir, 'iwasm.dbg');
    await fs.writeFile(debug, '#!/bin/sh\necho must not run >&2\nexit 9\n', { mode: 0o755 });
    const stack = await stackOf(record, {
      iwasmDebug: [debug],
      iwasmDebugMode: 'interp',
      symbolizer: null,
      timeoutMs: 5000,
      scratchParent: path.join(dir, 'scratch'),
      maxFrames: 64,
    });
    expect(stack?.source).toBe('runtime');
    expect(stack?.wasmMissing).toMatch(
      /^the wasm it ran \(ab12\.wasm\) is no longer in the compile cache: evicted to keep it under cacheMaxBytes/,
    );
    expect(stack?.frames).toHaveLength(1);
    const md = renderSummaryMarkdown(buildSummary(makeResults([{ ...record, stack: stack! }])));
    expect(md).toContain('## Call stacks missing: 1');
    expect(md).toMatch(
      /- `1\/traps\.oob` \[py2wasm\+iwasm\]: the wasm it ran \(ab12\.wasm\) is no longer in the compile cache/,
    );
    await fs.rm(dir, { recursive: true, force: true });
  });
});
