// The comparison of two runs as a terminal table and as GitHub-flavoured Markdown. Pure.

import pc from 'picocolors';
import { escapeControls, OUTCOME_NAMES } from '../records.ts';
import type { CaseChange, CaseSide, RunComparison, RunSummary, TargetComparison } from './compare-runs.ts';

const SECTIONS: { key: 'regressed' | 'changedCode' | 'changedGroup' | 'fixed' | 'added' | 'removed'; title: string }[] =
  [
    { key: 'regressed', title: 'Regressed' },
    { key: 'changedCode', title: 'Changed code' },
    { key: 'changedGroup', title: 'Changed failure group' },
    { key: 'fixed', title: 'Fixed' },
    { key: 'added', title: 'New' },
    { key: 'removed', title: 'Removed' },
  ];

function runTitle(s: RunSummary): string {
  return escapeControls(
    `${s.source} run of ${s.startedAt} (${s.records} records; ${s.targets.join(', ') || 'no targets'})`,
  );
}

function countsLine(p: TargetComparison): string {
  return [
    `${p.regressed.length} regressed`,
    `${p.changedCode.length} changed code`,
    `${p.changedGroup.length} changed group`,
    `${p.fixed.length} fixed`,
    `${p.added.length} new`,
    `${p.removed.length} removed`,
    `${p.unchanged} unchanged`,
  ].join(', ');
}

function outcomeText(s: CaseSide | undefined): string {
  if (!s) return '—';
  return s.codeName;
}

function labelText(ch: CaseChange): string {
  if (ch.kind === 'changed-group' || ch.kind === 'changed-code')
    return `${ch.old?.label ?? ''} → ${ch.new?.label ?? ''}`;
  if (ch.kind === 'fixed' || ch.kind === 'removed') return ch.old?.label ?? '';
  return ch.new?.label ?? '';
}

function clip(s: string, n: number): string {
  const one = escapeControls(s.replace(/\s+/g, ' '));
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

export interface RenderTableOptions {
  color: boolean;
  /** Rows listed per section before "... and N more" (default: all). */
  maxRows?: number;
}

/** Plain-text (optionally coloured) comparison for the terminal. */
export function renderComparisonTable(c: RunComparison, opts: RenderTableOptions): string {
  const col = pc.createColors(opts.color);
  const sectionColor: Record<(typeof SECTIONS)[number]['key'], (s: string) => string> = {
    regressed: (s) => col.bold(col.red(s)),
    changedCode: col.yellow,
    changedGroup: col.yellow,
    fixed: col.green,
    added: col.cyan,
    removed: col.dim,
  };
  const out: string[] = [];
  out.push(`${col.bold('old')}  ${runTitle(c.old)}`);
  out.push(`${col.bold('new')}  ${runTitle(c.new)}`);
  if (c.pairs.length === 0) out.push(col.yellow('no target of the old run matches a target of the new run'));
  for (const p of c.pairs) {
    out.push('');
    const head = p.oldTarget === p.newTarget ? p.newTarget : `${p.oldTarget} → ${p.newTarget}`;
    out.push(`${col.bold(head)}: ${countsLine(p)}`);
    // outcome counts
    const rows = OUTCOME_NAMES.filter((n) => p.totals.old[n] || p.totals.new[n]);
    const w = Math.max(...rows.map((n) => n.length), 4);
    for (const n of rows) {
      const d = p.totals.new[n] - p.totals.old[n];
      const delta = d === 0 ? '' : d > 0 ? ` (+${d})` : ` (${d})`;
      const good = n === 'OK' ? d > 0 : d < 0;
      const deltaColored = d === 0 ? '' : good ? col.green(delta) : col.red(delta);
      out.push(
        `  ${n.padEnd(w)}  ${String(p.totals.old[n]).padStart(6)} → ${String(p.totals.new[n]).padEnd(6)}${deltaColored}`.trimEnd(),
      );
    }
    for (const s of SECTIONS) {
      const list = p[s.key];
      if (list.length === 0) continue;
      out.push('');
      out.push(`  ${sectionColor[s.key](`${s.title} (${list.length})`)}`);
      const shown = opts.maxRows !== undefined ? list.slice(0, opts.maxRows) : list;
      const idW = Math.min(60, Math.max(...shown.map((ch) => ch.id.length)));
      const oldW = Math.max(...shown.map((ch) => outcomeText(ch.old).length));
      for (const ch of shown) {
        const id = clip(ch.id, 60).padEnd(idW);
        const codes = `${outcomeText(ch.old).padEnd(oldW)} → ${outcomeText(ch.new)}`;
        const label = labelText(ch);
        out.push(`    ${id}  ${codes}${label ? `  ${col.dim(clip(label, 160))}` : ''}`);
      }
      if (shown.length < list.length) out.push(`    ${col.dim(`... and ${list.length - shown.length} more`)}`);
    }
  }
  if (c.unmatched.old.length) out.push('', col.dim(`only in the old run, not compared: ${c.unmatched.old.join(', ')}`));
  if (c.unmatched.new.length) out.push('', col.dim(`only in the new run, not compared: ${c.unmatched.new.join(', ')}`));
  out.push('');
  out.push(c.regressed ? col.bold(col.red('REGRESSED')) : col.green('no regression'));
  return `${out.join('\n')}\n`;
}

function mdCell(s: string): string {
  return clip(s, 300)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** GitHub-flavoured Markdown comparison (e.g. for a PR comment or a job summary). */
export function renderComparisonMarkdown(c: RunComparison): string {
  const out: string[] = [];
  out.push(`# Run comparison: ${c.regressed ? '❌ regressed' : '✅ no regression'}`);
  out.push('');
  out.push(`- **old**: ${mdCell(runTitle(c.old))}`);
  out.push(`- **new**: ${mdCell(runTitle(c.new))}`);
  if (c.pairs.length === 0) out.push('', '_No target of the old run matches a target of the new run._');
  for (const p of c.pairs) {
    const head = p.oldTarget === p.newTarget ? p.newTarget : `${p.oldTarget} → ${p.newTarget}`;
    out.push('', `## ${mdCell(head)}`, '', countsLine(p), '');
    out.push('| outcome | old | new | Δ |', '|---|---:|---:|---:|');
    for (const n of OUTCOME_NAMES) {
      if (!p.totals.old[n] && !p.totals.new[n]) continue;
      const d = p.totals.new[n] - p.totals.old[n];
      out.push(`| ${n} | ${p.totals.old[n]} | ${p.totals.new[n]} | ${d > 0 ? `+${d}` : d} |`);
    }
    for (const s of SECTIONS) {
      const list = p[s.key];
      if (list.length === 0) continue;
      out.push('', `### ${s.title} (${list.length})`, '', '| case | old | new | failure |', '|---|---|---|---|');
      for (const ch of list) {
        out.push(`| ${mdCell(ch.id)} | ${outcomeText(ch.old)} | ${outcomeText(ch.new)} | ${mdCell(labelText(ch))} |`);
      }
    }
  }
  if (c.unmatched.old.length)
    out.push('', `Only in the old run, not compared: ${c.unmatched.old.map(mdCell).join(', ')}`);
  if (c.unmatched.new.length)
    out.push('', `Only in the new run, not compared: ${c.unmatched.new.map(mdCell).join(', ')}`);
  return `${out.join('\n')}\n`;
}
