// A case's diagnosis in the HTML report: what the diagnose stage found, and what it could not tell.

import { describeDiagnosis } from '../../diagnose/describe.ts';
import type { CaseRecord, DiagnosisDataByKind } from '../../types.ts';
import { capText, esc } from './escape.ts';

function okData<K extends keyof DiagnosisDataByKind>(r: CaseRecord, kind: K): DiagnosisDataByKind[K] | undefined {
  const found = r.diagnosis?.results.find((x) => x.kind === kind && x.status === 'ok');
  return found?.data as DiagnosisDataByKind[K] | undefined;
}

export function diagnosisBlock(r: CaseRecord): string {
  const d = r.diagnosis;
  if (!d) return '';
  const lines = describeDiagnosis(d);
  const items = [
    lines.pythonLine && `<li>Python line: <code>${esc(lines.pythonLine)}</code></li>`,
    lines.pythonLineMissing && `<li class="muted">Python line: ${esc(lines.pythonLineMissing)}</li>`,
    lines.callee && `<li>callee: <code>${esc(lines.callee)}</code></li>`,
    lines.assertion && `<li><code>--debug</code> build: <code>${esc(lines.assertion)}</code></li>`,
    lines.lostOutput && `<li>${esc(lines.lostOutput)}</li>`,
    lines.stack && `<li${lines.stackOverflows ? '' : ' class="muted"'}>C stack: ${esc(lines.stack)}</li>`,
    ...lines.problems.map((p) => `<li class="muted">${esc(p)}</li>`),
  ].filter(Boolean);
  const recovered = okData(r, 'unbuffered-output');
  const traceback = okData(r, 'traceback-source');
  const from = d.inherited
    ? ` <span class="muted">(callee and <code>--debug</code> build from ${esc(d.diagnosedCase)}, same failure group; the Python line is this case's own)</span>`
    : '';
  return [
    `<div class="diagnosis"><div class="label">diagnosis${from}</div>`,
    items.length ? `<ul>${items.join('')}</ul>` : '',
    recovered && recovered.lostBytes > 0
      ? `<details class="out"><summary>stdout before the failure (PYTHONUNBUFFERED=1)</summary><pre>${esc(capText(recovered.stdout.text))}</pre></details>`
      : '',
    traceback
      ? `<details class="out" open><summary>traceback with source lines</summary><pre>${esc(capText(traceback.traceback))}</pre></details>`
      : '',
    '</div>',
  ].join('');
}
