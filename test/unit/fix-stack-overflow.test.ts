import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStack, patchStackBytes, stackOverflow } from '../../src/fix/kinds/stack-overflow.ts';
import { combineChanges, unifiedDiff } from '../../src/fix/patch-text.ts';
import { fixKindFor } from '../../src/fix/registry.ts';
import { SCONS_SETTINGS, wasiBranch } from '../../src/fix/scons-link-flags.ts';
import type { FileChange, FixContext, FixGroup, ProposedFix } from '../../src/fix/types.ts';
import { resolveExecutable } from '../../src/process/which.ts';
import { CaseErrorCode, type CaseRecord, type DiagnosisDataByKind } from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';
import { linkWasi } from '../helpers/wasi-link.ts';
import { makeRecord, makeResults, makeRuntimeRun } from '../helpers/records.ts';

// The stack-overflow fix kind: its patch of py2wasm's Scons settings made from the real installed
// py2wasm (setup's, in the default cache folder) and applied with `patch -p1` to a copy of it, alone
// and with a signature patch (--all); its module check on modules wasm-ld really linked.
const PACKAGE = path.join(os.homedir(), '.cache/vitest-py2wasm/toolchain/venv/lib/python3.11/site-packages/nuitka');
const MiB = 1 << 20;

const overflow = (fixedBy: number | undefined): DiagnosisDataByKind['stack-overflow'] => ({
  stack: { placement: 'after data', top: 10_159_920, size: 65_536, sizeFrom: 'stack-first relink' },
  overflows: true,
  stackFirst: { codeName: 'WASM_EXECUTION_FAILURE', failure: 'Exception: out of bounds memory access' },
  frames: ['__stpcpy', 'strcpy', 'loadTriggeredModule'],
  tried: fixedBy ? [{ stackBytes: fixedBy, codeName: 'OK' }] : [{ stackBytes: 8 * MiB, codeName: 'DIFFERENT_RESULT' }],
  ...(fixedBy ? { fixedBy } : {}),
});
const record = (data: DiagnosisDataByKind['stack-overflow']): CaseRecord =>
  makeRecord({
    chapter: '5',
    case: 'http_client.example1',
    recipe: 'http_client',
    example: 'example1',
    target: 'py2wasm+node',
    code: CaseErrorCode.WASM_EXECUTION_FAILURE,
    codeName: 'WASM_EXECUTION_FAILURE',
    msg: "ModuleNotFoundError: No module named 'email.utils'",
    wasm: makeRuntimeRun({ programStderr: "ModuleNotFoundError: No module named 'email.utils'" }),
    diagnosis: {
      groupKey: 'k',
      diagnosedCase: '5/http_client.example1',
      inherited: false,
      results: [{ kind: 'stack-overflow', status: 'ok', durationMs: 1, cached: false, data }],
    },
  });
const group = (r: CaseRecord): FixGroup => ({ id: 'g', label: r.msg, records: [r] });
const ctxFor = (packageDir: string) => ({ packageDir, progress: () => undefined }) as unknown as FixContext;

describe('the stack-overflow fix kind', () => {
  it('rounds the smallest stack that passed up to a native main thread stack (8 MiB), else a power of two', () => {
    expect(patchStackBytes(MiB)).toBe(8 * MiB);
    expect(patchStackBytes(8 * MiB)).toBe(8 * MiB);
    expect(patchStackBytes(9 * MiB)).toBe(16 * MiB);
  });

  it('speaks for a confirmed overflow, and a plain run names the fix command under its group', async () => {
    const diagnosed = record(overflow(MiB));
    expect(fixKindFor(group(diagnosed))?.kind).toBe('stack-overflow');
    expect(fixKindFor(group(record({ ...overflow(MiB), overflows: false })))).toBeUndefined();
    const { buildSummary } = await import('../../src/report/summary.ts');
    const { renderSummaryMarkdown } = await import('../../src/report/summary-markdown.ts');
    expect(renderSummaryMarkdown(buildSummary(makeResults([diagnosed])))).toContain(
      'fix: `npx vitest-py2wasm fix 5/http_client.example1`',
    );
  });

  it('says why there is no patch when no stack tried made the case pass', async () => {
    const proposal = await stackOverflow.propose(group(record(overflow(undefined))), ctxFor('/nonexistent'));
    expect('none' in proposal && proposal.none.reason).toMatch(/no bigger stack tried/);
    expect('none' in proposal && proposal.none.evidence.join('\n')).toMatch(/loadTriggeredModule/);
  });
});

describe.skipIf(
  skipWithout(existsSync(path.join(PACKAGE, 'build')) ? [] : ['py2wasm toolchain (vitest-py2wasm setup)']),
)("the patch to the installed py2wasm's Scons settings", () => {
  let dir: string;
  let fix: ProposedFix;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stack-fix-'));
    const proposal = await stackOverflow.propose(group(record(overflow(MiB))), ctxFor(PACKAGE));
    if (!('fix' in proposal)) throw new Error(`no patch: ${JSON.stringify(proposal)}`);
    fix = proposal.fix;
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  /** A copy of the files `changes` touch, as a py2wasm checkout holds them; `patch -p1` run there. */
  async function applyTo(changes: FileChange[], dryRun: boolean): Promise<string> {
    const tree = await fs.mkdtemp(path.join(dir, 'tree-'));
    for (const c of changes) {
      await fs.mkdir(path.join(tree, path.dirname(c.path)), { recursive: true });
      await fs.copyFile(path.join(PACKAGE, path.relative('nuitka', c.path)), path.join(tree, c.path));
    }
    await fs.writeFile(path.join(tree, 'fix.patch'), unifiedDiff(changes));
    execFileSync('patch', ['-p1', ...(dryRun ? ['--dry-run'] : []), '-i', 'fix.patch'], { cwd: tree });
    return tree;
  }

  it('adds 8 MiB placed first to the link flags of the WASI branch, and says the 1 MiB measured', async () => {
    expect(fix.changes.map((c) => c.path)).toEqual([SCONS_SETTINGS]);
    expect(fix.title).toMatch(/C stack of 8 MiB .*\(the smallest that fixed the group: 1 MiB/);
    const branch = wasiBranch(fix.changes[0]!.after).text;
    expect(branch).toContain('env.Append(LINKFLAGS=["-Wl,-z,stack-size=8388608", "-Wl,--stack-first"])');
    expect(branch).toMatch(/-lexpat[\s\S]*stack-size/);
    expect(fix.rootCause).toMatch(/loadTriggeredModule/);
  });

  it('applies with patch -p1 to a copy of the package, and the result is Python that compiles', async () => {
    await applyTo(fix.changes, true);
    const tree = await applyTo(fix.changes, false);
    expect(await fs.readFile(path.join(tree, SCONS_SETTINGS), 'utf8')).toBe(fix.changes[0]!.after);
    execFileSync('python3', ['-m', 'py_compile', path.join(tree, SCONS_SETTINGS)]);
  });

  it('applies together with a signature patch (fix --all): different files', async () => {
    const file = 'nuitka/build/static_src/CompiledFunctionType.c';
    const before = await fs.readFile(path.join(PACKAGE, path.relative('nuitka', file)), 'utf8');
    const getter = 'Nuitka_Function_get_name(struct Nuitka_FunctionObject *function)';
    expect(before).toContain(getter);
    const signature: FileChange = {
      path: file,
      before,
      after: before.replace(getter, getter.replace(')', ', void *data)')),
    };
    const both = combineChanges([[signature], fix.changes]);
    expect(both.map((c) => c.path)).toEqual([file, SCONS_SETTINGS]);
    await applyTo(both, true);
  });
});

describe.skipIf(skipWithout(resolveExecutable('clang-19') ? [] : ['clang-19']))(
  'the module check on modules wasm-ld linked',
  () => {
    let dir: string;
    const link = (flags: string[]) => linkWasi(path.join(dir, 'p.c'), path.join(dir, `m${flags.length}.wasm`), flags);
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stack-check-'));
      await fs.writeFile(
        path.join(dir, 'p.c'),
        '#include <stdio.h>\nstatic int t[1024];\nint seven = 7;\nint main(int c, char **v) { t[c] = seven; printf("%s %d\\n", v[0], t[1]); return 0; }\n',
      );
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    it("holds for the patch's flags and not for wasm-ld's default", async () => {
      const patched = link(['-Wl,-z,stack-size=8388608', '-Wl,--stack-first']);
      expect(checkStack(patched, 8 * MiB)).toEqual({
        ok: true,
        found: 'a stack of 8 MiB placed first, below the data',
      });
      expect(checkStack(patched, MiB).ok).toBe(false);
      const plain = checkStack(link([]), 8 * MiB);
      expect(plain.ok).toBe(false);
      expect(plain.found).toMatch(/placed after the data/);
    });
  },
);
