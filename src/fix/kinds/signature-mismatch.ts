// `indirect call type mismatch` where the callee was declared with fewer parameters than its caller
// passes (Nuitka's getters, setters and METH_NOARGS methods, cast to CPython's function types):
// native ABIs ignore the extra arguments, wasm's call_indirect checks the exact signature and traps.
// The patch covers the whole family: every such cast in the package's static_src, found by clang.
import type { CaseRecord } from '../../types.ts';
import { sweepPackage } from '../signature/sweep.ts';
import type { FixGroup, FixKind } from '../types.ts';

/** The indirect-call diagnosis of a record whose callee's signature differs from the call's. */
export function mismatchOf(record: CaseRecord) {
  const result = record.diagnosis?.results.find((r) => r.kind === 'indirect-call');
  if (result?.kind !== 'indirect-call' || result.status !== 'ok' || !result.data?.callee) return undefined;
  return result.data.callee.type !== result.data.expectedType ? result.data : undefined;
}

const ROOT_CAUSE = `Nuitka declares getters and setters without CPython's trailing \`void *closure\` parameter, and
METH_NOARGS methods without the unused second argument, then casts them to CPython's function types
(\`(getter)\`, \`(setter)\`, \`(PyCFunction)\`). A native ABI ignores an extra argument; in wasm, a
\`call_indirect\` checks the callee's exact signature, so CPython's call (\`getset_get\`,
\`getset_set\`, \`method_vectorcall_NOARGS\`) traps: \`indirect call type mismatch\` (iwasm),
\`null function or function signature mismatch\` (Node). Upstream Nuitka gave getters and setters
their full signatures in 5e3b9bd7a (2024-07-30, "WASI: Cleanup, follow getter and setter
signatures") and the PyCFunction family in 8bcc60542 (2024-10-22, "Cleanup, follow PyCFunction
signatures"), both first in the tag 2.5.8; py2wasm 2.6.3 has neither. The patch gives every function that
such a cast calls with more arguments than it declares the missing trailing parameters, unused.`;

export const signatureMismatch: FixKind = {
  kind: 'signature-mismatch',
  version: 1,
  patches: true,
  appliesTo: (group: FixGroup) => group.records.some((r) => mismatchOf(r) !== undefined),
  async propose(group, ctx) {
    const sweep = await sweepPackage({
      packageDir: ctx.packageDir,
      wasiSdkDir: ctx.wasiSdkDir,
      cacheDir: ctx.cacheDir,
      signal: ctx.signal,
      progress: (m) => ctx.progress(m),
    });
    const diagnosed = [
      ...new Set(
        group.records
          .map(mismatchOf)
          .flatMap((m) =>
            m ? [`${m.caller} called ${m.callee!.name} : ${m.callee!.type} through ${m.expectedType}`] : [],
          ),
      ),
    ];
    const changed = new Set(sweep.plan.changed.map((c) => c.callee));
    const missed = group.records
      .map(mismatchOf)
      .flatMap((m) => (m?.callee && !changed.has(m.callee.name) ? [m.callee.name] : []));
    if (!sweep.changes.length)
      return {
        none: {
          kind: 'signature-mismatch',
          reason: 'the sweep found no cast it can fix by adding parameters',
          evidence: [...diagnosed, ...sweep.counts.skipped.map((s) => `${s.site}: ${s.why}`)],
        },
      };
    return {
      fix: {
        kind: 'signature-mismatch',
        title: `Give ${changed.size} getters, setters and methods of static_src the parameters CPython calls them with`,
        slug: 'getter-setter-noargs-signatures',
        rootCause: `${ROOT_CAUSE}\n\nDiagnosed in the failing cases: ${diagnosed.map((d) => `\`${d}\``).join('; ')}.${missed.length ? ` Not covered by the patch: ${[...new Set(missed)].join(', ')}.` : ''}`,
        changes: sweep.changes,
        sites: sweep.counts,
      },
    };
  },
};
