// fixes.md: what `vitest-py2wasm fix` found, ready for an upstream issue or pull request: what
// fails, the root cause, the patch, the verification (case by case, before -> after), the tools.
import { tally, type FixEntry, type FixesFile } from '../fix/results.ts';
import type { ModuleCheck, VerifiedCase } from '../fix/types.ts';
import { escapeControls } from '../records.ts';
import { escapeMarkdownText } from './markdown.ts';

const cell = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function verificationTable(verified: VerifiedCase[]): string[] {
  return [
    '| case | target | re-run because | before | after |',
    '|---|---|---|---|---|',
    ...verified.map(
      (v) =>
        `| \`${v.case}\` | ${v.target} | ${v.role === 'failing' ? 'it failed' : 'it passed'} | ${v.before} | ${v.after}${v.afterMessage ? `: ${cell(v.afterMessage)}` : ''} |`,
    ),
  ];
}

export function tallyLine(verified: VerifiedCase[]): string {
  const t = tally(verified);
  return `${t.fixed} fixed, ${t.stillFailing} still failing, ${t.regressed} regressed, ${t.stillOk} passing before and after`;
}

/** What the modules compiled from the patched package showed: each distinct finding, with its cases. */
export function moduleChecksLine(checks: ModuleCheck[]): string {
  if (!checks.length)
    return '**Modules compiled from the patched package**: none was compiled (every case failed before its module).';
  const found = [...new Set(checks.map((c) => c.found))].map((what) => {
    const cases = checks.filter((c) => c.found === what);
    const mark = cases[0]!.ok ? 'as the patch asks' : '**not what the patch asks**';
    return `${what} (${mark}): ${cases.map((c) => `\`${c.case}\` on ${c.target}`).join(', ')}`;
  });
  return `**Modules compiled from the patched package**: ${found.join('; ')}.`;
}

function fixSection(f: FixEntry, patchText: string): string[] {
  const s = f.sites;
  return [
    `## ${f.patch}: ${f.title}`,
    '',
    `**What fails**: ${f.groups.map((g) => `\`${cell(g.label)}\` (${g.cases.length} case${g.cases.length === 1 ? '' : 's'}: ${g.cases.map((c) => `\`${c}\``).join(', ')})`).join('; ')}.`,
    '',
    '**Root cause**',
    '',
    f.rootCause,
    '',
    ...(s
      ? [
          `**Sweep**: ${s.found} sites found, ${s.failing} trap in wasm, the patch changes ${s.changed}.`,
          '',
          ...s.scope.map((l) => `- ${l}`),
          ...s.skipped.map((k) => `- not changed: \`${k.site}\`: ${k.why}`),
          '',
        ]
      : []),
    `**Verification** (${tallyLine(f.verified)}${f.compilerCache ? `; compiler cache over ${f.compilerCache.compiles} compiles: ${f.compilerCache.hits} hits, ${f.compilerCache.misses} misses` : ''}):`,
    '',
    ...verificationTable(f.verified),
    '',
    ...(f.moduleChecks ? [moduleChecksLine(f.moduleChecks), ''] : []),
    `**The patch** (\`fixes/${f.patch}\`, applies with \`patch -p1\` or \`git apply\` at a py2wasm checkout's root):`,
    '',
    '```diff',
    patchText.trimEnd(),
    '```',
    '',
  ];
}

/** `patches`: each patch file's text by its name. */
export function renderFixesMarkdown(file: FixesFile, patches: Record<string, string>): string {
  const out = ['# py2wasm fixes', ''];
  if (!file.fixes.length) out.push('No failure group of the last report has a known fix.', '');
  for (const f of file.fixes) out.push(...fixSection(f, patches[f.patch] ?? ''));
  if (file.all) {
    out.push(`## All patches together (${file.all.patches.join(', ')}): the whole cookbook re-run`, '');
    for (const l of file.all.leftOut ?? []) out.push(`Left out: ${l.patch}, ${escapeMarkdownText(l.reason)}.`, '');
    out.push(
      `${tallyLine(file.all.verified)}.`,
      '',
      ...verificationTable(file.all.verified.filter((v) => v.before !== v.after || v.after !== 'OK')),
      '',
    );
  }
  if (file.noFix.length) {
    out.push('## No known fix', '');
    for (const n of file.noFix) {
      out.push(`- \`${cell(n.group.label)}\` (${n.group.cases.map((c) => `\`${c}\``).join(', ')}): ${n.reason}`);
      for (const e of n.evidence) out.push(`  - ${e}`);
    }
    out.push('');
  }
  out.push('## Tools', '', ...Object.entries(file.tools).map(([k, v]) => `- ${k}: ${v}`), '');
  // read in terminals too: a case's escape sequences are shown, not obeyed
  return escapeControls(out.join('\n'));
}
