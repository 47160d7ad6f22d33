import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config/options.ts';

// The `vitest-py2wasm` command as a user runs it (a real node process through bin/).
const bin = path.join(PROJECT_ROOT, 'bin', 'vitest-py2wasm.mjs');
let dir: string;
const cli = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [bin, ...args], {
    cwd: dir,
    env: { NO_COLOR: '1', PY2WASM_CACHE_DIR: path.join(dir, 'cache'), ...env },
    reject: false,
    all: true,
  });

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('vitest-py2wasm CLI', () => {
  it('doctor lists the tools and says what to do about a missing one', async () => {
    const run = await cli(['doctor'], { IWASM: 'no-such-iwasm', PY2WASM: 'no-such-py2wasm' });
    expect(run.all).toMatch(/✓ python\s+Python 3\.11/);
    expect(run.all).toMatch(/✗ py2wasm/);
    expect(run.all).toMatch(/fix PY2WASM/);
    expect(run.all).toMatch(/✗ iwasm[\s\S]*set IWASM=/);
    expect(run.all).toContain('targets: py2wasm+iwasm');
    expect(run.exitCode).toBe(1); // a tool the targets need is missing
  });

  it('cache shows an empty cache', async () => {
    const run = await cli(['cache']);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/entries: 0 \(0 cached compile failures\)/);
  });

  it('cache --prune and --clear also remove what killed runs left: scratch copies, compile work folders, abandoned locks', async () => {
    const cache = path.join(dir, 'cache');
    const gone = (await execa('sh', ['-c', 'echo $$'])).stdout.trim(); // a pid that no longer runs
    const made = {
      deadScratch: path.join(cache, 'scratch', `1-recipe-cpython-p${gone}-AbC123`),
      liveScratch: path.join(cache, 'scratch', `1-recipe-cpython-p${process.pid}-XyZ789`),
      oldScratch: path.join(cache, 'scratch', '1-recipe-py2wasm_node-Q1w2e3'),
      deadTmp: path.join(cache, 'compile', 'tmp', `0123456789ab-p${gone}-Zz9Yy8`),
      oldLock: path.join(cache, 'compile', 'locks', 'feed.lock'),
      oldStemLock: path.join(cache, 'py2wasm-locks', '0123abcd-example.lock'),
      heldLock: path.join(cache, 'py2wasm-locks', '0123abcd-other.lock'),
    };
    for (const p of Object.values(made)) await fs.mkdir(p, { recursive: true });
    await fs.writeFile(path.join(made.deadScratch, 'partial.txt'), 'x');
    const old = new Date(Date.now() - 120_000);
    for (const p of [made.oldLock, made.oldStemLock]) await fs.utimes(p, old, old);
    const run = await cli(['cache', '--prune']);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain('removed 2 leftover scratch folders, 1 compile work folders, 2 abandoned locks');
    const exists = async (p: string) =>
      fs.access(p).then(
        () => true,
        () => false,
      );
    expect(await exists(made.liveScratch)).toBe(true);
    expect(await exists(made.heldLock)).toBe(true);
    for (const p of [made.deadScratch, made.oldScratch, made.deadTmp, made.oldLock, made.oldStemLock])
      expect(await exists(p), p).toBe(false);
    await fs.rm(made.liveScratch, { recursive: true });
    const cachedStack = path.join(cache, 'diagnose', 'stacks', 'ab', 'ab12.json');
    await fs.mkdir(path.dirname(cachedStack), { recursive: true });
    await fs.writeFile(cachedStack, '{}');
    expect((await cli(['cache', '--clear'])).all).toContain('removed 0 leftover scratch folders');
    expect(await exists(cachedStack)).toBe(false);
  });

  it('import-pickle then compare: a pickle of the old notebook against itself regresses nothing', async () => {
    const script = `
import pickle, sys
from enum import IntEnum
class CaseErrorCode(IntEnum):
    OK = 0
    COMPILATION_FAILURE = 1
    WASM_EXECUTION_FAILURE = 2
class CaseResult:
    def __init__(self, error_code, msg):
        self.error_code = error_code
        self.msg = msg
with open(sys.argv[1], "wb") as f:
    pickle.dump({"recipe_a.example": CaseResult(CaseErrorCode.OK, ""), "recipe_b.test": CaseResult(CaseErrorCode.WASM_EXECUTION_FAILURE, "Exception: out of bounds memory access")}, f)
`;
    await fs.writeFile(path.join(dir, 'make.py'), script);
    await execa('python3', ['make.py', 'chapter_3_result.pkl'], { cwd: dir });
    const imported = await cli(['import-pickle', 'chapter_3_result.pkl', '--out', 'old.json']);
    expect(imported.exitCode, imported.all).toBe(0);
    const results = JSON.parse(await fs.readFile(path.join(dir, 'old.json'), 'utf8')) as {
      records: Array<{ chapter: string; case: string; codeName: string }>;
    };
    expect(results.records.map((r) => `${r.chapter}/${r.case} ${r.codeName}`)).toEqual([
      '3/recipe_a.example OK',
      '3/recipe_b.test WASM_EXECUTION_FAILURE',
    ]);
    const same = await cli(['compare', 'old.json', 'chapter_3_result.pkl']);
    expect(same.exitCode, same.all).toBe(0);
    await fs.writeFile(path.join(dir, 'corrupt.pkl'), Buffer.from([0x80, 0x04, 0x95, 0xff]));
    const bad = await cli(['import-pickle', 'corrupt.pkl']);
    expect(bad.exitCode).toBe(2);
    expect(bad.all).toMatch(/corrupt\.pkl/);
  });

  it("prints each registered command's own help for --help, exit 0", async () => {
    const whole = await cli(['--help']);
    expect(whole.exitCode, whole.all).toBe(0);
    // the commands as the CLI lists them, so a command added later is covered too
    const section = /Commands:\n([\s\S]*?)\n\n/.exec(whole.stdout)?.[1] ?? '';
    const commands = section.split('\n').map((line) => line.trim().split(/\s+/)[0]!);
    expect(commands).toEqual(
      expect.arrayContaining(['doctor', 'setup', 'cache', 'compare', 'reduce', 'bisect', 'watch']),
    );
    for (const command of commands) {
      const run = await cli([command, '--help']);
      expect(run.exitCode, `${command} --help: ${run.all}`).toBe(0);
      expect(run.stdout, command).toContain(`$ vitest-py2wasm ${command}`);
      expect(run.all, command).not.toContain('Commands:');
      expect(run.all, command).not.toContain('unknown command');
    }
  });

  it('ends quietly, exit 0, when its reader stops early (vitest-py2wasm cache | head)', async () => {
    // the reader is gone before the CLI's first write (it takes a second to start): every write fails with EPIPE
    const run = await execa('bash', ['-c', `node '${bin}' cache | true; echo "exit \${PIPESTATUS[0]}"`], {
      cwd: dir,
      env: { NO_COLOR: '1', PY2WASM_CACHE_DIR: path.join(dir, 'cache') },
      reject: false,
      all: true,
    });
    expect(run.all).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(run.all?.trim()).toBe('exit 0');
  });

  it('rejects an unknown command', async () => {
    const run = await cli(['frobnicate']);
    expect(run.exitCode).toBe(2);
    expect(run.all).toContain('unknown command: frobnicate');
    const help = await cli(['frobnicate', '--help']);
    expect(help.exitCode).toBe(2);
    expect(help.all).toContain('unknown command: frobnicate');
  });
});
