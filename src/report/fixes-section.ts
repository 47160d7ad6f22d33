// The Fixes section of summary.md and index.html (from the one summary model): the patches
// `vitest-py2wasm fix` verified on this run's results, and, for a plain run, which failure groups a
// fix kind speaks for and the command that proposes it.
import { tally } from '../fix/results.ts';
import { esc } from './html/escape.ts';
import type { Summary } from './summary.ts';

/** ` · fix: `npx vitest-py2wasm fix <case>` (kind)` for a failure group a fix kind speaks for. */
export function fixHint(s: Summary, groupId: string, firstCase: string | undefined): string | undefined {
  const kind = s.fixKinds[groupId];
  return kind && firstCase ? `npx vitest-py2wasm fix ${firstCase}` : undefined;
}

function lines(s: Summary): Array<{ text: string; patch?: string }> {
  const f = s.fixes;
  if (!f) return [];
  const count = (v: Parameters<typeof tally>[0]) => {
    const t = tally(v);
    return `${t.fixed} fixed, ${t.stillFailing} still failing, ${t.regressed} regressed, ${t.stillOk} still OK`;
  };
  return [
    ...f.fixes.map((x) => ({
      text: `${x.title} (${x.kind}; ${x.groups.map((g) => g.label).join('; ')}): ${count(x.verified)}`,
      patch: `fixes/${x.patch}`,
    })),
    ...(f.all ? [{ text: `all patches together, the whole cookbook re-run: ${count(f.all.verified)}` }] : []),
    ...f.noFix.map((n) => ({
      text: `no known fix for ${n.group.label} (${n.group.cases.length} case${n.group.cases.length === 1 ? '' : 's'}): ${n.reason}`,
    })),
  ];
}

export function fixesMarkdown(s: Summary): string[] {
  const items = lines(s);
  if (!items.length) return [];
  return [
    '## Fixes',
    '',
    ...items.map((i) => `- ${i.text.replace(/\n/g, ' ')}${i.patch ? ` — \`${i.patch}\`` : ''}`),
    '',
    'Verification tables, root causes and the patches: `fixes/fixes.md`.',
    '',
  ];
}

export function fixesHtml(s: Summary): string {
  const items = lines(s);
  if (!items.length) return '';
  return `<section id="fixes"><h2>Fixes</h2><ul>${items.map((i) => `<li>${esc(i.text)}${i.patch ? ` <a href="${esc(i.patch)}">${esc(i.patch)}</a>` : ''}</li>`).join('')}</ul><p class="muted">Verification tables, root causes and the patches: <a href="fixes/fixes.md">fixes/fixes.md</a>.</p></section>`;
}
