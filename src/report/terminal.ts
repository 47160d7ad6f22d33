// Short end-of-run highlights for the terminal. Pure: the caller decides about colour (NO_COLOR, TTY)
// and where the string goes.

import { fixHint } from './fixes-section.ts';
import { maskedTerminalLine } from './masked-lines.ts';
import pc from 'picocolors';
import { CASE_ERROR_NAMES, CaseErrorCode, HARNESS_ERROR, type CaseErrorName } from '../types.ts';
import { escapeControls } from '../records.ts';
import { formatRate, type Headline, type Summary } from './summary.ts';
import { sideGroups, sideTotals, type CodeGroups } from './failure-sides.ts';
import type { FailureGroup } from '../classify/group-failures.ts';

export interface TerminalSummaryOptions {
  color: boolean;
  /** Failure groups listed: the wasm side's first (by code, largest first), then CPython's own; default 5. */
  maxGroups?: number;
}

const MAX_LABEL = 100;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function renderTerminalSummary(summary: Summary, opts: TerminalSummaryOptions): string {
  const c = pc.createColors(opts.color);
  const maxGroups = Math.max(0, opts.maxGroups ?? 5);
  const s = summary;

  const paint = (name: CaseErrorName, text: string): string => {
    switch (CaseErrorCode[name]) {
      case CaseErrorCode.OK:
        return c.green(text);
      case CaseErrorCode.BYPASS:
        return c.dim(text);
      case CaseErrorCode.WASM_EXECUTION_TIMEOUT:
      case CaseErrorCode.PY_EXECUTION_TIMEOUT:
        return c.yellow(text);
      default:
        return c.red(text);
    }
  };
  const rate = (h: Headline): string => {
    const text = h.rate === null ? 'n/a (no valid cases)' : `${formatRate(h)} (${h.failures}/${h.valid} valid)`;
    return h.rate === null ? c.dim(text) : h.failures > 0 ? c.bold(c.red(text)) : c.bold(c.green(text));
  };

  const lines: string[] = [];
  const targetText = s.targets.length
    ? ` · ${s.targets.length === 1 ? 'target' : 'targets'} ${s.targets.join(', ')}`
    : '';
  lines.push(`${c.bold('py2wasm cookbook')}: ${s.total} record${s.total === 1 ? '' : 's'}${targetText}`);
  if (s.perTarget) {
    const width = Math.max(...s.byTarget.map((t) => t.target.length));
    lines.push(`WASM failure rate: ${rate(s.headline)} pooled`);
    for (const t of s.byTarget) lines.push(`  ${t.target.padEnd(width)}  ${rate(t.headline)}`);
  } else {
    lines.push(`WASM failure rate: ${rate(s.headline)}`);
  }

  const counts = CASE_ERROR_NAMES.filter((n) => s.totals[n] > 0).map((n) => paint(n, `${n} ${s.totals[n]}`));
  lines.push(counts.length ? `  ${counts.join(c.dim(' · '))}` : c.dim('  no records'));
  if (s.unknownCodeRecords > 0) lines.push(c.yellow(`  ${s.unknownCodeRecords} record(s) with an unknown code`));
  if (s.harnessErrors.length > 0)
    lines.push(
      c.red(`  ${HARNESS_ERROR} ${s.harnessErrors.length}: record(s) the harness could not run (in summary.md)`),
    );

  const w = s.wasmFailures;
  if (w.Exception + w.Traceback + w.other > 0) {
    lines.push(
      `  WASM_EXECUTION_FAILURE: ${w.Exception} trap${w.Exception === 1 ? '' : 's'}, ${w.Traceback} traceback${w.Traceback === 1 ? '' : 's'}${w.other ? `, ${w.other} other` : ''}`,
    );
  }

  const listed = listGroups(s, maxGroups, c);
  lines.push(...listed);
  if (s.stacks.length)
    lines.push(c.dim(`${s.stacks.length} distinct call stack${s.stacks.length === 1 ? '' : 's'} in the report`));
  const masked = maskedTerminalLine(s.masked);
  if (masked) lines.push(c.dim(masked));
  const d = s.diagnoses;
  if (d.diagnosed + d.inherited > 0) {
    const notDone = d.notDone ? `, ${d.notDone} diagnostic${d.notDone === 1 ? '' : 's'} failed or ran out of time` : '';
    lines.push(
      c.dim(
        `diagnosed ${d.diagnosed} failing record${d.diagnosed === 1 ? '' : 's'}, ${d.inherited} more inherited their failure group's diagnosis${notDone}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

type Colors = ReturnType<typeof pc.createColors>;

const groupCount = (n: number) => `${n} group${n === 1 ? '' : 's'}`;

/** The wasm side's groups, then CPython's own, `max` groups in all; what is left out is counted. */
function listGroups(s: Summary, max: number, c: Colors): string[] {
  const sides: Array<{ title: string; why: string; groups: FailureGroup[]; side: CodeGroups[] }> = [
    { title: 'Wasm side', why: '', groups: sideGroups(s.sides.wasm), side: s.sides.wasm },
    {
      title: 'CPython side',
      why: ': CPython itself failed, their wasm side did not run',
      groups: sideGroups(s.sides.cpython),
      side: s.sides.cpython,
    },
  ];
  const all = sides.flatMap((x) => x.groups);
  if (!all.length) return [];
  if (max === 0) return [`${all.length} failure ${all.length === 1 ? 'group' : 'groups'}`];
  const shown = all.slice(0, max);
  const countWidth = Math.max(...shown.map((g) => String(g.count).length));
  const kindWidth = Math.max(...shown.map((g) => g.key.kind.length));
  const lines: string[] = [];
  for (const { title, why, groups, side } of sides) {
    if (!groups.length) continue;
    const { records } = sideTotals(side);
    const mine = groups.filter((g) => shown.includes(g));
    const more = mine.length < groups.length ? ` (${mine.length ? `${mine.length} listed` : 'in the report'})` : '';
    lines.push(
      `${c.bold(`${title}: ${groupCount(groups.length)}, ${records} record${records === 1 ? '' : 's'}${more}`)}${c.dim(why)}`,
    );
    for (const g of mine) {
      const target = g.key.target ? c.dim(`  [${g.key.target}]`) : '';
      lines.push(
        `  ${c.red(String(g.count).padStart(countWidth))}  ${c.cyan(g.key.kind.padEnd(kindWidth))}  ${clip(escapeControls(g.key.label), MAX_LABEL)}${target}`,
      );
      const hint = fixHint(s, g.id, g.cases[0]);
      if (hint) lines.push(c.dim(`  ${' '.repeat(countWidth + kindWidth + 4)}fix: ${hint}`));
    }
  }
  if (all.length > shown.length) {
    const left = all.length - shown.length;
    lines.push(c.dim(`  … ${left} more group${left === 1 ? '' : 's'} in the report`));
  }
  return lines;
}
