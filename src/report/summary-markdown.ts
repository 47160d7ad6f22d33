// summary.md: the Markdown a person reads first, rendered from the summary model. Pure.

import { codeNameOf, escapeControls } from '../records.ts';
import { fixesMarkdown, fixHint } from './fixes-section.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, HARNESS_ERROR } from '../types.ts';
import { displayFunction } from '../parse/nuitka-names.ts';
import type { StackGroup } from '../diagnose/stack-groups.ts';
import { diagnosisProvenance, stackOverflowsOf } from '../diagnose/describe.ts';
import {
  formatRate,
  wasmFailureCounterRepr,
  type ChapterRow,
  type Headline,
  type Summary,
  type WasmFailureCounter,
} from './summary.ts';

/** Escapes a GitHub-markdown table cell: backslashes, pipes, HTML brackets; newlines become `<br>`. */
export function escapeTableCell(text: string): string {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** Escapes plain text for a markdown paragraph (one line). */
function escapeMarkdownText(text: string): string {
  return String(text)
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`*_[\]<>|~#]/g, '\\$&');
}

/** An inline code span that survives backticks inside the text. */
function codeSpan(text: string): string {
  const t = String(text).replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') || (t.startsWith(' ') && t.endsWith(' ') && t.trim()) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

function table(header: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map((c) => escapeTableCell(String(c))).join(' | ')} |`;
  const sep = `|${header.map((_, i) => (align?.[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** Case lists longer than this go into a collapsed `<details>` block. */
const INLINE_CASES = 8;

function caseList(cases: readonly string[], indent: string): string {
  const joined = cases.map(codeSpan).join(', ');
  if (cases.length <= INLINE_CASES) return `${indent}${joined}`;
  return [
    `${indent}<details><summary>${cases.length} cases</summary>`,
    '',
    `${indent}${joined}`,
    '',
    `${indent}</details>`,
  ].join('\n');
}

function headlineSentence(h: Headline): string {
  if (h.rate === null) return `**WASM failure rate: n/a** (no valid cases)`;
  return `**WASM failure rate: ${formatRate(h)}** (${h.failures} of ${h.valid} valid cases)`;
}

const MAX_STACK_FRAMES = 15;

function renderStack(group: StackGroup, index: number): string {
  const frames = Array.isArray(group.frames) ? group.frames : [];
  const cases = Array.isArray(group.cases) ? group.cases : [];
  const top = frames[0]?.function;
  const out: string[] = [
    `### ${index + 1}. ${top ? codeSpan(displayFunction(top)) : '(no frames)'}: ${cases.length} case${cases.length === 1 ? '' : 's'}`,
    '',
  ];
  if (group.note) out.push(escapeMarkdownText(group.note), '');
  const found = group.diagnosis;
  if (found) {
    const item = (label: string, lines: string[]) => lines.map((l) => `- ${label}: ${codeSpan(l)}`);
    out.push(
      ...item('Python line', found.pythonLines),
      ...item('callee', found.callees),
      ...item('`--debug` build', found.assertions),
      ...item('C stack', found.stackOverflows),
      '',
    );
    if (found.diagnosedOn.length) out.push(escapeMarkdownText(diagnosisProvenance(found)), '');
  }
  if (frames.length) {
    const body = frames.slice(0, MAX_STACK_FRAMES).map((f, i) => {
      const where = f.file ? `  ${f.file}${typeof f.line === 'number' ? `:${f.line}` : ''}` : '';
      return `#${i} ${displayFunction(f.function ?? '?')}${where}`;
    });
    if (frames.length > MAX_STACK_FRAMES) body.push(`... ${frames.length - MAX_STACK_FRAMES} more frames`);
    const text = body.join('\n');
    const fence = '`'.repeat(Math.max(3, ...(text.match(/`{3,}/g) ?? []).map((m) => m.length + 1)));
    out.push(`${fence}text`, text, fence, '');
  }
  if (group.link) out.push(`[details](<${String(group.link).replace(/[<>\s]/g, (c) => encodeURIComponent(c))}>)`, '');
  if (cases.length) out.push(caseList(cases, ''), '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Markdown

export function renderSummaryMarkdown(summary: Summary): string {
  const s = summary;
  const out: string[] = ['# py2wasm cookbook report', ''];

  // Headline
  if (s.perTarget) {
    out.push(`${headlineSentence(s.headline)}, all targets pooled`, '');
    out.push(
      table(
        ['target', 'WASM failures', 'valid cases', 'WASM failure rate'],
        s.byTarget.map((t) => [t.target, t.headline.failures, t.headline.valid, formatRate(t.headline)]),
        ['l', 'r', 'r', 'r'],
      ),
      '',
    );
  } else {
    out.push(`${headlineSentence(s.headline)}${s.targets[0] ? ` on ${codeSpan(s.targets[0])}` : ''}`, '');
  }
  out.push(
    '<sub>WASM failure rate = (WASM_EXECUTION_FAILURE + WASM_EXECUTION_TIMEOUT) / (all − PY_EXECUTION_FAILURE − PY_EXECUTION_TIMEOUT − BYPASS)</sub>',
    '',
  );
  const run = s.run ?? ({} as Partial<Summary['run']>);
  const runBits = [
    `${s.total} record${s.total === 1 ? '' : 's'}`,
    s.targets.length ? `target${s.targets.length === 1 ? '' : 's'} ${s.targets.map(codeSpan).join(', ')}` : undefined,
    run.source ? `source ${escapeMarkdownText(run.source)}` : undefined,
    run.startedAt ? `${escapeMarkdownText(run.startedAt)} → ${escapeMarkdownText(run.endedAt ?? '?')}` : undefined,
  ].filter(Boolean);
  out.push(`Run: ${runBits.join(' · ')}`, '');
  if (s.unknownCodeRecords > 0)
    out.push(`⚠️ ${s.unknownCodeRecords} record(s) with an unknown code (counted in the record total only).`, '');
  if (s.harnessErrors.length > 0) {
    out.push(
      `⚠️ **${s.harnessErrors.length} ${HARNESS_ERROR}**: record(s) the harness could not run (listed below; in no code and not in the rate).`,
      '',
    );
  }
  if (s.notes.length) out.push(...s.notes.map((n) => `- ${String(n).replace(/\r\n|\r|\n/g, ' ')}`), '');

  // Totals
  out.push('## Totals', '');
  if (s.perTarget) {
    out.push(
      table(
        ['code', 'name', ...s.byTarget.map((t) => t.target), 'all'],
        [
          ...CASE_ERROR_NAMES.map((n) => [CaseErrorCode[n], n, ...s.byTarget.map((t) => t.totals[n]), s.totals[n]]),
          ...(s.harnessErrors.length
            ? [
                [
                  '—',
                  HARNESS_ERROR,
                  ...s.byTarget.map((t) => s.harnessErrors.filter((h) => h.target === t.target).length),
                  s.harnessErrors.length,
                ],
              ]
            : []),
          ['', 'total', ...s.byTarget.map((t) => t.total), s.total],
        ],
        ['r', 'l', ...s.byTarget.map(() => 'r' as const), 'r'],
      ),
      '',
    );
  } else {
    const harnessRow = s.harnessErrors.length ? [['—', HARNESS_ERROR, s.harnessErrors.length]] : [];
    out.push(
      table(
        ['code', 'name', 'count'],
        [...CASE_ERROR_NAMES.map((n) => [CaseErrorCode[n], n, s.totals[n]]), ...harnessRow, ['', 'total', s.total]],
        ['r', 'l', 'r'],
      ),
      '',
    );
  }
  if (s.harnessErrors.length) {
    out.push(`## ${HARNESS_ERROR}: cases the harness could not run`, '');
    for (const h of s.harnessErrors)
      out.push(
        `- ${codeSpan(h.case)}${s.perTarget ? ` · ${codeSpan(h.target)}` : ''}: ${codeSpan(h.message.split('\n')[0] ?? '')}`,
      );
    out.push('');
  }

  // Chapter x code
  out.push('## By chapter', '');
  const chapterTableMd = (rows: ChapterRow[]) =>
    table(
      ['chapter', ...CASE_ERROR_NAMES, 'total'],
      rows.map((r) => [r.chapter, ...CASE_ERROR_NAMES.map((n) => r.counts[n]), r.total]),
      ['l', ...CASE_ERROR_NAMES.map(() => 'r' as const), 'r'],
    );
  if (s.perTarget) {
    for (const t of s.byTarget)
      out.push(`### ${codeSpan(t.target)}`, '', t.chapters.length ? chapterTableMd(t.chapters) : '_no records_', '');
  } else {
    out.push(s.chapters.length ? chapterTableMd(s.chapters) : '_no records_', '');
  }

  // Traps vs tracebacks
  out.push('## WASM_EXECUTION_FAILURE: runtime traps vs Python tracebacks', '');
  const counterLine = (c: WasmFailureCounter) =>
    `${codeSpan(wasmFailureCounterRepr(c))}: ${c.Exception} runtime trap${c.Exception === 1 ? '' : 's'} (Exception), ${c.Traceback} Python traceback${c.Traceback === 1 ? '' : 's'} inside the wasm (Traceback)${c.other ? `, ${c.other} other` : ''}`;
  if (s.perTarget) for (const t of s.byTarget) out.push(`- ${codeSpan(t.target)}: ${counterLine(t.wasmFailures)}`);
  else out.push(counterLine(s.wasmFailures));
  out.push('');

  // Failure groups, by code in `CaseErrorCode` order
  out.push('## Failure groups', '');
  if (!s.failureGroups.length) out.push('No failures.', '');
  for (const name of CASE_ERROR_NAMES) {
    const groups = s.failureGroups.filter((g) => g.key.code === CaseErrorCode[name]);
    if (!groups.length) continue;
    const n = groups.reduce((a, g) => a + g.count, 0);
    out.push(`### ${name}: ${n} in ${groups.length} group${groups.length === 1 ? '' : 's'}`, '');
    for (const g of groups) {
      const target = g.key.target ? ` · ${codeSpan(g.key.target)}` : '';
      // a --debug build that failed otherwise is shown beside the plain failure (and split the group)
      const debug = g.key.debugFailure !== undefined ? ` · --debug: ${codeSpan(g.key.debugFailure)}` : '';
      const hint = fixHint(s, g.id, g.cases[0]);
      out.push(
        `- **${g.count}** · ${g.key.kind} · ${codeSpan(g.key.label)}${debug}${target}${hint ? ` · fix: ${codeSpan(hint)}` : ''}`,
      );
      out.push(...stackOverflowsOf(g.records).map((line) => `  - ${escapeMarkdownText(line)}`));
      out.push(caseList(g.cases, '  '));
    }
    out.push('');
  }
  const unknown = s.failureGroups.filter((g) => g.key.kind !== 'harness' && codeNameOf(g.key.code) === undefined);
  if (unknown.length) {
    out.push('### unknown code', '');
    for (const g of unknown)
      out.push(
        `- **${g.count}** · code ${escapeMarkdownText(String(g.key.code))} · ${codeSpan(g.key.label)}`,
        caseList(g.cases, '  '),
      );
    out.push('');
  }

  out.push(...fixesMarkdown(s));

  // A matrix of runtimes (iwasm variants, ...): which disagree, per case
  if (s.disagreements.length) {
    out.push(`## Runtimes disagree: ${s.disagreements.length} case${s.disagreements.length === 1 ? '' : 's'}`, '');
    for (const d of s.disagreements) out.push(`- ${codeSpan(d.case)}: ${escapeMarkdownText(d.detail)}`);
    out.push('');
  }

  // Bypassed cases, by reason (a rule, or a missing tool)
  if (s.bypassed.length) {
    out.push('## Bypassed', '');
    for (const b of s.bypassed) out.push(`- **${b.cases.length}** · ${codeSpan(b.reason)}`, caseList(b.cases, '  '));
    out.push('');
  }

  // Call stacks
  if (s.stacks.length) {
    out.push(`## Distinct call stacks: ${s.stacks.length}`, '');
    s.stacks.forEach((g, i) => out.push(renderStack(g, i)));
  }
  const noStack = s.cases.filter((c) => c.record.stack?.wasmMissing);
  if (noStack.length) {
    out.push(
      `## Call stacks missing: ${noStack.length}`,
      '',
      ...noStack.map((c) => `- ${codeSpan(c.id)} [${c.record.target}]: ${String(c.record.stack!.wasmMissing)}`),
      '',
    );
  }

  // read in terminals too (`cat summary.md`): a case's escape sequences are shown, not obeyed
  return escapeControls(
    `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}
