// A C stack too small for py2wasm's programs: py2wasm passes no stack size to wasm-ld, whose default
// is 64 KiB placed above the static data, where an overflow silently overwrites statics. The
// stack-overflow diagnosis confirmed the overflow and found the smallest stack (placed first) that
// makes the case pass; the patch makes py2wasm's Scons build link every program with a bigger stack,
// placed first, so that a deeper overflow one day traps where it happens instead of corrupting.
import fs from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, describeDiagnosis } from '../../diagnose/describe.ts';
import { STACK_FIRST_FLAG, stackSizeFlag } from '../../diagnose/diagnostics/stack-overflow.ts';
import { readMemoryLayout } from '../../parse/wasm-memory-layout.ts';
import type { CaseRecord, DiagnosisDataByKind } from '../../types.ts';
import { addWasiLinkFlags, SCONS_SETTINGS, wasiBranch } from '../scons-link-flags.ts';
import type { FixGroup, FixKind } from '../types.ts';

const MiB = 1 << 20;
/**
 * The least the patch gives: the main thread's stack of a native CPython or Nuitka program on Linux
 * (`ulimit -s`: 8 MiB), which this C code was written for. One overflow measured as fixed by 1 MiB
 * says nothing of a deeper import chain or recursion elsewhere; 8 MiB more linear memory is cheap.
 */
export const NATIVE_STACK_BYTES = 8 * MiB;

/** The stack the patch gives when the smallest that passed was `fixedBy`: at least 8 MiB, else a power of two MiB. */
export function patchStackBytes(fixedBy: number): number {
  let bytes = NATIVE_STACK_BYTES;
  while (bytes < fixedBy) bytes *= 2;
  return bytes;
}

/** The stack-overflow diagnosis of a record that confirmed an overflow. */
export function overflowOf(record: CaseRecord): DiagnosisDataByKind['stack-overflow'] | undefined {
  const result = record.diagnosis?.results.find((r) => r.kind === 'stack-overflow');
  if (result?.kind !== 'stack-overflow' || result.status !== 'ok' || !result.data?.overflows) return undefined;
  return result.data;
}

/** What a module linked with the patch must show: a stack of `bytes`, placed below the data. */
export function checkStack(wasm: Uint8Array, bytes: number): { ok: boolean; found: string } {
  const stack = readMemoryLayout(wasm).stack;
  if (!stack) return { ok: false, found: 'no stack pointer global starting at a constant' };
  const size =
    stack.size !== undefined ? `a stack of ${formatBytes(stack.size)}` : `a stack with its top at ${stack.top}`;
  const found = `${size} placed ${stack.placement === 'first' ? 'first, below the data' : 'after the data'}`;
  return { ok: stack.placement === 'first' && stack.size === bytes, found };
}

const rootCause = (bytes: number, smallest: number, evidence: string[]) =>
  `py2wasm passes no stack size to \`wasm-ld\`, so every program gets wasm-ld's default C stack: 64 KiB,
placed after the static data (\`.rodata\`, \`.data\`, \`.bss\`) and growing down toward them. Nothing
checks its bottom: nested imports (each level through Nuitka's loader, \`_EXECUTE_EMBEDDED_MODULE\`
and \`loadTriggeredModule\`) run off it and overwrite statics such as the loader's
\`loader_entries\`, which shows as a misleading \`ModuleNotFoundError\`, as the \`findEntry\`
assertion under \`--debug\`, or as a trap elsewhere. The patch links every program with a
C stack of ${formatBytes(bytes)} (\`${stackSizeFlag(bytes)}\`: the smallest stack that made the group pass was
${formatBytes(smallest)}; ${formatBytes(bytes)} is what a native program's main thread gets on Linux) and places it
below the data (\`${STACK_FIRST_FLAG}\`), so that an overflow traps where it happens instead of
corrupting. Diagnosed: ${evidence.map((e) => `\`${e}\``).join('; ')}.`;

export const stackOverflow: FixKind = {
  kind: 'stack-overflow',
  version: 1,
  patches: true,
  appliesTo: (group: FixGroup) => group.records.some((r) => overflowOf(r) !== undefined),
  async propose(group, ctx) {
    const diagnosed = group.records.filter((r) => overflowOf(r) !== undefined);
    const evidence = [
      ...new Set(
        diagnosed.map(
          (r) => `${r.diagnosis!.diagnosedCase} on ${r.target.name}: ${describeDiagnosis(r.diagnosis).stack}`,
        ),
      ),
    ];
    const sizes = diagnosed.map((r) => overflowOf(r)!.fixedBy);
    if (sizes.some((s) => s === undefined))
      return {
        none: {
          kind: 'stack-overflow',
          reason: 'the C stack overflows, but no bigger stack tried made every case of the group pass',
          evidence,
        },
      };
    const smallest = Math.max(...(sizes as number[]));
    const bytes = patchStackBytes(smallest);
    const file = path.join(ctx.packageDir, path.relative('nuitka', SCONS_SETTINGS));
    const before = await fs.readFile(file, 'utf8');
    const already = /stack-size|--stack-first/.exec(wasiBranch(before).text);
    if (already)
      return {
        none: {
          kind: 'stack-overflow',
          reason: `py2wasm's WASI link flags already set the stack (\`${already[0]}\` in ${SCONS_SETTINGS}): this fix does not know that package`,
          evidence,
        },
      };
    const after = addWasiLinkFlags(
      before,
      [stackSizeFlag(bytes), STACK_FIRST_FLAG],
      [
        `wasm-ld's default C stack (64 KiB, after the static data, where an overflow silently`,
        `overwrites statics) is too small for nested imports: a native main thread's ${formatBytes(bytes)},`,
        'placed first so that an overflow traps where it happens.',
      ],
    );
    return {
      fix: {
        kind: 'stack-overflow',
        title: `Link py2wasm programs with a C stack of ${formatBytes(bytes)} placed below the static data (the smallest that fixed the group: ${formatBytes(smallest)})`,
        slug: 'c-stack-size',
        rootCause: rootCause(bytes, smallest, evidence),
        changes: [{ path: SCONS_SETTINGS, before, after }],
        checkModule: (wasm) => checkStack(wasm, bytes),
      },
    };
  },
};
