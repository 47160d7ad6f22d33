import { caseId } from '../records.ts';
import type { CaseDiagnosis, CaseRecord, DiagnosisDataByKind, DiagnosisKind, DiagnosisResult } from '../types.ts';

/** What a diagnosis says, each as one line of text, for the renderers. */
export interface DiagnosisLines {
  /** The case's own Python line: `__main__.deco at example1.py:6: def inner(*args):` */
  pythonLine?: string;
  /** Why the case has no Python line of its own, when one was looked for: `not diagnosed for this case (...)`. */
  pythonLineMissing?: string;
  /** `getset_get called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32` */
  callee?: string;
  /** The `--debug` build's failure when it differs from the plain one. */
  assertion?: string;
  /** `27 bytes of stdout lost to the trap, recovered with PYTHONUNBUFFERED=1` */
  lostOutput?: string;
  /** `the 64 KiB C stack (above the data) overflows in ...; a 1 MiB stack placed first fixes it`, or why it does not overflow. */
  stack?: string;
  /** Whether `stack` says the stack overflows. */
  stackOverflows?: boolean;
  /** The case the group's findings (callee, `--debug` build, C stack) come from, when it is another one. */
  from?: string;
  /** Diagnostics that failed or ran out of time, `kind: why`. */
  problems: string[];
}

function resultOf<K extends DiagnosisKind>(
  d: CaseDiagnosis | undefined,
  kind: K,
): Extract<DiagnosisResult, { kind: K }> | undefined {
  return d?.results.find((x): x is Extract<DiagnosisResult, { kind: K }> => x.kind === kind);
}

function dataOf<K extends DiagnosisKind>(d: CaseDiagnosis | undefined, kind: K): DiagnosisDataByKind[K] | undefined {
  const r = resultOf(d, kind);
  return r?.status === 'ok' ? (r.data as DiagnosisDataByKind[K] | undefined) : undefined;
}

const formatLine = (l: { function?: string; file: string; line: number; source?: string }) =>
  `${l.function ? `${l.function} at ` : ''}${l.file}:${l.line}${l.source ? `: ${l.source.trim()}` : ''}`;

/**
 * The case's own Python line: the `--trace-execution` statement when that re-compile ran on this
 * very case, else the frame read from its trapped memory. Never the line of the case its failure
 * group was diagnosed on.
 */
function ownPythonLine(d: CaseDiagnosis | undefined): Pick<DiagnosisLines, 'pythonLine' | 'pythonLineMissing'> {
  // an inherited diagnosis's trace is another case's (records written before it was withheld carry it)
  const traced = d && !d.inherited ? dataOf(d, 'python-line') : undefined;
  if (traced) return { pythonLine: formatLine(traced) };
  const frames = resultOf(d, 'python-frames');
  const own = frames?.status === 'ok' ? frames.data?.own : undefined;
  if (own) return { pythonLine: formatLine(own) };
  const why =
    frames?.status === 'ok'
      ? frames.data?.notFound
      : frames
        ? `the frame read ${frames.status === 'timeout' ? 'ran out of time' : 'failed'}${frames.message ? `: ${frames.message}` : ''}`
        : undefined;
  const traceElsewhere = d?.withheld?.includes('python-line')
    ? `the --trace-execution re-compile ran on ${d.diagnosedCase} only`
    : undefined;
  const reasons = [why, traceElsewhere].filter(Boolean);
  return reasons.length ? { pythonLineMissing: `not diagnosed for this case (${reasons.join('; ')})` } : {};
}

export function describeDiagnosis(d: CaseDiagnosis | undefined): DiagnosisLines {
  const out: DiagnosisLines = { problems: [], ...ownPythonLine(d) };
  if (d?.inherited) out.from = d.diagnosedCase;
  const call = dataOf(d, 'indirect-call');
  if (call) {
    const where = call.callerLocation ? ` (${call.callerLocation})` : '';
    const slot = call.tableIndex !== undefined ? `table[${call.tableIndex}]` : 'table[?]';
    const callee = call.callee ? `${call.callee.name} : ${call.callee.type}` : '<unknown>';
    out.callee = `${call.caller}${where} called ${slot} = ${callee} through type ${call.expectedType}`;
  }
  const debug = dataOf(d, 'debug-build');
  if (debug?.differs) out.assertion = debug.assertion ?? debug.failure;
  const stack = dataOf(d, 'stack-overflow');
  if (stack) {
    out.stack = stackLine(stack);
    out.stackOverflows = stack.overflows;
  }
  const lost = dataOf(d, 'unbuffered-output');
  if (lost && lost.lostBytes > 0)
    out.lostOutput = `${lost.lostBytes} bytes of stdout lost to the failure, recovered with PYTHONUNBUFFERED=1`;
  for (const r of d?.results ?? [])
    if (r.status !== 'ok') out.problems.push(`${r.kind} ${r.status}${r.message ? `: ${r.message}` : ''}`);
  return out;
}

/** `64 KiB`, `1 MiB`, `8 MiB`: stack sizes as people write them. */
export function formatBytes(bytes: number): string {
  if (bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** `strcpy (libc-top-half/musl/src/string/strcpy.c:5)` -> `strcpy` */
const functionOnly = (frame: string) => frame.replace(/ \(.*\)$/, '');

function stackLine(s: DiagnosisDataByKind['stack-overflow']): string {
  const size = s.stack.size !== undefined ? `${formatBytes(s.stack.size)} ` : '';
  const stack = `the ${size}C stack (${s.stack.placement === 'first' ? 'below' : 'above'} the data)`;
  const last = s.tried.at(-1);
  if (!s.overflows)
    return `no stack overflow: ${stack} holds; placed first, the case ends ${s.stackFirst.codeName}${s.stackFirst.failure ? ` (${s.stackFirst.failure})` : ''}`;
  // the functions alone: their files are in the diagnosis' frames
  const where = s.frames?.length ? ` in ${s.frames.slice(0, 3).map(functionOnly).join(' ← ')}` : '';
  const fix =
    s.fixedBy !== undefined
      ? `a ${formatBytes(s.fixedBy)} stack placed first makes the case pass`
      : last
        ? `no stack up to ${formatBytes(last.stackBytes)} makes it pass (${last.codeName}${last.failure ? `: ${last.failure}` : ''})`
        : 'no bigger stack was tried';
  return `stack overflow: ${stack} overflows${where}; ${fix}`;
}

/** `Callee and --debug build diagnosed on 4/decorators.example1; ...`: where a stack's group findings came from. */
export function diagnosisProvenance(d: StackDiagnosis): string {
  const on = `Callee and --debug build diagnosed on ${d.diagnosedOn.join(', ')}`;
  const own = "Python lines are each case's own.";
  if (d.inherited === 0) return `${on}. ${own}`;
  return `${on}; ${d.inherited} case${d.inherited === 1 ? '' : 's'} of this stack inherited that diagnosis from ${d.diagnosedOn.length === 1 ? 'it' : 'them'} (the option diagnose: 'case' diagnoses each). ${own}`;
}

/** The one line a failing test's message carries: the case's Python line, then its group's callee (else the assertion, else the lost output). */
export function diagnosisSummaryLine(d: CaseDiagnosis | undefined): string | undefined {
  const l = describeDiagnosis(d);
  const own = l.pythonLine ? `at ${l.pythonLine}` : l.pythonLineMissing && `Python line ${l.pythonLineMissing}`;
  const group = [l.callee, l.assertion && `--debug: ${l.assertion}`, l.stackOverflows && l.stack].filter(
    Boolean,
  ) as string[];
  const groupPart = group.length ? `${l.from ? `from ${l.from}: ` : ''}${group.join(' | ')}` : undefined;
  const parts = [own, groupPart].filter(Boolean) as string[];
  if (!l.pythonLine && !groupPart && l.lostOutput) parts.push(l.lostOutput);
  return parts.length ? `diagnosis: ${parts.join(' | ')}` : undefined;
}

/** What the diagnoses of a group of cases found, each line once. */
export interface StackDiagnosis {
  /** Each case's own Python line, `<chapter>/<case>: <line>`, or that it was not diagnosed for that case. */
  pythonLines: string[];
  callees: string[];
  assertions: string[];
  /** Stack overflows found (what overflowed, the stack that fixes it). */
  stackOverflows: string[];
  /** The cases the callees, assertions and stack overflows were found on (`<chapter>/<case>`), each once. */
  diagnosedOn: string[];
  /** How many of the stack's cases took their diagnosis from another case of their failure group. */
  inherited: number;
}

/**
 * The Python lines (each case's own), distinct callees and assertions of the cases (ids
 * `<chapter>/<case>`) of one distinct stack, and which cases the callees and assertions were found on.
 */
export function diagnosisOfCases(
  records: readonly CaseRecord[],
  caseIds: readonly string[],
): StackDiagnosis | undefined {
  const members = new Set(caseIds);
  const found: StackDiagnosis = {
    pythonLines: [],
    callees: [],
    assertions: [],
    stackOverflows: [],
    diagnosedOn: [],
    inherited: 0,
  };
  const add = (list: string[], line: string | undefined) => {
    if (line && !list.includes(line)) list.push(line);
  };
  for (const r of records) {
    if (!r.diagnosis || !members.has(caseId(r))) continue;
    const lines = describeDiagnosis(r.diagnosis);
    const overflow = lines.stackOverflows ? lines.stack : undefined;
    if (lines.callee || lines.assertion || overflow) add(found.diagnosedOn, r.diagnosis.diagnosedCase);
    if (r.diagnosis.inherited) found.inherited++;
    const own = lines.pythonLine ?? lines.pythonLineMissing;
    if (own) add(found.pythonLines, `${caseId(r)}: ${own}`);
    add(found.callees, lines.callee);
    add(found.assertions, lines.assertion);
    add(found.stackOverflows, overflow);
  }
  const lines = found.pythonLines.length + found.callees.length + found.assertions.length + found.stackOverflows.length;
  return lines ? found : undefined;
}

/** The distinct stack overflows the records' diagnoses found, with the case each was found on: what a failure group lists. */
export function stackOverflowsOf(records: readonly CaseRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) {
    const lines = describeDiagnosis(r.diagnosis);
    if (lines.stackOverflows && lines.stack) out.add(`${lines.stack} (found on ${r.diagnosis!.diagnosedCase})`);
  }
  return [...out];
}
