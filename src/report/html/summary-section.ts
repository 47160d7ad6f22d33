// The summary section of the HTML report: what summary.md says, rendered from the same model
// (headline, chapter x code, traps vs tracebacks, bypassed cases); the distinct call stacks, shown
// with the wasm side's failure groups.

import { CASE_ERROR_NAMES } from '../../types.ts';
import { displayFunction } from '../../parse/nuitka-names.ts';
import type { StackGroup } from '../../diagnose/stack-groups.ts';
import { diagnosisProvenance } from '../../diagnose/describe.ts';
import {
  formatRate,
  wasmFailureCounterRepr,
  type ChapterRow,
  type Headline,
  type Summary,
  type WasmFailureCounter,
} from '../summary.ts';
import { frameLines, noteParagraph } from './case-details.ts';
import { esc } from './escape.ts';
import { maskedBlock } from './masked.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function headlineText(h: Headline): string {
  return h.rate === null
    ? 'WASM failure rate: n/a (no valid cases)'
    : `WASM failure rate: ${formatRate(h)} (${h.failures} of ${h.valid} valid cases)`;
}

function table(header: string[], rows: (string | number)[][], numeric: (i: number) => boolean): string {
  const cell = (tag: string, v: string | number, i: number) =>
    `<${tag}${numeric(i) ? ' class="num"' : ''}>${esc(v)}</${tag}>`;
  return `<table><thead><tr>${header.map((h, i) => cell('th', h, i)).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((v, i) => cell('td', v, i)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function chapterTable(rows: readonly ChapterRow[]): string {
  if (!rows.length) return '<p class="muted">no records</p>';
  return table(
    ['chapter', ...CASE_ERROR_NAMES, 'total'],
    rows.map((r) => [r.chapter, ...CASE_ERROR_NAMES.map((n) => r.counts[n]), r.total]),
    (i) => i > 0,
  );
}

function counterLine(c: WasmFailureCounter): string {
  return `<code>${esc(wasmFailureCounterRepr(c))}</code>: ${esc(
    `${plural(c.Exception, 'runtime trap')} (Exception), ${plural(c.Traceback, 'Python traceback')} inside the wasm (Traceback)${c.other ? `, ${c.other} other` : ''}`,
  )}`;
}

function caseList(cases: readonly string[]): string {
  return `<p class="glabel">${cases.map(esc).join(', ')}</p>`;
}

/** What the group's cases were diagnosed with, as summary.md lists it. */
function stackDiagnosis(g: StackGroup): string {
  const d = g.diagnosis;
  if (!d) return '';
  const item = (label: string, lines: string[]) => lines.map((l) => `<li>${label}: <code>${esc(l)}</code></li>`);
  const from = d.diagnosedOn.length ? `<p class="muted">${esc(diagnosisProvenance(d))}</p>` : '';
  const items = [
    ...item('Python line', d.pythonLines),
    ...item('callee', d.callees),
    ...item('<code>--debug</code> build', d.assertions),
    ...item('C stack', d.stackOverflows),
  ];
  return `<ul class="diagnosis">${items.join('')}</ul>${from}`;
}

/** The distinct call stacks with what the diagnose stage found (shown with the wasm side's groups). */
export function stacksBlock(s: Summary): string {
  if (!s.stacks.length) return '';
  const groups = s.stacks.map((g, i) => {
    const top = g.frames[0] ? displayFunction(g.frames[0].function) : '(no frames)';
    return `<details class="stack-group"><summary><span class="glabel">${esc(`${i + 1}. ${top}`)}</span><span class="count">${g.cases.length}</span></summary><div class="cases">${noteParagraph(g)}${stackDiagnosis(g)}<pre class="stack">${frameLines(g.frames).join('\n')}</pre>${caseList(g.cases)}</div></details>`;
  });
  return `<h3>Distinct call stacks: ${s.stacks.length}</h3>${groups.join('')}`;
}

export function summarySection(s: Summary): string {
  const headline = s.perTarget
    ? `<p><strong>${esc(headlineText(s.headline))}</strong>, all targets pooled</p>${table(
        ['target', 'WASM failures', 'valid cases', 'WASM failure rate'],
        s.byTarget.map((t) => [t.target, t.headline.failures, t.headline.valid, formatRate(t.headline)]),
        (i) => i > 0,
      )}`
    : `<p><strong>${esc(headlineText(s.headline))}</strong>${s.targets[0] ? ` on <code>${esc(s.targets[0])}</code>` : ''}</p>`;
  const formula =
    '<p class="muted">WASM failure rate = (WASM_EXECUTION_FAILURE + WASM_EXECUTION_TIMEOUT) / (all − PY_EXECUTION_FAILURE − PY_EXECUTION_TIMEOUT − BYPASS)</p>';
  const unknown =
    s.unknownCodeRecords > 0
      ? `<p>${esc(`${s.unknownCodeRecords} record(s) with an unknown code (counted in the record total only).`)}</p>`
      : '';
  const notes = s.notes.length ? `<ul>${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  const chapters = s.perTarget
    ? s.byTarget.map((t) => `<h4><code>${esc(t.target)}</code></h4>${chapterTable(t.chapters)}`).join('')
    : chapterTable(s.chapters);
  const counters = s.perTarget
    ? `<ul>${s.byTarget.map((t) => `<li><code>${esc(t.target)}</code>: ${counterLine(t.wasmFailures)}</li>`).join('')}</ul>`
    : `<p>${counterLine(s.wasmFailures)}</p>`;
  const bypassed = s.bypassed.length
    ? `<h3>Bypassed</h3><ul>${s.bypassed.map((b) => `<li><strong>${b.cases.length}</strong> · <code>${esc(b.reason)}</code>${caseList(b.cases)}</li>`).join('')}</ul>`
    : '';
  const body = `${headline}${formula}${unknown}${notes}<h3>By chapter</h3>${chapters}<h3>WASM_EXECUTION_FAILURE: runtime traps vs Python tracebacks</h3>${counters}${bypassed}${maskedBlock(s.masked)}`;
  return `<section id="summary"><h2>Summary</h2><details><summary>headline, chapters, traps vs tracebacks, bypassed cases${s.masked.length ? ', lines masked' : ''}</summary><div class="summary-body">${body}</div></details></section>`;
}
