// callstacks.json's groups read loosely: the file may come from another version of this package.

import { frameKey, type GroupFrame, type RootCauseNote, type StackGroup } from '../diagnose/stack-groups.ts';

/**
 * Keeps what looks like a stack group (callstacks.json may come from another version); drops anything
 * else. Fields an older file lacks get what distinctStacks would give them: the key from the frames,
 * no members, targets or notes.
 */
export function readStacks(stacks: unknown): StackGroup[] {
  if (!Array.isArray(stacks)) return [];
  const out: StackGroup[] = [];
  for (const g of stacks) {
    if (!g || typeof g !== 'object') continue;
    const o = g as Record<string, unknown>;
    if (!Array.isArray(o.cases) || !Array.isArray(o.frames)) continue;
    const frames: GroupFrame[] = [];
    for (const f of o.frames) {
      if (!f || typeof f !== 'object') continue;
      const fo = f as Record<string, unknown>;
      const fn = typeof fo.function === 'string' ? fo.function : typeof fo.name === 'string' ? fo.name : '?';
      frames.push({
        function: fn,
        file: typeof fo.file === 'string' ? fo.file : undefined,
        line: typeof fo.line === 'number' ? fo.line : undefined,
      });
    }
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    out.push({
      key: typeof o.key === 'string' ? o.key : frames.map(frameKey).join('\n'),
      cases: strings(o.cases),
      frames,
      members: Array.isArray(o.members) ? o.members.filter(isMember) : [],
      targets: strings(o.targets),
      notes: Array.isArray(o.notes) ? o.notes.filter(isRootCauseNote) : [],
      note: typeof o.note === 'string' ? o.note : undefined,
      link: typeof o.link === 'string' ? o.link : undefined,
    });
  }
  return out;
}

function isMember(m: unknown): m is StackGroup['members'][number] {
  const o = m as Record<string, unknown> | null;
  return !!o && typeof o === 'object' && typeof o.case === 'string' && typeof o.target === 'string';
}

function isRootCauseNote(n: unknown): n is RootCauseNote {
  const o = n as Record<string, unknown> | null;
  return (
    !!o &&
    typeof o === 'object' &&
    typeof o.pattern === 'string' &&
    typeof o.note === 'string' &&
    (o.link === undefined || typeof o.link === 'string')
  );
}
