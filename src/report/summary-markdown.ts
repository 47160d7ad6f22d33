// summary.md: the Markdown a person reads first, rendered from the summary model. Pure.

import { escapeControls } from '../records.ts';
import { fixesMarkdown } from './fixes-section.ts';
import { maskedMarkdown } from './masked-lines.ts';
import { CASE_ERROR_NAMES, CaseErrorCode, HARNESS_ERROR } from '../types.ts';
import { caseList, codeSpan, escapeMarkdownText, table } from './markdown.ts';
import {
  cpythonSideMarkdown,
  stacksMarkdown,
  unknownCodeMarkdown,
  wasmSideMarkdown,
} from './summary-failures-markdown.ts';
import { formatRate, type ChapterRow, type Headline, type Summary } from './summary.ts';

export { escapeTableCell } from './markdown.ts';

function headlineSentence(h: Headline): string {
  if (h.rate === null) return `**WASM failure rate: n/a** (no valid cases)`;
  return `**WASM failure rate: ${formatRate(h)}** (${h.failures} of ${h.valid} valid cases)`;
}

function totalsMarkdown(s: Summary): string[] {
  const out: string[] = [];
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
  return out;
}

function chaptersMarkdown(s: Summary): string[] {
  const out: string[] = [];
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
  return out;
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

  // What the wasm side broke first: its failure groups, the distinct stacks with their diagnoses, the fixes
  out.push(...wasmSideMarkdown(s), ...stacksMarkdown(s), ...fixesMarkdown(s));

  // A matrix of runtimes (iwasm variants, ...): which disagree, per case
  if (s.disagreements.length) {
    out.push(`## Runtimes disagree: ${s.disagreements.length} case${s.disagreements.length === 1 ? '' : 's'}`, '');
    for (const d of s.disagreements) out.push(`- ${codeSpan(d.case)}: ${escapeMarkdownText(d.detail)}`);
    out.push('');
  }

  // the cases compared with lines masked (an OK that rests on a mask is seen as one)
  out.push(...maskedMarkdown(s.masked, s.perTarget));

  // then CPython's own failures (folded), groups of unknown codes, the numbers
  out.push(...cpythonSideMarkdown(s), ...unknownCodeMarkdown(s), ...totalsMarkdown(s), ...chaptersMarkdown(s));

  // Bypassed cases, by reason (a rule, or a missing tool)
  if (s.bypassed.length) {
    out.push('## Bypassed', '');
    for (const b of s.bypassed) out.push(`- **${b.cases.length}** · ${codeSpan(b.reason)}`, caseList(b.cases, '  '));
    out.push('');
  }

  // read in terminals too (`cat summary.md`): a case's escape sequences are shown, not obeyed
  return escapeControls(
    `${out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd()}\n`,
  );
}
