import { caseId } from '../records.ts';
import type { CaseDiagnosis, CaseRecord, DiagnosisDataByKind, DiagnosisKind, DiagnosisResult } from '../types.ts';

/** What a diagnosis says, each as one line of text, for the renderers. */
export interface DiagnosisLines {
  /** `__main__.deco at example1.py:6: def inner(*args):` */
  pythonLine?: string;
  /** `getset_get called table[4644] = Nuitka_Function_get_module : (i32) -> i32 through type (i32, i32) -> i32` */
  callee?: string;
  /** The `--debug` build's failure when it differs from the plain one. */
  assertion?: string;
  /** `27 bytes of stdout lost to the trap, recovered with PYTHONUNBUFFERED=1` */
  lostOutput?: string;
  /** Diagnostics that failed or ran out of time, `kind: why`. */
  problems: string[];
}

function dataOf<K extends DiagnosisKind>(d: CaseDiagnosis | undefined, kind: K): DiagnosisDataByKind[K] | undefined {
  const r = d?.results.find((x): x is Extract<DiagnosisResult, { kind: K }> => x.kind === kind && x.status === 'ok');
  return r?.data as DiagnosisDataByKind[K] | undefined;
}

export function describeDiagnosis(d: CaseDiagnosis | undefined): DiagnosisLines {
  const out: DiagnosisLines = { problems: [] };
  const line = dataOf(d, 'python-line');
  if (line)
    out.pythonLine = `${line.function ? `${line.function} at ` : ''}${line.file}:${line.line}${line.source ? `: ${line.source.trim()}` : ''}`;
  const call = dataOf(d, 'indirect-call');
  if (call) {
    const where = call.callerLocation ? ` (${call.callerLocation})` : '';
    const slot = call.tableIndex !== undefined ? `table[${call.tableIndex}]` : 'table[?]';
    const callee = call.callee ? `${call.callee.name} : ${call.callee.type}` : '<unknown>';
    out.callee = `${call.caller}${where} called ${slot} = ${callee} through type ${call.expectedType}`;
  }
  const debug = dataOf(d, 'debug-build');
  if (debug?.differs) out.assertion = debug.assertion ?? debug.failure;
  const lost = dataOf(d, 'unbuffered-output');
  if (lost && lost.lostBytes > 0)
    out.lostOutput = `${lost.lostBytes} bytes of stdout lost to the failure, recovered with PYTHONUNBUFFERED=1`;
  for (const r of d?.results ?? [])
    if (r.status !== 'ok') out.problems.push(`${r.kind} ${r.status}${r.message ? `: ${r.message}` : ''}`);
  return out;
}

/** `Diagnosed on 4/decorators.example1; 3 cases of this stack inherited it (...)`: where a stack's diagnosis came from. */
export function diagnosisProvenance(d: StackDiagnosis): string {
  const on = `Diagnosed on ${d.diagnosedOn.join(', ')}`;
  if (d.inherited === 0) return `${on}.`;
  return `${on}; ${d.inherited} case${d.inherited === 1 ? '' : 's'} of this stack inherited that diagnosis from ${d.diagnosedOn.length === 1 ? 'it' : 'them'} (their own Python line may differ; the option diagnose: 'case' diagnoses each).`;
}

/** The one line a failing test's message carries: the Python line and the callee (else the assertion, else the lost output). */
export function diagnosisSummaryLine(d: CaseDiagnosis | undefined): string | undefined {
  const l = describeDiagnosis(d);
  const parts = [l.pythonLine && `at ${l.pythonLine}`, l.callee, l.assertion && `--debug: ${l.assertion}`].filter(
    Boolean,
  ) as string[];
  if (parts.length === 0 && l.lostOutput) parts.push(l.lostOutput);
  if (parts.length === 0) return undefined;
  return `diagnosis${d?.inherited ? ` (from ${d.diagnosedCase})` : ''}: ${parts.join(' | ')}`;
}

/** What the diagnoses of a group of cases found, each line once. */
export interface StackDiagnosis {
  pythonLines: string[];
  callees: string[];
  assertions: string[];
  /** The cases the lines were found on (`<chapter>/<case>`), each once. */
  diagnosedOn: string[];
  /** How many of the stack's cases took their diagnosis from another case of their failure group. */
  inherited: number;
}

/**
 * The distinct Python lines, callees and assertions of the cases (ids `<chapter>/<case>`) of one
 * distinct stack, and which cases they were found on: an inherited Python line is the diagnosed
 * case's statement, not necessarily the inheriting case's own.
 */
export function diagnosisOfCases(
  records: readonly CaseRecord[],
  caseIds: readonly string[],
): StackDiagnosis | undefined {
  const members = new Set(caseIds);
  const found: StackDiagnosis = { pythonLines: [], callees: [], assertions: [], diagnosedOn: [], inherited: 0 };
  const add = (list: string[], line: string | undefined) => {
    if (line && !list.includes(line)) list.push(line);
  };
  for (const r of records) {
    if (!r.diagnosis || !members.has(caseId(r))) continue;
    const lines = describeDiagnosis(r.diagnosis);
    if (lines.pythonLine || lines.callee || lines.assertion) add(found.diagnosedOn, r.diagnosis.diagnosedCase);
    if (r.diagnosis.inherited) found.inherited++;
    add(found.pythonLines, lines.pythonLine);
    add(found.callees, lines.callee);
    add(found.assertions, lines.assertion);
  }
  return found.pythonLines.length + found.callees.length + found.assertions.length ? found : undefined;
}
