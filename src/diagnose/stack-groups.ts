import { pythonNameOf } from '../parse/nuitka-names.ts';
import type { StackDiagnosis } from './describe.ts';
import type { RawFrame } from '../types.ts';
import type { SymbolizedFrame } from '../tools/symbolizer.ts';

export interface StackInput {
  case: string;
  target: string;
  /** May mix symbolized and raw frames (a symbolizer that failed for part of a run). */
  frames: ReadonlyArray<SymbolizedFrame | RawFrame>;
}

/** One logical frame of a group key: an inline chain counts as several frames. */
export interface GroupFrame {
  function: string;
  /** A Nuitka function's Python name (`__main__.test_bad_int`, `module __main__`). */
  python?: string;
  file?: string;
  line?: number;
}

export interface RootCauseNote {
  /** Regular expression tested against each top frame's function name. */
  pattern: string;
  note: string;
  link?: string;
}

/** One distinct call stack: the trapped stacks whose top frames agree (callstacks.json `groups`, the reports' stack sections). */
export interface StackGroup {
  /** Stable text form of `frames`, one frame per line. */
  key: string;
  /** The top frames all members share, innermost first. */
  frames: GroupFrame[];
  /** Distinct case ids (see caseKey), in input order. */
  cases: string[];
  /** Every stack in the group. */
  members: { case: string; target: string }[];
  targets: string[];
  notes: RootCauseNote[];
  /** The matching notes' text, joined; for renderers that show one note. */
  note?: string;
  /** The first matching note's link. */
  link?: string;
  /** What the diagnoses of the group's cases found, distinct lines each (set by the run summary). */
  diagnosis?: StackDiagnosis;
}

export const DEFAULT_ROOT_CAUSE_NOTES: RootCauseNote[] = [
  {
    pattern: '^getset_get$',
    note:
      'indirect call type mismatch in CPython getset_get: a Nuitka getter (e.g. Nuitka_Function_get_name, one argument) ' +
      'is called through the two-argument `getter` type; wasm checks call_indirect signatures. py2wasm bug ' +
      '(Nuitka function-pointer casts in build/static_src/Compiled*Type.c, upstream Nuitka/Nuitka#3012).',
    link: 'https://github.com/wasmerio/py2wasm/issues/13',
  },
  {
    pattern: '^method_vectorcall_NOARGS$',
    note:
      "indirect call type mismatch in CPython method_vectorcall_NOARGS, which calls a method's ml_meth as " +
      'PyCFunction(self, NULL); the old manual failure analysis suspected a Nuitka method table entry cast from another signature ' +
      '(build/static_src/Compiled*Type.c): likely the same class of bug as wasmerio/py2wasm#13.',
    link: 'https://github.com/Nuitka/Nuitka/issues/3012',
  },
];

/**
 * Group stacks whose top `topN` frames agree (function name, and file:line where known).
 * Symbolized inline chains are expanded innermost first. Only the first dump is used when a
 * runtime printed several (threads: iwasm dumps the trapping thread first). Stacks without
 * frames are left out. Groups come largest first.
 */
export function distinctStacks(stacks: StackInput[], topN = 5): StackGroup[] {
  if (!Number.isInteger(topN) || topN < 1) throw new RangeError(`topN must be a positive integer, got ${topN}`);
  const groups = new Map<string, StackGroup>();
  for (const s of stacks) {
    const top = topFrames(s.frames, topN);
    if (top.length === 0) continue;
    const key = top.map(frameKey).join('\n');
    let g = groups.get(key);
    if (!g) {
      g = { key, frames: top, cases: [], members: [], targets: [], notes: [] };
      groups.set(key, g);
    }
    g.members.push({ case: s.case, target: s.target });
    if (!g.cases.includes(s.case)) g.cases.push(s.case);
    if (!g.targets.includes(s.target)) g.targets.push(s.target);
  }
  return [...groups.values()].sort(
    (a, b) => b.members.length - a.members.length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** The notes whose pattern matches the function of one of `frames`. */
export function matchRootCauseNotes(
  frames: GroupFrame[],
  config: RootCauseNote[] = DEFAULT_ROOT_CAUSE_NOTES,
): RootCauseNote[] {
  return config.filter((c) => {
    const re = new RegExp(c.pattern);
    return frames.some((f) => re.test(f.function));
  });
}

/** Copies of `groups` with the matching notes attached (`notes`, and `note`/`link` for one-note renderers). */
export function attachRootCauseNotes(
  groups: StackGroup[],
  config: RootCauseNote[] = DEFAULT_ROOT_CAUSE_NOTES,
): StackGroup[] {
  return groups.map((g) => {
    const notes = matchRootCauseNotes(g.frames, config);
    const { note: _note, link: _link, ...rest } = g;
    const link = notes.find((n) => n.link)?.link;
    return {
      ...rest,
      notes,
      ...(notes.length ? { note: notes.map((n) => n.note).join('\n') } : {}),
      ...(link ? { link } : {}),
    };
  });
}

export const rootCauseNotes = attachRootCauseNotes;

export function frameKey(f: GroupFrame): string {
  if (f.file === undefined) return f.function;
  return `${f.function} @ ${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;
}

export function topFrames(frames: ReadonlyArray<SymbolizedFrame | RawFrame>, topN: number): GroupFrame[] {
  const out: GroupFrame[] = [];
  const firstThread = frames.length > 0 ? threadOf(frames[0]!) : 0;
  for (const f of frames) {
    if (out.length >= topN) break;
    if (threadOf(f) !== firstThread) continue;
    if (isSymbolized(f)) {
      for (const l of f.locations) {
        if (out.length >= topN) break;
        const g: GroupFrame = { function: l.function };
        if (l.file !== undefined) g.file = l.file;
        if (l.file !== undefined && l.line !== undefined) g.line = l.line;
        out.push(g);
      }
    } else {
      out.push({ function: f.name ?? (f.funcIndex !== undefined ? `$f${f.funcIndex}` : '??') });
    }
  }
  return out.map((f) => {
    const python = pythonNameOf(f.function);
    return python ? { ...f, python } : f;
  });
}

function isSymbolized(f: SymbolizedFrame | RawFrame): f is SymbolizedFrame {
  return 'locations' in f;
}

function threadOf(f: SymbolizedFrame | RawFrame): number {
  return isSymbolized(f) ? f.raw.thread : f.thread;
}
